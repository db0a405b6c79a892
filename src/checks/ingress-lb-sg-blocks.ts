import {
  anyRuleOpens,
  evaluateAnyPeer,
  evaluateSecurityGroups,
  groupsAttachedTo,
  lbEligibleNodes,
  listenerBackends,
  loadBalancersForIngress,
  type SgPeer,
} from '../dataplane/cloud/index.js';
import { clientPeer, lbPeer } from '../dataplane/cloud/question.js';
import {
  ingressBackends,
  ingressesRoutingTo,
  ingressRequest,
  observedSymptom,
} from '../dataplane/ingress/index.js';
import { refOf } from '../model/snapshot.js';
import type { CloudInventory, Ingress, LoadBalancer, Service } from '../model/types.js';
import { defineCheck } from './define.js';

type Problem = 'lb-listener' | 'node-nodeport' | 'no-https-listener';

interface Data extends Record<string, unknown> {
  ingress: string;
  lb: string;
  problem: Problem;
  port: number;
  groups: string[];
  targets: string[];
}

/** The nodePort(s) of the Service ports an Ingress names for this Service. */
function nodePortsFor(ing: Ingress, svc: Service): number[] {
  const out = new Set<number>();
  for (const { backend } of ingressBackends(ing)) {
    if (backend.service?.name !== svc.meta.name) continue;
    const p = backend.service.port;
    const sp = svc.ports.find((x) => (p.number !== undefined ? x.port === p.number : x.name === p.name));
    if (sp?.nodePort !== undefined) out.add(sp.nodePort);
  }
  return [...out];
}

function verdict(inv: CloudInventory, audit: boolean, target: string, port: number, peers: SgPeer[]) {
  if (audit) {
    const v = anyRuleOpens(inv, target, 'tcp', port);
    return {
      verdict: v,
      groups: groupsAttachedTo(inv, target).map((g) => g.id),
      reason: `no inbound rule opens tcp/${port} to any source`,
    };
  }
  if (peers.length === 1)
    return evaluateSecurityGroups(inv, {
      target,
      direction: 'inbound',
      protocol: 'tcp',
      port,
      peer: peers[0] as SgPeer,
    });
  return evaluateAnyPeer(inv, { target, direction: 'inbound', protocol: 'tcp', port }, peers);
}

