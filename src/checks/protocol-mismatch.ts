import { refOf } from '../model/snapshot.js';
import type { Pod, Protocol, ServicePort } from '../model/types.js';
import type { CheckHit } from './define.js';
import { defineCheck } from './define.js';
import { declaredPorts, portsAsked } from './target-port-mismatch.js';

interface Data extends Record<string, unknown> {
  service: string;
  between: 'client-service' | 'service-container';
  port: number;
  portName: string;
  serviceProtocol: Protocol;
  clientProtocol?: Protocol;
  containerProtocol?: Protocol;
  /** Pods whose container port has the targetPort under another protocol. */
  pods?: string[];
}

/** The protocol a Pod declares the Service port's target under, when it is not the Service's. */
function otherProtocol(pod: Pod, sp: ServicePort): Protocol | undefined {
  const ports = declaredPorts(pod);
  const tp = sp.targetPort;
  const same = ports.filter((p) => (typeof tp === 'string' ? p.name === tp : p.containerPort === tp));
  if (same.length === 0 || same.some((p) => p.protocol === sp.protocol)) return undefined;
  return same[0]?.protocol;
}

export default defineCheck<Data>({
  id: 'protocol-mismatch',
  severity: 'error',
  layer: 'service',
  confidence: 0.8,
  title: (d) =>
    d.between === 'client-service'
      ? `The client speaks ${d.clientProtocol} but ${d.service} port ${d.port} is ${d.serviceProtocol}`
      : `${d.service} port ${d.port} is ${d.serviceProtocol} but the Pods expose its targetPort as ${d.containerProtocol}`,
  docs: {
    what: 'The transport protocol (TCP, UDP or SCTP) differs between the client, the Service port and the container port.',
    why: 'kube-proxy programs rules per protocol: a UDP packet to a Service port declared TCP matches no rule and is dropped or rejected, and a TCP connect to a UDP-only port (a DNS Service exposing only 53/UDP, a syslog Service) never completes. A named targetPort is resolved only among container ports of the same protocol, so a name declared under another protocol yields no endpoint; a numeric targetPort declared under another protocol usually means the Service was written for the wrong transport.',
    confirm:
      "kubectl get svc NAME -n NS -o jsonpath='{.spec.ports}' shows the protocol of each port; kubectl get pods -n NS -l SELECTOR -o jsonpath='{..ports}' shows the containers' protocols; the client's tool decides its side (curl and nc are TCP, nc -u and dig are UDP).",
    fix: 'Declare the Service port with the protocol the application speaks (a Service may expose the same port number for both TCP and UDP as two entries), make the container port protocol agree, or use a client of the right transport.',
  },
  source: [
    'seed 000 check item 3 (for UDP access, ICMP must be allowed: UDP paths differ from TCP)',
    'upstream pkg/api/v1/pod FindPort: named ports match only the same protocol',
  ],
  run({ snapshot, service, question }) {
    if (!service || service.type === 'ExternalName') return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const hits: CheckHit<Data>[] = [];
    const asked = portsAsked(service, question);
    const client = question.protocol;
    const base = { service: `${ns}/${name}` };
    const patchCmd = (index: number, protocol: Protocol) =>
      `kubectl patch service ${name} -n ${ns} --type=json -p '${JSON.stringify([{ op: 'replace', path: `/spec/ports/${index}/protocol`, value: protocol }])}'`;

    if (client && asked.length > 0 && !asked.some((sp) => sp.protocol === client)) {
      const sp = asked[0] as ServicePort;
      hits.push({
        subject: refOf(service),
        data: {
          ...base,
          between: 'client-service',
          port: sp.port,
          portName: sp.name,
          serviceProtocol: sp.protocol,
          clientProtocol: client,
        },
        evidence: [
          `the client uses ${client}`,
          ...asked.map((p) => `Service port ${p.name ? `${p.name} ` : ''}${p.port} is ${p.protocol} only`),
        ],
        fix: {
          summary: `Use a ${sp.protocol} client, or add a ${client} entry for port ${sp.port} to the Service if the application serves ${client} too.`,
          commands: [
            `kubectl patch service ${name} -n ${ns} --type=json -p '${JSON.stringify([{ op: 'add', path: '/spec/ports/-', value: { name: `${sp.name || 'port'}-${client.toLowerCase()}`, port: sp.port, protocol: client, targetPort: sp.targetPort } }])}'`,
          ],
        },
      });
    }

    if (!service.selector || !snapshot.has('Pod')) return hits;
    const pods = snapshot
      .podsForService(service)
      .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed')
      .sort((a, b) => a.meta.name.localeCompare(b.meta.name));
    for (const sp of asked) {
      if (client && sp.protocol !== client && asked.some((o) => o.protocol === client)) continue;
      const off = pods.flatMap((p) => {
        const other = otherProtocol(p, sp);
        return other ? [{ pod: p.meta.name, other }] : [];
      });
      const first = off[0];
      if (!first) continue;
      const named = typeof sp.targetPort === 'string';
      hits.push({
        subject: refOf(service),
        // A name under another protocol resolves to nothing (no endpoint); a number is still forwarded.
        severity: named ? 'error' : 'warning',
        ...(named ? {} : { confidence: 0.6 }),
        data: {
          ...base,
          between: 'service-container',
          port: sp.port,
          portName: sp.name,
          serviceProtocol: sp.protocol,
          containerProtocol: first.other,
          pods: off.map((o) => o.pod),
        },
        evidence: [
          `Service port ${sp.name ? `${sp.name} ` : ''}${sp.port}/${sp.protocol} → targetPort ${JSON.stringify(sp.targetPort)}`,
          ...off.slice(0, 5).map((o) => `pod ${o.pod} declares it as ${o.other}`),
        ],
        fix: {
          summary: `Make the Service port protocol match the container (${first.other}), or fix the container port's protocol in the Pod template.`,
          commands: [patchCmd(service.ports.indexOf(sp), first.other)],
        },
      });
    }
    return hits;
  },
});
