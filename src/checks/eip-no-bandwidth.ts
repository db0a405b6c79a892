import {
  dnatRulesForService,
  eipByAddress,
  eipsBoundTo,
  loadBalancersForService,
} from '../dataplane/cloud/index.js';
import { isExternalClient } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import type { Eip } from '../model/types.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  eip: string;
  boundTo: string | null;
  role: 'load-balancer' | 'nat' | 'address-used';
}

export default defineCheck<Data>({
  id: 'eip-no-bandwidth',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.85,
  title: (d) => `Public address ${d.eip} (${d.boundTo ?? 'unbound'}) has no bandwidth`,
  docs: {
    what: "An EIP on the Service's public path (the load balancer's public address, a NAT gateway DNAT EIP, or the address the client used) has a bandwidth of 0 Mbps.",
    why: 'Traffic to a public address is limited by its bandwidth; with none, nothing passes even though every rule, listener and backend is right. This happens when a bandwidth package expired, was shared away, or was set to 0 (seed 003: "check whether the node has public network bandwidth").',
    confirm:
      'In the console: EIPs → the address → bandwidth (Mbit/s) is 0, or the bandwidth package is expired/frozen.',
    fix: 'Give the EIP bandwidth (console: EIPs → modify bandwidth, or add it to a shared bandwidth package).',
  },
  source: ['seed 003 (public network bandwidth)', 'seed 000 check item 4 (NAT gateway + EIP)'],
  run({ snapshot, service, question, mode, unknown }) {
    if (!service) return [];
    const inv = snapshot.data.cloud;
    if (!inv) return [];
    if (mode === 'diagnose' && !isExternalClient(question) && !question.address) return [];
    if (!inv.eips) {
      if (service.type === 'LoadBalancer')
        unknown('CloudInventory has no eips: public bandwidth not checked');
      return [];
    }
    const found = new Map<string, { eip: Eip; role: Data['role'] }>();
    const add = (eip: Eip | undefined, role: Data['role']) => {
      if (eip && !found.has(eip.address)) found.set(eip.address, { eip, role });
    };
    if (question.address) add(eipByAddress(inv, question.address.ip), 'address-used');
    if (
      service.type === 'LoadBalancer' &&
      (mode === 'audit' || question.via === 'loadbalancer' || question.via === undefined)
    ) {
      for (const lb of loadBalancersForService(inv, service)) {
        for (const a of lb.addresses) add(eipByAddress(inv, a), 'load-balancer');
        for (const e of eipsBoundTo(inv, `lb/${lb.id}`)) add(e, 'load-balancer');
      }
      for (const i of service.loadBalancerIngress) if (i.ip) add(eipByAddress(inv, i.ip), 'load-balancer');
    }
    for (const r of dnatRulesForService(snapshot, inv, service)) add(eipByAddress(inv, r.rule.eip), 'nat');
    const hits = [];
    for (const { eip, role } of found.values()) {
      if (eip.bandwidthMbps !== 0) continue;
      hits.push({
        subject: refOf(service),
        data: { eip: eip.address, boundTo: eip.boundTo, role },
        evidence: [`EIP ${eip.address} bound to ${eip.boundTo ?? 'nothing'}: bandwidth 0 Mbit/s`],
        fix: {
          summary: `Set a bandwidth above 0 on EIP ${eip.address} (console: EIPs → ${eip.address} → modify bandwidth, or join a shared bandwidth package).`,
          commands: [`kubectl get service ${service.meta.name} -n ${service.meta.namespace} -o wide`],
        },
      });
    }
    return hits;
  },
});