export default defineCheck<Data>({
  id: 'ingress-lb-sg-blocks',
  severity: 'error',
  layer: 'security-group',
  confidence: 0.85,
  title: (d) =>
    d.problem === 'lb-listener'
      ? `Security group ${d.groups.join(', ')} of Ingress LB ${d.lb} blocks port ${d.port}`
      : d.problem === 'no-https-listener'
        ? `Ingress LB ${d.lb} has no listener on ${d.port} although the Ingress has TLS`
        : `Node security group ${d.groups.join(', ')} blocks Ingress LB ${d.lb} → nodePort ${d.port} (504)`,
  docs: {
    what: "The cloud load balancer of an Ingress cannot be reached on its listener port (80/443) because of its security group (or has no 443 listener for a TLS Ingress), or it cannot reach the backend Service's nodePort on the nodes because of the node security group.",
    why: 'A cloud L7 Ingress (TKE CLB Ingress, CCE ELB Ingress, ALB) binds each location to the backend Service\'s nodePort on every node. With the node group closed the LB times out towards the real servers and answers 504; with the LB group closed on 443 the client cannot connect at all (seed 003: "if the request returns 504, check the node security group 30000-32768"; "check whether the CLB bound to the Ingress is configured with a security group that does not open port 443").',
    confirm:
      'Console: the Ingress CLB/ELB security group inbound rules (80/443) and the node security group (30000-32767); kubectl get svc BACKEND -o jsonpath={.spec.ports[*].nodePort}.',
    fix: 'Open 80/443 from the clients in the LB\'s security group (or enable "allow by default" for the CLB), and open the nodePort range 30000-32767 in the node security group for the LB (with L7 SNAT: from 100.127.0.0/16 on TKE).',
  },
  source: ['seed 003 (Ingress: 504 and node security group; CLB security group and port 443)'],
  run({ snapshot, service, question, mode, unknown }) {
    if (!service) return [];
    if (mode === 'diagnose' && question.via !== 'ingress') return [];
    const inv = snapshot.data.cloud;
    if (!inv?.loadBalancers) return [];
    if (!inv.securityGroups) {
      unknown('CloudInventory has no securityGroups: Ingress load balancer security groups not checked');
      return [];
    }
    const audit = mode === 'audit';
    const asked = clientPeer(snapshot, question);
    const req = audit ? undefined : ingressRequest(snapshot, question);
    // 504 means the LB reached no real server; a timeout or reset at connect means the LB itself.
    const seen504 = req !== undefined && observedSymptom(req, ['http-504']);
    const seenConnect = req !== undefined && observedSymptom(req, ['timeout', 'reset']);
    const hits = [];
    const ns = service.meta.namespace;
    for (const ing of ingressesRoutingTo(snapshot, service)) {
      const ingName = `${ing.meta.namespace}/${ing.meta.name}`;
      for (const lb of loadBalancersForIngress(inv, ing) as LoadBalancer[]) {
        // Audit has no client: a public LB is judged for internet clients, others for any source.
        const asPublic = audit && lb.scheme === 'public';
        const anySource = audit && !asPublic;
        const client: SgPeer = asPublic ? { internet: true, label: 'the internet' } : asked;
        const wantsTls = ing.tls.length > 0;
        if (wantsTls && !lb.listeners.some((l) => l.port === 443 || l.protocol === 'HTTPS')) {
          hits.push({
            subject: refOf(service),
            data: {
              ingress: ingName,
              lb: lb.id,
              problem: 'no-https-listener' as const,
              port: 443,
              groups: [],
              targets: [`lb/${lb.id}`],
            },
            evidence: [
              `${ingName} has TLS for ${ing.tls.flatMap((t) => t.hosts).join(', ')}`,
              `${lb.id} listeners: ${lb.listeners.map((l) => `${l.protocol}/${l.port}`).join(', ')}`,
            ],
            fix: {
              summary: `Add an HTTPS listener on 443 with the certificate to ${lb.id} (the Ingress controller creates it from spec.tls; check its events), or add it in the console.`,
              commands: [`kubectl describe ingress ${ing.meta.name} -n ${ing.meta.namespace}`],
            },
          });
        }
        const ports =
          question.port !== undefined && typeof question.port === 'number' && !audit
            ? [question.port]
            : lb.listeners.map((l) => l.port);
        for (const port of [...new Set(ports)]) {
          const d = verdict(inv, anySource, `lb/${lb.id}`, port, [client]);
          if (d.verdict !== 'deny') continue;
          hits.push({
            subject: refOf(service),
            ...(seenConnect ? { confidence: 0.95 } : {}),
            data: {
              ingress: ingName,
              lb: lb.id,
              problem: 'lb-listener' as const,
              port,
              groups: d.groups,
              targets: [`lb/${lb.id}`],
            },
            evidence: [`${ingName} is served by ${lb.id} (${lb.addresses.join(', ')})`, d.reason],
            fix: {
              summary: `Allow TCP ${port} from ${client.internet ? '0.0.0.0/0' : 'the clients'} in the security group ${d.groups.join(', ')} of ${lb.id} (console: CLB/ELB → security group → inbound rules), or enable "allow by default" for the LB.`,
              commands: [`kubectl get ingress ${ing.meta.name} -n ${ing.meta.namespace} -o wide`],
            },
          });
        }
        // LB → node at the backend Service's nodePort.
        const registered = lb.listeners.flatMap(listenerBackends).filter((b) => b.target.startsWith('node/'));
        const members =
          registered.length > 0
            ? registered.map((b) => ({ node: b.target.slice(5), port: b.port }))
            : nodePortsFor(ing, service).flatMap((port) =>
                lbEligibleNodes(snapshot).map((n) => ({ node: n.meta.name, port })),
              );
        const blocked: { node: string; port: number; groups: string[]; reason: string }[] = [];
        for (const m of members) {
          const d = verdict(
            inv,
            anySource,
            `node/${m.node}`,
            m.port,
            lb.snat ? [lbPeer(lb)] : [client, lbPeer(lb)],
          );
          if (d.verdict === 'deny') blocked.push({ ...m, groups: d.groups, reason: d.reason });
        }
        if (blocked.length === 0) continue;
        const groups = [...new Set(blocked.flatMap((b) => b.groups))];
        const port = blocked[0]?.port as number;
        hits.push({
          subject: refOf(service),
          ...(seen504 ? { confidence: 0.95 } : {}),
          severity: blocked.length < members.length ? ('warning' as const) : ('error' as const),
          data: {
            ingress: ingName,
            lb: lb.id,
            problem: 'node-nodeport' as const,
            port,
            groups,
            targets: blocked.map((b) => `node/${b.node}`),
          },
          evidence: [
            `${ingName} is served by ${lb.id}, which forwards to the nodes at nodePort ${port} of ${ns}/${service.meta.name}`,
            ...blocked.slice(0, 5).map((b) => `node/${b.node}: ${b.reason}`),
            'the LB times out towards its real servers and answers 504',
          ],
          fix: {
            summary: `Add an inbound rule to ${groups.join(', ')}: TCP 30000-32767 (covers ${port}) from ${lb.snat ? `the LB (TKE L7 SNAT: 100.127.0.0/16)` : 'the clients and the LB'} (console: security groups → inbound rules → add rule).`,
            commands: [
              `kubectl get service ${service.meta.name} -n ${ns} -o jsonpath='{.spec.ports[*].nodePort}'`,
            ],
          },
        });
      }
    }
    return hits;
  },
});
