import {
  eipByAddress,
  eipsBoundTo,
  lbBehaviour,
  lbEligibleNodes,
  listenerBackends,
  loadBalancersForService,
} from '../dataplane/cloud/index.js';
import { asksAboutLoadBalancer, clusterVersion } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import type { Eip, Node } from '../model/types.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  lb: string;
  nodes: string[];
  withBandwidth: number;
}

function nodePublicEip(inv: Parameters<typeof eipsBoundTo>[0], n: Node): Eip | undefined {
  return (
    eipsBoundTo(inv, `node/${n.meta.name}`)[0] ??
    n.externalIPs.map((a) => eipByAddress(inv, a)).find((e) => e !== undefined)
  );
}

export default defineCheck<Data>({
  id: 'node-no-public-bandwidth',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.7,
  title: (d) => `Backend nodes of public ${d.lb} have no public bandwidth: ${d.nodes.join(', ')}`,
  docs: {
    what: 'A public CLB Service on TKE whose backend nodes have no public network bandwidth (0 Mbit/s).',
    why: 'On accounts billed by CVM, a public CLB\'s traffic is charged to, and limited by, the public bandwidth of the backend CVMs; with none the public Service answers nothing although the listener, health checks and security groups are right (seed 003: "for public network services, check whether the node has public network bandwidth — only for bill-by-CVM accounts").',
    confirm:
      'In the console: CVM instances of the nodes → public network bandwidth is 0 Mbit/s (and the account bills bandwidth by CVM).',
    fix: "Raise the nodes' public bandwidth above 0 (console: CVM → adjust network configuration), or move the account/CLB to bandwidth billed on the CLB.",
  },
  source: ['seed 003 (public network Service: node public network bandwidth, bill-by-CVM accounts)'],
  run({ snapshot, service, question, mode }) {
    if (service?.type !== 'LoadBalancer') return [];
    if (!asksAboutLoadBalancer(question, mode)) return [];
    if (mode === 'diagnose' && question.client.kind !== 'internet') return [];
    const inv = snapshot.data.cloud;
    if (inv?.provider !== 'tke' || !inv.eips) return [];
    const behaviour = lbBehaviour(inv, service, clusterVersion(snapshot, inv));
    const hits = [];
    for (const lb of loadBalancersForService(inv, service)) {
      if ((lb.scheme ?? behaviour.scheme) !== 'public') continue;
      const registered = lb.listeners
        .flatMap(listenerBackends)
        .filter((b) => b.target.startsWith('node/'))
        .map((b) => snapshot.node(b.target.slice(5)))
        .filter((n): n is Node => n !== undefined);
      const nodes = registered.length > 0 ? [...new Set(registered)] : lbEligibleNodes(snapshot);
      const zero: string[] = [];
      let withBandwidth = 0;
      for (const n of nodes) {
        const e = nodePublicEip(inv, n);
        if (e?.bandwidthMbps === 0) zero.push(n.meta.name);
        else if (e?.bandwidthMbps !== undefined) withBandwidth++;
      }
      if (zero.length === 0) continue;
      hits.push({
        subject: refOf(service),
        severity: withBandwidth > 0 ? ('warning' as const) : ('error' as const),
        data: { lb: lb.id, nodes: zero, withBandwidth },
        evidence: [
          `${lb.id} is a public CLB (TKE); its backends are nodes`,
          ...zero.slice(0, 5).map((n) => `node/${n}: public bandwidth 0 Mbit/s`),
        ],
        fix: {
          summary: `Give nodes ${zero.join(', ')} public bandwidth (console: CVM → instance → adjust network → bandwidth > 0), or switch the account to bandwidth billed on the CLB.`,
          commands: ['kubectl get nodes -o wide'],
        },
      });
    }
    return hits;
  },
});
