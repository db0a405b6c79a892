import { backendsOf } from '../model/endpoints.js';
import { findPort } from '../model/ports.js';
import { refOf } from '../model/snapshot.js';
import type { ServicePort } from '../model/types.js';
import { defineCheck } from './define.js';

export default defineCheck<{
  service: string;
  /** no-cluster-ip: the client targets a virtual IP that does not exist; port-not-mapped: it uses `port` on Pod IPs. */
  reason: 'no-cluster-ip' | 'port-not-mapped';
  usedPort?: number;
  /** The Service port's targetPort, and the numbers it resolves to on the Pods. */
  targetPort?: number | string;
  targetPorts: number[];
  /** Ready Pod addresses DNS returns for the Service name (first few). */
  podIPs: string[];
}>({
  id: 'headless-service-no-vip',
  severity: 'error',
  layer: 'service',
  confidence: 0.85,
  title: (d) =>
    d.reason === 'no-cluster-ip'
      ? `${d.service} is headless (clusterIP: None): there is no ClusterIP to connect to`
      : `${d.service} is headless: clients reach Pod IPs directly, so port ${d.usedPort} is not mapped to ${d.targetPorts.join('/') || d.targetPort}`,
  docs: {
    what: 'The client treats a headless Service (clusterIP: None) as if it had a virtual IP: it connects to a ClusterIP, or to the Service port, expecting kube-proxy to translate it.',
    why: 'A headless Service gets no ClusterIP and no kube-proxy rules. Its DNS name resolves straight to the ready Pod IPs (A/AAAA records, plus SRV records per named port), and the client connects to those addresses itself, so the port/targetPort mapping never happens: the client must use the port the container listens on (the targetPort). Load balancing is whatever the client does with the list of addresses.',
    confirm:
      "kubectl get svc NAME -n NS -o jsonpath='{.spec.clusterIP}' prints None; from a Pod, nslookup NAME.NS.svc.cluster.local returns the Pod IPs; kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME shows them with their port.",
    fix: 'Use the DNS name and the targetPort (or make port equal targetPort in the Service). If a single virtual IP with port mapping is what the client needs, create a second, normal ClusterIP Service with the same selector (clusterIP cannot be changed in place).',
  },
  source: [
    'kubernetes.io Services: "Headless Services" (no cluster IP, no proxying, DNS returns the endpoints)',
    'seed 003 (in-cluster access through the Service DNS name)',
  ],
  run({ snapshot, service, question, mode }) {
    if (!service?.headless || service.type === 'ExternalName' || mode === 'audit') return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const viaInferred = question.inferred.some((i) => i.startsWith('via '));
    const used = question.address?.port ?? question.port;
    const usedPort = typeof used === 'number' ? used : undefined;
    const sp: ServicePort | undefined =
      typeof used === 'string'
        ? service.ports.find((p) => p.name === used)
        : (service.ports.find((p) => p.port === usedPort) ??
          (service.ports.length === 1 ? service.ports[0] : undefined));
    const pods = snapshot.podsForService(service);
    const targetPorts = sp
      ? typeof sp.targetPort === 'number'
        ? [sp.targetPort]
        : [...new Set(pods.map((p) => findPort(p, sp)).filter((n): n is number => n !== undefined))]
      : [];
    let reason: 'no-cluster-ip' | 'port-not-mapped' | undefined;
    if (question.via === 'clusterip' && !viaInferred) reason = 'no-cluster-ip';
    else if (
      (question.via === 'dns' || question.via === 'clusterip') &&
      usedPort !== undefined &&
      sp?.port === usedPort &&
      targetPorts.length > 0 &&
      !targetPorts.includes(usedPort)
    )
      reason = 'port-not-mapped';
    if (!reason) return [];
    const podIPs = backendsOf(snapshot, service)
      .backends.filter((b) => b.ready)
      .map((b) => b.ip)
      .slice(0, 5);
    const dnsName = `${name}.${ns}.svc.${snapshot.data.dns?.clusterDomain ?? 'cluster.local'}`;
    const evidence = [`Service ${ns}/${name} has clusterIP: None`];
    if (reason === 'no-cluster-ip')
      evidence.push(
        'the client was said to connect through a ClusterIP, which a headless Service does not have',
      );
    if (sp)
      evidence.push(
        `Service port ${sp.name ? `${sp.name} ` : ''}${sp.port}/${sp.protocol} → targetPort ${JSON.stringify(sp.targetPort)}${targetPorts.length && typeof sp.targetPort === 'string' ? ` (${targetPorts.join(', ')} on the Pods)` : ''}`,
      );
    if (usedPort !== undefined && reason === 'port-not-mapped')
      evidence.push(`the client used port ${usedPort}; nothing translates it on a Pod IP`);
    evidence.push(`${dnsName} resolves to the ready Pod IPs${podIPs.length ? `: ${podIPs.join(', ')}` : ''}`);
    const port = targetPorts[0] ?? (typeof sp?.targetPort === 'number' ? sp.targetPort : undefined);
    return [
      {
        subject: refOf(service),
        data: {
          service: `${ns}/${name}`,
          reason,
          ...(usedPort !== undefined ? { usedPort } : {}),
          ...(sp ? { targetPort: sp.targetPort } : {}),
          targetPorts,
          podIPs,
        },
        evidence,
        fix: {
          summary: `Connect to ${dnsName}${port !== undefined ? `:${port}` : ''} (the Pod IPs and the targetPort); for a virtual IP with port mapping, add a normal ClusterIP Service with the same selector.`,
          commands: [
            `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o wide`,
            `kubectl run dnscheck -n ${ns} --rm -it --restart=Never --image=busybox:1.36 -- nslookup ${dnsName}`,
            `kubectl expose service ${name} -n ${ns} --name ${name}-vip --port ${sp?.port ?? port ?? 80} --target-port ${sp?.targetPort ?? port ?? 80}`,
          ],
        },
      },
    ];
  },
});
