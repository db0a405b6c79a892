import {
  anyRuleOpens,
  eipByAddress,
  evaluateSecurityGroups,
  type SgDecision,
} from '../dataplane/cloud/index.js';
import { clientPeer, portsInQuestion, sgProtocol } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import type { Node } from '../model/types.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  port: number;
  protocol: string;
  nodes: string[];
  allowedNodes: number;
  groups: string[];
  source: string;
  rule?: string;
}

export default defineCheck<Data>({
  id: 'node-sg-blocks-nodeport',
  severity: 'error',
  layer: 'security-group',
  confidence: 0.85,
  title: (d) =>
    `Node security group ${d.groups.join(', ')} does not admit ${d.protocol} ${d.port} from ${d.source} on ${d.nodes.join(', ')}`,
  docs: {
    what: "The security group of the nodes has no inbound rule letting the client reach the Service's nodePort (or a rule denies it), so NodeIP:nodePort times out.",
    why: 'NodePort traffic arrives at the node\'s own interface, where the cloud security group filters it before kube-proxy ever sees it. Clusters usually open 30000-32767 when created; a rule removed later, a narrower source range, or a custom security group on new nodes closes it (seed 000 check item 2, seed 003 "node security group 30000-32768").',
    confirm:
      "From the client, NodeIP:nodePort times out while curl from the node itself to 127.0.0.1:nodePort (or NodeIP:nodePort) works; the node security group's inbound rules in the console do not cover the port for the client's source.",
    fix: 'Add an inbound rule to the node security group: protocol TCP/UDP as the Service port, port range 30000-32767 (or just the nodePort), source the client range (0.0.0.0/0 for the internet).',
  },
  source: [
    'seed 000 check item 2 (service port not allowed in the inbound rules of the node)',
    'seed 003 (node security group must open 30000-32768)',
  ],
  run({ snapshot, service, question, mode, unknown }) {
    if (!service || (service.type !== 'NodePort' && service.type !== 'LoadBalancer')) return [];
    if (mode === 'diagnose' && question.via !== 'nodeport') return [];
    if (mode === 'audit' && service.type !== 'NodePort') return [];
    const inv = snapshot.data.cloud;
    if (!inv) return [];
    if (!inv.securityGroups) {
      unknown('CloudInventory has no securityGroups: node security groups not checked');
      return [];
    }
    // The client may use the node's own address or an EIP bound to the node.
    const ip = question.address?.ip;
    const boundTo = ip ? eipByAddress(inv, ip)?.boundTo : undefined;
    const addressed = ip
      ? (snapshot.nodeByAddress(ip) ??
        (boundTo?.startsWith('node/') ? snapshot.node(boundTo.slice(5)) : undefined))
      : undefined;
    const nodes: readonly Node[] = addressed ? [addressed] : snapshot.nodes;
    const peer = mode === 'audit' ? { label: 'anywhere' } : clientPeer(snapshot, question);
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const hits = [];
    for (const sp of portsInQuestion(service, question)) {
      if (sp.nodePort === undefined) continue;
      const protocol = sgProtocol(sp);
      const denied: { node: string; d?: SgDecision }[] = [];
      let allowed = 0;
      for (const n of nodes) {
        const target = `node/${n.meta.name}`;
        if (mode === 'audit') {
          const v = anyRuleOpens(inv, target, protocol, sp.nodePort);
          if (v === 'deny') denied.push({ node: n.meta.name });
          else if (v === 'allow') allowed++;
          continue;
        }
        const d = evaluateSecurityGroups(inv, {
          target,
          direction: 'inbound',
          protocol,
          port: sp.nodePort,
          peer,
        });
        if (d.verdict === 'deny') denied.push({ node: n.meta.name, d });
        else if (d.verdict === 'allow') allowed++;
      }
      if (denied.length === 0) continue;
      const groups = [
        ...new Set(
          denied.flatMap(
            (x) =>
              x.d?.groups ??
              inv.securityGroups?.filter((g) => g.attachedTo.includes(`node/${x.node}`)).map((g) => g.id) ??
              [],
          ),
        ),
      ];
      const rule = denied.find((x) => x.d?.rule)?.d;
      const source = mode === 'audit' ? 'anywhere' : (peer.label ?? 'the client');
      const cidr = question.client.kind === 'internet' ? '0.0.0.0/0' : "the client's CIDR";
      hits.push({
        subject: refOf(service),
        severity: allowed > 0 && !addressed ? ('warning' as const) : ('error' as const),
        data: {
          port: sp.nodePort,
          protocol,
          nodes: denied.map((x) => x.node),
          allowedNodes: allowed,
          groups,
          source,
          ...(rule?.rule ? { rule: rule.reason } : {}),
        },
        evidence: [
          `Service ${ns}/${name} port ${sp.port}/${sp.protocol} → nodePort ${sp.nodePort}`,
          ...denied
            .slice(0, 5)
            .map(
              (x) =>
                `node/${x.node}: ${x.d?.reason ?? `no inbound rule of ${groups.join(', ')} opens ${protocol}/${sp.nodePort} to any source`}`,
            ),
          ...(allowed > 0 ? [`${allowed} node(s) do admit it`] : []),
        ],
        fix: {
          summary: `Add an inbound rule to ${groups.join(', ') || 'the node security group'}: ${protocol.toUpperCase()} ${sp.nodePort} (or 30000-32767) from ${cidr} (cloud console: security groups → ${groups[0] ?? 'node group'} → inbound rules → add rule).${rule?.rule?.action === 'deny' ? ` Remove or reorder the deny rule first: ${rule.reason}.` : ''}`,
          commands: [
            `kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.ports[*].nodePort}'`,
            'kubectl get nodes -o wide',
          ],
        },
      });
    }
    return hits;
  },
});
