import {
  anyRuleOpens,
  evaluateAnyPeer,
  expectedBackends,
  lbBehaviour,
  listenerBackends,
  listenerForServicePort,
  loadBalancersForService,
  type SgDecision,
  type SgPeer,
} from '../dataplane/cloud/index.js';
import {
  asksAboutLoadBalancer,
  clientPeer,
  clusterVersion,
  lbPeer,
  portsInQuestion,
  sgProtocol,
} from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import type { CloudInventory } from '../model/types.js';
import { defineCheck } from './define.js';

type HopKind = 'client-to-lb' | 'lb-to-node' | 'lb-to-pod';

interface Data extends Record<string, unknown> {
  lb: string;
  listener: string;
  hop: HopKind;
  targets: string[];
  port: number;
  protocol: string;
  groups: string[];
  source: string;
}

/** The cloud object whose security groups filter a backend: the node, or the pod's ENI. */
function sgTarget(target: string, address: string | undefined): string | undefined {
  if (target.startsWith('node/') || target.startsWith('eni/')) return target;
  if (address) return `eni/${address}`;
  return undefined;
}

function judge(
  inv: CloudInventory,
  audit: boolean,
  target: string,
  protocol: 'tcp' | 'udp' | 'sctp',
  port: number,
  peers: SgPeer[],
): SgDecision | 'deny' | 'allow' | 'unknown' {
  if (audit) return anyRuleOpens(inv, target, protocol, port);
  return evaluateAnyPeer(inv, { target, direction: 'inbound', protocol, port }, peers);
}

const verdictOf = (d: ReturnType<typeof judge>) => (typeof d === 'string' ? d : d.verdict);

