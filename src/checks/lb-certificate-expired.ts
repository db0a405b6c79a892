import {
  certificateState,
  loadBalancersForIngress,
  loadBalancersForService,
} from '../dataplane/cloud/index.js';
import { ingressesRoutingTo } from '../dataplane/ingress/index.js';
import { refOf } from '../model/snapshot.js';
import type { LoadBalancer } from '../model/types.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  lb: string;
  listener: string;
  state: 'expired' | 'not-yet-valid';
  certificate?: string;
  notBefore?: string;
  notAfter?: string;
  at: string;
  via: string;
}

export default defineCheck<Data>({
  id: 'lb-certificate-expired',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.9,
  title: (d) =>
    `Certificate${d.certificate ? ` ${d.certificate}` : ''} on ${d.lb} ${d.listener} is ${d.state === 'expired' ? `expired (since ${d.notAfter})` : `not yet valid (from ${d.notBefore})`}`,
  docs: {
    what: 'An HTTPS/TLS listener of the load balancer in front of the Service (its own LB, or the LB of an Ingress that routes to it) presents a certificate that has expired, or is not valid yet, at the time of the failure.',
    why: 'Clients refuse the TLS handshake (curl: SSL certificate problem: certificate has expired; browsers: NET::ERR_CERT_DATE_INVALID) before any request reaches the cluster, so the Service looks down from outside while everything behind the LB is healthy (seed 000 check item 3, layer-7 load balancing).',
    confirm:
      "openssl s_client -connect ADDRESS:443 -servername HOST </dev/null | openssl x509 -noout -dates; or the certificate's validity in the cloud console (ELB → certificates).",
    fix: 'Upload a renewed certificate in the cloud certificate manager and bind it to the listener (or update the TLS Secret the Ingress controller syncs to the LB).',
  },
  source: ['seed 000 check item 3 (certificate of layer-7 load balancing expired)'],
  run({ snapshot, service, question, mode, now }) {
    if (!service) return [];
    const inv = snapshot.data.cloud;
    if (!inv?.loadBalancers) return [];
    const lbs: { lb: LoadBalancer; via: string; secret?: string; ingress?: string }[] = [];
    if (mode === 'audit' || question.via === 'loadbalancer')
      for (const lb of loadBalancersForService(inv, service))
        lbs.push({ lb, via: `service/${service.meta.name}` });
    if (mode === 'audit' || question.via === 'ingress')
      for (const ing of ingressesRoutingTo(snapshot, service))
        for (const lb of loadBalancersForIngress(inv, ing))
          lbs.push({
            lb,
            via: `ingress/${ing.meta.name}`,
            ingress: ing.meta.name,
            ...(ing.tls[0]?.secretName ? { secret: ing.tls[0].secretName } : {}),
          });
    const hits = [];
    const seen = new Set<string>();
    for (const { lb, via, secret } of lbs) {
      for (const l of lb.listeners) {
        if (l.protocol !== 'HTTPS' && l.protocol !== 'TLS') continue;
        if (
          question.port !== undefined &&
          typeof question.port === 'number' &&
          question.port !== l.port &&
          mode === 'diagnose'
        )
          continue;
        const key = `${lb.id}/${l.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const st = certificateState(l.certificate, now);
        if (st.state !== 'expired' && st.state !== 'not-yet-valid') continue;
        const commands = [
          `openssl s_client -connect ${lb.addresses[0] ?? 'LB_ADDRESS'}:${l.port} </dev/null 2>/dev/null | openssl x509 -noout -dates`,
        ];
        if (secret)
          commands.push(
            `kubectl create secret tls ${secret} -n ${service.meta.namespace} --cert=renewed.crt --key=renewed.key --dry-run=client -o yaml | kubectl apply -f -`,
          );
        // A TLS error seen against this LB is exactly this symptom.
        const tlsSeen = snapshot.data.observations.find(
          (o) => o.result === 'tls-error' && lb.addresses.some((a) => o.to.includes(a)),
        );
        hits.push({
          subject: refOf(service),
          ...(tlsSeen ? { confidence: 0.97 } : {}),
          data: {
            lb: lb.id,
            listener: `${l.protocol}/${l.port}`,
            state: st.state,
            ...(l.certificate?.id ? { certificate: l.certificate.id } : {}),
            ...(st.notBefore ? { notBefore: st.notBefore } : {}),
            ...(st.notAfter ? { notAfter: st.notAfter } : {}),
            at: now.toISOString(),
            via,
          },
          evidence: [
            ...(tlsSeen ? [`observed: ${tlsSeen.detail ?? tlsSeen.result} (${tlsSeen.to})`] : []),
            `${lb.id} ${l.protocol}/${l.port} certificate ${l.certificate?.id ?? ''} valid ${st.notBefore ?? '?'} … ${st.notAfter ?? '?'}; judged at ${now.toISOString()}`,
          ],
          fix: {
            summary: `Renew the certificate${l.certificate?.id ? ` ${l.certificate.id}` : ''} and bind the new one to ${lb.id} ${l.protocol}/${l.port} (cloud console: certificate manager → replace, then listener → certificate)${secret ? `, or update the TLS Secret ${secret}` : ''}.`,
            commands,
          },
        });
      }
    }
    return hits;
  },
});
