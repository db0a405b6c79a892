import { dnatRulesForService, eipsBoundTo } from '../dataplane/cloud/index.js';
import { isExternalClient } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  nat: string;
  eip: string;
  node: string;
  nodeEip: string;
}

export default defineCheck<Data>({
  id: 'nat-backend-has-eip',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.6,
  title: (d) => `Node ${d.node}, a DNAT backend of ${d.nat} (${d.eip}), has its own EIP ${d.nodeEip}`,
  docs: {
    what: 'A node that is the internal address of a NAT gateway DNAT rule for the Service also has an EIP bound to it.',
    why: 'Replies to DNAT traffic must leave through the NAT gateway. A node with its own EIP sends them out through that EIP instead, with the wrong source address, so clients drop them: connections hang or lose packets (seed 000 check item 4: no EIP should be configured for the backend server of NAT).',
    confirm:
      "In the console, the node (ECS/CVM) shows a bound EIP, and a NAT gateway DNAT rule targets the node's private IP.",
    fix: 'Unbind the EIP from the node (console: EIPs → unbind), or point the DNAT rule at a node without an EIP.',
  },
  source: ['seed 000 check item 4 (no EIP for the backend server of NAT; otherwise packet loss)'],
  run({ snapshot, service, question, mode }) {
    if (!service) return [];
    const inv = snapshot.data.cloud;
    if (!inv?.natGateways || !inv.eips) return [];
    if (mode === 'diagnose' && !isExternalClient(question) && !question.address) return [];
    const hits = [];
    for (const ref of dnatRulesForService(snapshot, inv, service)) {
      const node = snapshot.nodeByAddress(ref.rule.internalAddress);
      if (!node) continue;
      const own = eipsBoundTo(inv, `node/${node.meta.name}`)[0];
      if (!own) continue;
      hits.push({
        subject: refOf(service),
        data: { nat: ref.nat.id, eip: ref.rule.eip, node: node.meta.name, nodeEip: own.address },
        evidence: [
          `${ref.nat.id} DNAT ${ref.rule.eip}:${ref.rule.externalPort} → ${ref.rule.internalAddress}:${ref.rule.internalPort} (node/${node.meta.name})`,
          `EIP ${own.address} is bound to node/${node.meta.name}`,
        ],
        fix: {
          summary: `Unbind EIP ${own.address} from node ${node.meta.name} (console: EIPs → ${own.address} → unbind) so replies leave through NAT gateway ${ref.nat.id}, or retarget the DNAT rule at a node without an EIP.`,
          commands: ['kubectl get nodes -o wide'],
        },
      });
    }
    return hits;
  },
});
