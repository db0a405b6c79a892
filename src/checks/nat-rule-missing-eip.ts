import { type DnatRuleRef, dnatEipBinding, dnatFor, dnatRulesForService } from '../dataplane/cloud/index.js';
import { isExternalClient } from '../dataplane/cloud/question.js';
import { backendsOf } from '../model/endpoints.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

type Problem =
  | 'eip-missing'
  | 'eip-unbound'
  | 'eip-bound-elsewhere'
  | 'wrong-internal-port'
  | 'unknown-internal-address';

interface Data extends Record<string, unknown> {
  nat: string;
  eip: string;
  externalPort: number;
  internalAddress: string;
  internalPort: number;
  problem: Problem;
  boundTo?: string | null;
  expectedPorts?: number[];
}

export default defineCheck<Data>({
  id: 'nat-rule-missing-eip',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.85,
  title: (d) =>
    d.problem === 'wrong-internal-port' || d.problem === 'unknown-internal-address'
      ? `NAT gateway ${d.nat} DNAT rule ${d.eip}:${d.externalPort} forwards to ${d.internalAddress}:${d.internalPort}, not to the Service`
      : `NAT gateway ${d.nat} DNAT rule ${d.eip}:${d.externalPort} has no EIP bound to the gateway (${d.problem})`,
  docs: {
    what: "A NAT gateway DNAT rule that should expose the Service uses an EIP that does not exist or is not bound to that gateway, or forwards EIP:port to an internal address/port that is not the Service's node port (or pod port).",
    why: 'Clients connect to the EIP; if the EIP is unbound (or bound to something else), the packets never reach the NAT gateway, and if the internal port is not the nodePort the node drops or refuses them (seed 000 check item 4: NAT gateway + port).',
    confirm:
      'In the console: NAT gateway → DNAT rules (EIP, external/internal port, internal address) and EIPs (bound instance); kubectl get svc NAME -o jsonpath={.spec.ports[*].nodePort} gives the port the rule must target.',
    fix: "Bind the EIP to the NAT gateway (or pick a bound one in the rule), and make the rule's internal address a node IP and its internal port the Service's nodePort.",
  },
  source: ['seed 000 check item 4 (NAT gateway + port)'],
  run({ snapshot, service, question, mode, unknown }) {
    if (!service) return [];
    const inv = snapshot.data.cloud;
    if (!inv?.natGateways) return [];
    if (mode === 'diagnose' && !isExternalClient(question) && !question.address) return [];
    const rules: DnatRuleRef[] = dnatRulesForService(snapshot, inv, service);
    const proto = question.protocol === 'UDP' ? 'udp' : 'tcp';
    const found = question.address
      ? dnatFor(inv, question.address.ip, question.address.port, proto)
      : undefined;
    const same = (a: DnatRuleRef, b: DnatRuleRef) => a.nat.id === b.nat.id && a.index === b.index;
    const asked = found ? (rules.find((r) => same(r, found)) ?? found) : undefined;
    if (asked && !rules.includes(asked)) rules.unshift(asked);
    if (rules.length === 0) return [];
    const nodePorts = service.ports.map((p) => p.nodePort).filter((p): p is number => p !== undefined);
    const podIPs = new Set(backendsOf(snapshot, service).backends.map((b) => b.ip));
    const hits = [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    for (const ref of rules) {
      const r = ref.rule;
      const base = {
        nat: ref.nat.id,
        eip: r.eip,
        externalPort: r.externalPort,
        internalAddress: r.internalAddress,
        internalPort: r.internalPort,
      };
      const rule = `${ref.nat.id} DNAT ${r.eip}:${r.externalPort}/${r.protocol} → ${r.internalAddress}:${r.internalPort}`;
      const node = snapshot.nodeByAddress(r.internalAddress);
      if (ref === asked && !podIPs.has(r.internalAddress)) {
        if (!node) {
          hits.push({
            subject: refOf(service),
            data: { ...base, problem: 'unknown-internal-address' as const, expectedPorts: nodePorts },
            evidence: [rule, `${r.internalAddress} is neither a node nor a pod of ${ns}/${name}`],
            fix: {
              summary: `Edit the DNAT rule so it forwards to a node IP at the Service's nodePort ${nodePorts.join(' or ')} (console: NAT gateway → DNAT rules → modify).`,
              commands: [
                'kubectl get nodes -o wide',
                `kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.ports[*].nodePort}'`,
              ],
            },
          });
          continue;
        }
        if (!nodePorts.includes(r.internalPort)) {
          hits.push({
            subject: refOf(service),
            data: { ...base, problem: 'wrong-internal-port' as const, expectedPorts: nodePorts },
            evidence: [
              rule,
              `${ns}/${name} nodePort(s): ${nodePorts.join(', ') || 'none (not a NodePort/LoadBalancer Service)'}`,
            ],
            fix: {
              summary: `Change the DNAT rule's internal port to the Service's nodePort ${nodePorts.join(' or ')} (console: NAT gateway → DNAT rules → modify).`,
              commands: [`kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.ports[*].nodePort}'`],
            },
          });
          continue;
        }
      }
      const binding = dnatEipBinding(inv, ref);
      if (binding.state === 'unknown') {
        unknown('CloudInventory has no eips: whether DNAT EIPs are bound was not checked');
        continue;
      }
      if (binding.state === 'bound') continue;
      const problem: Problem =
        binding.state === 'missing'
          ? 'eip-missing'
          : binding.state === 'unbound'
            ? 'eip-unbound'
            : 'eip-bound-elsewhere';
      hits.push({
        subject: refOf(service),
        data: { ...base, problem, ...(binding.state !== 'missing' ? { boundTo: binding.eip.boundTo } : {}) },
        evidence: [
          rule,
          binding.state === 'missing'
            ? `EIP ${r.eip} is not in the inventory's EIPs`
            : binding.state === 'unbound'
              ? `EIP ${r.eip} is not bound to anything`
              : `EIP ${r.eip} is bound to ${binding.eip.boundTo}, not nat/${ref.nat.id}`,
        ],
        fix: {
          summary: `Bind EIP ${r.eip} to NAT gateway ${ref.nat.id} (console: EIPs → bind → NAT gateway), or change the DNAT rule to an EIP already bound to it.`,
          commands: [`kubectl get service ${name} -n ${ns} -o wide`],
        },
      });
    }
    return hits;
  },
});