export default defineCheck<Data>({
  id: 'lb-sg-blocks-backend',
  severity: 'error',
  layer: 'security-group',
  confidence: 0.85,
  title: (d) =>
    d.hop === 'client-to-lb'
      ? `Security group ${d.groups.join(', ')} of ${d.lb} blocks ${d.protocol} ${d.port} from ${d.source}`
      : `Security group ${d.groups.join(', ')} blocks ${d.lb} → ${d.hop === 'lb-to-pod' ? 'pods' : 'nodes'} on ${d.protocol} ${d.port}`,
  docs: {
    what: "A security group on the load balancer path drops the traffic: the LB's own group does not admit the client on the listener port, or the group of the backend nodes (at the nodePort) or pod ENIs (at the targetPort) does not admit what the LB forwards.",
    why: 'The LB address then times out while NodeIP:nodePort may still work from inside the VPC (seed 000 check item 3: "the security group on the node has not exposed the related protocol or port to the ELB"; seed 003: node group must open 30000-32768 for CLB Services). Most L4 LBs keep the client address, so the node group must admit the clients, not only the LB.',
    confirm:
      "In the console compare the inbound rules of the LB and node/ENI security groups with the listener port, the nodePort (kubectl get svc NAME -o jsonpath={.spec.ports[*].nodePort}) and the client's source range; curl NodeIP:nodePort from a VPC host works.",
    fix: "Add the missing inbound rule: on the LB group for the listener port from the clients; on the node group for the nodePort range (30000-32767) or, for pass-through/ENI backends, on the pod ENI group for the targetPort — from the client range (or the LB's subnet / security group when the LB does SNAT).",
  },
  source: [
    'seed 000 check item 3 (security group on the node has not exposed the port to the ELB)',
    'seed 003 (public/private Service: node security group 30000-32768)',
  ],
  run({ snapshot, service, question, mode, unknown }) {
    if (service?.type !== 'LoadBalancer') return [];
    if (!asksAboutLoadBalancer(question, mode)) return [];
    const inv = snapshot.data.cloud;
    if (!inv) return [];
    if (!inv.securityGroups) {
      unknown('CloudInventory has no securityGroups: load balancer and node security groups not checked');
      return [];
    }
    const audit = mode === 'audit';
    const behaviour = lbBehaviour(inv, service, clusterVersion(snapshot, inv));
    const asked = clientPeer(snapshot, question);
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const hits = [];
    const confirm = `kubectl get service ${name} -n ${ns} -o wide`;
    for (const lb of loadBalancersForService(inv, service)) {
      // Audit has no client: a public LB is judged for internet clients, others for any source.
      const asPublic = audit && (lb.scheme ?? behaviour.scheme) === 'public';
      const anySource = audit && !asPublic;
      const client: SgPeer = asPublic ? { internet: true, label: 'the internet' } : asked;
      const source = anySource ? 'anywhere' : (client.label ?? 'the client');
      for (const sp of portsInQuestion(service, question)) {
        const l = listenerForServicePort(lb, sp);
        const protocol = sgProtocol(sp);
        const listener = `${l?.protocol ?? sp.protocol}/${l?.port ?? sp.port}`;
        // 1. client → LB listener
        const lbDecision = judge(inv, anySource, `lb/${lb.id}`, protocol, l?.port ?? sp.port, [client]);
        if (verdictOf(lbDecision) === 'deny') {
          const groups = typeof lbDecision === 'string' ? groupsOf(inv, `lb/${lb.id}`) : lbDecision.groups;
          hits.push({
            subject: refOf(service),
            data: {
              lb: lb.id,
              listener,
              hop: 'client-to-lb' as const,
              targets: [`lb/${lb.id}`],
              port: l?.port ?? sp.port,
              protocol,
              groups,
              source,
            },
            evidence: [
              typeof lbDecision === 'string'
                ? `no inbound rule of ${groups.join(', ')} opens ${protocol}/${l?.port ?? sp.port}`
                : lbDecision.reason,
            ],
            fix: {
              summary: `Allow ${protocol.toUpperCase()} ${l?.port ?? sp.port} from ${client.internet ? '0.0.0.0/0' : 'the client range'} in the load balancer's security group ${groups.join(', ')} (console: load balancer → security group → inbound rules).`,
              commands: [confirm],
            },
          });
          continue;
        }
        // 2. LB → backends
        const members =
          l && listenerBackends(l).length > 0
            ? listenerBackends(l).map((b) => ({ target: b.target, address: b.address, port: b.port }))
            : expectedBackends(snapshot, service, sp, behaviour).members;
        // A pass-through LB forwards the client's own packets: the member's group must admit the client,
        // an LB-only rule (its subnet) lets health checks pass but not the traffic.
        const peers: SgPeer[] =
          behaviour.preservesClientIP === false
            ? [lbPeer(lb)]
            : behaviour.preservesClientIP
              ? [client]
              : [client, lbPeer(lb)];
        const blocked: { target: string; port: number; d: ReturnType<typeof judge> }[] = [];
        let allowed = 0;
        for (const m of members) {
          const t = sgTarget(m.target, m.address);
          if (!t || m.port === undefined) continue;
          const d = judge(inv, anySource, t, protocol, m.port, peers);
          const v = verdictOf(d);
          if (v === 'deny') blocked.push({ target: t, port: m.port, d });
          else if (v === 'allow') allowed++;
        }
        if (blocked.length === 0) continue;
        const hop: HopKind = blocked.every((b) => b.target.startsWith('node/')) ? 'lb-to-node' : 'lb-to-pod';
        const groups = [
          ...new Set(
            blocked.flatMap((b) => (typeof b.d === 'string' ? groupsOf(inv, b.target) : b.d.groups)),
          ),
        ];
        const ports = [...new Set(blocked.map((b) => b.port))];
        const portText = ports.join(',');
        hits.push({
          subject: refOf(service),
          severity: allowed > 0 ? ('warning' as const) : ('error' as const),
          data: {
            lb: lb.id,
            listener,
            hop,
            targets: blocked.map((b) => b.target),
            port: ports[0] as number,
            protocol,
            groups,
            source: behaviour.preservesClientIP === false ? `lb/${lb.id}` : source,
          },
          evidence: [
            `${lb.id} ${listener} forwards to ${hop === 'lb-to-node' ? 'nodes' : 'pods'} at port ${portText}${behaviour.preservesClientIP ? ' keeping the client address' : ''}`,
            ...blocked
              .slice(0, 5)
              .map(
                (b) =>
                  `${b.target}: ${typeof b.d === 'string' ? `no inbound rule of ${groups.join(', ')} opens ${protocol}/${b.port}` : b.d.reason}`,
              ),
            ...(allowed > 0 ? [`${allowed} backend(s) do admit it`] : []),
          ],
          fix: {
            summary: `Add an inbound rule to ${groups.join(', ')}: ${protocol.toUpperCase()} ${hop === 'lb-to-node' ? `${portText} (the nodePort range 30000-32767 covers it)` : portText} from ${behaviour.preservesClientIP === false ? `the load balancer (${lb.id}'s subnet or security group)` : client.internet ? '0.0.0.0/0 (the LB keeps the client address)' : 'the client range and the LB'} (console: security groups → inbound rules → add rule).`,
            commands: [
              `kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.ports[*].nodePort}'`,
              confirm,
            ],
          },
        });
      }
    }
    return hits;
  },
});

function groupsOf(inv: CloudInventory, target: string): string[] {
  return (inv.securityGroups ?? []).filter((g) => g.attachedTo.includes(target)).map((g) => g.id);
}
