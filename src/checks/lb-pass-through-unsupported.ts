import { CCE, parseMinorVersion } from '../dataplane/cloud/index.js';
import { clusterVersion, proxyMode } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import type { Service } from '../model/types.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  problem: 'version' | 'ipvs-disagree';
  value: string;
  version?: string;
  others?: { service: string; value: string }[];
}

/** The effective pass-through setting: the annotation, or onlyLocal implied by eTP Local. */
function passThroughOf(svc: Service): string {
  const v = svc.meta.annotations[CCE.passThrough];
  if (v !== undefined) return v.trim();
  return svc.externalTrafficPolicy === 'Local' ? 'onlyLocal' : 'false';
}

/** The LB a Service is attached to: the elb.id annotation, else its first ingress address. */
function lbKey(svc: Service): string | undefined {
  const id = svc.meta.annotations[CCE.id];
  if (id) return `id:${id}`;
  const ip = svc.loadBalancerIngress.find((i) => i.ip)?.ip;
  return ip ? `ip:${ip}` : undefined;
}

export default defineCheck<Data>({
  id: 'lb-pass-through-unsupported',
  severity: 'warning',
  layer: 'cloud',
  confidence: 0.7,
  title: (d) =>
    d.problem === 'version'
      ? `kubernetes.io/elb.pass-through is ignored on cluster version ${d.version}`
      : 'Services on the same load balancer disagree on kubernetes.io/elb.pass-through (IPVS mode)',
  docs: {
    what: 'A CCE Service asks for ELB pass-through (kubernetes.io/elb.pass-through) where it cannot take effect: on clusters of v1.15 or earlier, or in IPVS mode when other Services on the same load balancer set it differently.',
    why: 'Pass-through makes in-cluster clients of the ELB address go out to the ELB instead of being short-circuited by kube-proxy (which is what breaks externalTrafficPolicy Local access from inside the cluster, seed 001/004). Ignored, the Service behaves as if the annotation were absent; in IPVS mode the ELB address is bound once per node, so Services sharing an ELB must agree or some of them get the wrong behaviour.',
    confirm:
      'kubectl version (server v1.15 or earlier), or kubectl get svc -A -o custom-columns=NAME:.metadata.name,ELB:.metadata.annotations.kubernetes\\.io/elb\\.id,PT:.metadata.annotations.kubernetes\\.io/elb\\.pass-through for Services on the same ELB.',
    fix: 'Upgrade the cluster past v1.15 to use pass-through, or reach the Service by its ClusterIP/DNS name from inside the cluster; in IPVS mode give every Service on the ELB the same pass-through value.',
  },
  source: [
    'seed 001/004 (pass-through notes: not supported on v1.15 or earlier; IPVS: Services on one LB must agree; onlyLocal with eTP Local)',
  ],
  run({ snapshot, service }) {
    if (service?.type !== 'LoadBalancer') return [];
    const inv = snapshot.data.cloud;
    const annotation = service.meta.annotations[CCE.passThrough];
    if (inv && inv.provider !== 'cce') return [];
    if (!inv && annotation === undefined) return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const hits = [];
    const version = clusterVersion(snapshot, inv);
    const v = parseMinorVersion(version);
    const wants = annotation !== undefined && ['true', 'onlylocal'].includes(annotation.trim().toLowerCase());
    if (wants && v && v.major === 1 && v.minor <= 15) {
      hits.push({
        subject: refOf(service),
        data: { problem: 'version' as const, value: annotation as string, version: version as string },
        evidence: [
          `${ns}/${name}: ${CCE.passThrough}: "${annotation}"`,
          `cluster version ${version}: pass-through needs v1.16 or later`,
        ],
        fix: {
          summary:
            'Upgrade the cluster beyond v1.15 (CCE console → cluster → upgrade) for pass-through to work; until then reach the Service from inside the cluster by its ClusterIP or DNS name.',
          commands: [`kubectl annotate service ${name} -n ${ns} ${CCE.passThrough}-`],
          caveats: [
            'removing the annotation only documents that it has no effect; behaviour does not change',
          ],
        },
      });
    }
    if (proxyMode(snapshot, inv) === 'ipvs') {
      const key = lbKey(service);
      const mine = passThroughOf(service);
      if (key) {
        const others = snapshot.services
          .filter((s) => s !== service && s.type === 'LoadBalancer' && lbKey(s) === key)
          .map((s) => ({ service: `${s.meta.namespace}/${s.meta.name}`, value: passThroughOf(s) }))
          .filter((o) => o.value.toLowerCase() !== mine.toLowerCase());
        if (others.length > 0) {
          hits.push({
            subject: refOf(service),
            data: { problem: 'ipvs-disagree' as const, value: mine, others },
            evidence: [
              `${ns}/${name}: pass-through ${mine}`,
              ...others.map((o) => `${o.service} on the same load balancer: pass-through ${o.value}`),
              'kube-proxy runs in IPVS mode',
            ],
            fix: {
              summary:
                'Set the same kubernetes.io/elb.pass-through value on every Service attached to this load balancer.',
              commands: others.map((o) => {
                const [ons, oname] = o.service.split('/');
                return `kubectl annotate service ${oname} -n ${ons} ${CCE.passThrough}=${mine} --overwrite`;
              }),
            },
          });
        }
      }
    }
    return hits;
  },
});
