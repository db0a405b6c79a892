import { familyOfText } from '../dataplane/kubeproxy/ip.js';
import { resolveClient } from '../dataplane/network/clients.js';
import { refOf } from '../model/snapshot.js';
import type { IPFamily } from '../model/types.js';
import { defineCheck } from './define.js';

export default defineCheck<{
  service: string;
  clientFamily: IPFamily;
  serviceFamilies: IPFamily[];
  clientAddress: string;
}>({
  id: 'ip-family-mismatch',
  severity: 'error',
  layer: 'service',
  confidence: 0.85,
  title: (d) => `${d.clientFamily} client, but ${d.service} serves only ${d.serviceFamilies.join('/')}`,
  docs: {
    what: 'The client connects over an IP family (IPv4 or IPv6) that the Service does not have: its spec.ipFamilies lists only the other one.',
    why: 'A single-stack Service gets a ClusterIP, and kube-proxy rules, in one family only. An IPv6-only client (or an AAAA lookup) finds no address or no rule for it.',
    confirm:
      'kubectl get svc NAME -o jsonpath="{.spec.ipFamilies} {.spec.clusterIPs}"; compare with the client pod\'s status.podIPs or the address it used.',
    fix: 'Make the Service dual-stack (spec.ipFamilyPolicy: PreferDualStack or RequireDualStack, with both families listed) on a dual-stack cluster, or connect over the family it serves.',
  },
  source: ['kubernetes.io IPv4/IPv6 dual-stack (Services)'],
  run({ snapshot, service, question }) {
    if (!service || service.type === 'ExternalName' || service.ipFamilies.length === 0) return [];
    let address: string | undefined = question.address?.ip;
    if (!address) {
      const r = resolveClient(snapshot, service, question.client);
      if (!r.ok || r.client.kind === 'internet' || r.client.kind === 'vpc') return [];
      address = r.client.ip;
      // A dual-stack pod can use whichever family the Service has.
      const pod = r.client.pod;
      if (
        pod?.podIPs.some((ip) => {
          const f = familyOfText(ip);
          return f !== undefined && service.ipFamilies.includes(f);
        })
      )
        return [];
    }
    const fam = familyOfText(address);
    if (!fam || service.ipFamilies.includes(fam)) return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    return [
      {
        subject: refOf(service),
        data: {
          service: `${ns}/${name}`,
          clientFamily: fam,
          serviceFamilies: service.ipFamilies,
          clientAddress: address,
        },
        evidence: [
          `client address ${address} is ${fam}`,
          `spec.ipFamilies: [${service.ipFamilies.join(', ')}], clusterIPs: [${service.clusterIPs.join(', ')}]`,
        ],
        fix: {
          summary: `Make ${ns}/${name} dual-stack, or connect over ${service.ipFamilies.join('/')}`,
          commands: [
            `kubectl patch service ${name} -n ${ns} --type='merge' -p '{"spec":{"ipFamilyPolicy":"PreferDualStack"}}'`,
          ],
          caveats: ['needs a dual-stack cluster (both families in the Service CIDRs and pod CIDRs)'],
        },
      },
    ];
  },
});
