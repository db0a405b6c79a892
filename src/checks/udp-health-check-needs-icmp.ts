import {
  evaluateAnyPeer,
  healthCheckPeer,
  lbEligibleNodes,
  listenerBackends,
  loadBalancersForService,
} from '../dataplane/cloud/index.js';
import { asksAboutLoadBalancer } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  lb: string;
  listener: string;
  nodes: string[];
  groups: string[];
}

export default defineCheck<Data>({
  id: 'udp-health-check-needs-icmp',
  severity: 'error',
  layer: 'security-group',
  confidence: 0.8,
  title: (d) =>
    `UDP listener ${d.listener} of ${d.lb} health-checks nodes that do not admit ICMP (${d.groups.join(', ')})`,
  docs: {
    what: 'A UDP listener with a health check sends its probes to nodes whose security group does not allow inbound ICMP.',
    why: 'UDP has no handshake, so UDP health checks rely on ICMP (a ping, and ICMP port-unreachable replies) to decide whether a member is alive. Without inbound ICMP every member looks dead and the UDP Service is unreachable through the LB even though the nodePort works (seed 000 check item 3, common issue 2).',
    confirm:
      "The UDP listener's members show abnormal health in the console; the node security group has no ICMP inbound rule.",
    fix: "Add an inbound rule to the node security group: protocol ICMP, source the LB's health-check range (or 0.0.0.0/0).",
  },
  source: ['seed 000 check item 3 (for UDP access, ICMP of the node not allowed in the inbound rules)'],
  run({ snapshot, service, question, mode, unknown }) {
    if (service?.type !== 'LoadBalancer') return [];
    if (!service.ports.some((p) => p.protocol === 'UDP')) return [];
    if (!asksAboutLoadBalancer(question, mode)) return [];
    const inv = snapshot.data.cloud;
    if (!inv) return [];
    if (!inv.securityGroups) {
      unknown('CloudInventory has no securityGroups: ICMP for UDP health checks not checked');
      return [];
    }
    const hits = [];
    for (const lb of loadBalancersForService(inv, service)) {
      for (const l of lb.listeners) {
        if (l.protocol !== 'UDP' || l.healthCheck?.enabled === false) continue;
        // Probes count as ICMP-based unless the inventory says the check is TCP/HTTP.
        const hcProto = l.healthCheck?.protocol?.toUpperCase();
        if (hcProto && hcProto !== 'UDP' && hcProto !== 'ICMP') continue;
        if (!l.healthCheck && inv.provider !== 'cce') continue;
        const registered = listenerBackends(l)
          .filter((b) => b.target.startsWith('node/'))
          .map((b) => b.target.slice(5));
        const nodes = registered.length > 0 ? registered : lbEligibleNodes(snapshot).map((n) => n.meta.name);
        const peer = healthCheckPeer(lb, l.healthCheck?.sourceIP);
        const blocked: string[] = [];
        const groups = new Set<string>();
        for (const n of nodes) {
          const d = evaluateAnyPeer(inv, { target: `node/${n}`, direction: 'inbound', protocol: 'icmp' }, [
            peer,
          ]);
          if (d.verdict === 'deny') {
            blocked.push(n);
            for (const g of d.groups) groups.add(g);
          }
        }
        if (blocked.length === 0) continue;
        hits.push({
          subject: refOf(service),
          data: { lb: lb.id, listener: `UDP/${l.port}`, nodes: blocked, groups: [...groups] },
          evidence: [
            `${lb.id} UDP/${l.port} health check enabled${hcProto ? ` (${hcProto})` : ''}`,
            ...blocked.slice(0, 5).map((n) => `node/${n}: no inbound ICMP rule in ${[...groups].join(', ')}`),
          ],
          fix: {
            summary: `Add an inbound ICMP rule (all ICMP types) to ${[...groups].join(', ')} from the load balancer's health-check source (or 0.0.0.0/0) — cloud console: security groups → inbound rules → add rule, protocol ICMP.`,
            commands: [`kubectl get service ${service.meta.name} -n ${service.meta.namespace} -o wide`],
          },
        });
      }
    }
    return hits;
  },
});
