import { lbAddressIsPublic } from '../dataplane/network/model.js';
import { didYouMean } from '../model/didyoumean.js';
import { findPort } from '../model/ports.js';
import { formatClient, isInClusterClient, type Question, type Via } from '../model/question.js';
import { refOf, type Snapshot } from '../model/snapshot.js';
import type { Service, ServicePort } from '../model/types.js';
import { defineCheck } from './define.js';

type PortRole = 'port' | 'nodePort' | 'targetPort';

/**
 * The access path the address itself implies. The generic inference in diagnose cannot know
 * that an address is a node's (seed 000's NodeIP:123 would pass for a load balancer), so the
 * address decides here when it names a known object.
 */
export function pathOfAddress(snapshot: Snapshot, service: Service, question: Question): Via | undefined {
  const ip = question.address?.ip;
  if (!ip) return undefined;
  if (service.clusterIPs.includes(ip)) return 'clusterip';
  if (service.externalIPs.includes(ip)) return 'externalip';
  if (service.loadBalancerIngress.some((i) => i.ip === ip)) return 'loadbalancer';
  if (snapshot.nodeByAddress(ip)) return 'nodeport';
  if (snapshot.podsByAddress(ip).length > 0) return 'pod';
  return undefined;
}

/** Listener ports of the cloud load balancers that belong to this Service (they may differ from `port`). */
function listenerPorts(snapshot: Snapshot, service: Service): number[] {
  const owner = `service/${service.meta.namespace}/${service.meta.name}`;
  return (snapshot.data.cloud?.loadBalancers ?? [])
    .filter((lb) => lb.owner === owner)
    .flatMap((lb) => lb.listeners.map((l) => l.port));
}

/** What a Service port answers to on a path: the number a client must use there. */
function numbersOn(snapshot: Snapshot, service: Service, sp: ServicePort, via: Via): number[] {
  switch (via) {
    case 'nodeport':
      return sp.nodePort ? [sp.nodePort] : [];
    case 'pod': {
      if (typeof sp.targetPort === 'number') return [sp.targetPort];
      const found = snapshot.podsForService(service).map((p) => findPort(p, sp));
      return [...new Set(found.filter((n): n is number => n !== undefined))];
    }
    default:
      return [sp.port];
  }
}

type Exposure =
  | 'cluster-internal'
  | 'not-load-balancer'
  | 'no-node-port'
  | 'no-external-ip'
  | 'internal-load-balancer';

/**
 * A path the Service does not offer at all, whatever the port: an outside client at the ClusterIP
 * (or its DNS name, which resolves only in the cluster), the load balancer of a Service of
 * another type, the node port of a Service without node ports. An exact address decides below.
 */
function missingPath(snapshot: Snapshot, service: Service, question: Question): Exposure | undefined {
  const via = question.via;
  // An internal LB (private addresses only) is no path from the internet.
  if (via === 'loadbalancer' && question.client.kind === 'internet' && service.type === 'LoadBalancer') {
    const addrs = question.address
      ? [question.address.ip]
      : service.loadBalancerIngress.map((i) => i.ip ?? i.hostname).filter((a): a is string => !!a);
    if (addrs.length > 0 && !addrs.some((a) => lbAddressIsPublic(snapshot, service, a)))
      return 'internal-load-balancer';
  }
  if (question.address) return undefined;
  if ((via === 'clusterip' || via === 'dns') && !isInClusterClient(question.client))
    return 'cluster-internal';
  if (via === 'externalip' && service.externalIPs.length === 0) return 'no-external-ip';
  if (via === 'loadbalancer' && service.type !== 'LoadBalancer') return 'not-load-balancer';
  if (via === 'nodeport' && question.port === undefined && !service.ports.some((sp) => sp.nodePort))
    return 'no-node-port';
  return undefined;
}

/** Which role a number plays on a Service port other than the one the path expects. */
function roleOf(sp: ServicePort, n: number, snapshot: Snapshot, service: Service): PortRole | undefined {
  if (sp.port === n) return 'port';
  if (sp.nodePort === n) return 'nodePort';
  if (sp.targetPort === n) return 'targetPort';
  if (typeof sp.targetPort === 'string' && numbersOn(snapshot, service, sp, 'pod').includes(n))
    return 'targetPort';
  return undefined;
}

const roleName = (r: PortRole) => (r === 'port' ? 'Service port' : r);

const ROLE_FOR_VIA: Record<string, PortRole> = {
  clusterip: 'port',
  dns: 'port',
  loadbalancer: 'port',
  externalip: 'port',
  nodeport: 'nodePort',
  pod: 'targetPort',
};

export default defineCheck<{
  service: string;
  via: Via;
  used: number | string;
  /** The role the used number plays on some Service port, if any. */
  usedAs: PortRole | null;
  /** The Service port the number belongs to, e.g. "http 123/TCP". */
  servicePort: string | null;
  /** The number to use on this path (for the same Service port when known). */
  use: number | null;
  /** Every number that works on this path. */
  valid: number[];
  /** Set when the Service offers no such path at all (type, or an outside client at the ClusterIP). */
  exposure?: Exposure;
  serviceType?: Service['type'];
}>({
  id: 'service-port-mismatch',
  severity: 'error',
  layer: 'service',
  confidence: 0.85,
  title: (d) =>
    d.exposure === 'cluster-internal'
      ? `The ClusterIP of ${d.service} answers only inside the cluster: ${d.via} is no path for an outside client`
      : d.exposure
        ? d.exposure === 'internal-load-balancer'
          ? `The load balancer of ${d.service} is internal: its private address is no path from the internet`
          : d.exposure === 'no-external-ip'
            ? `${d.service} has no spec.externalIPs: there is no external IP to use`
            : `${d.service} is of type ${d.serviceType}: it has no ${d.exposure === 'no-node-port' ? 'node port' : 'load balancer'}`
        : d.usedAs
          ? `Port ${d.used} is the ${roleName(d.usedAs)} of ${d.service}${d.use !== null ? `; via ${d.via} use ${d.use}` : `, and via ${d.via} it has none`}`
          : `${d.service} does not expose port ${d.used} via ${d.via}${d.valid.length ? ` (it exposes ${d.valid.join(', ')})` : ''}`,
  docs: {
    what: 'The client connects to a port the Service does not expose on the path it uses: the port, nodePort and targetPort of a Service port are three different numbers, each valid in one place.',
    why: "The ClusterIP, external IPs and the load balancer listen on `port`; every node listens on `nodePort` (30000-32767 by default); only the Pod itself listens on `targetPort`. In seed 000's example (port 123, nodePort 30637, targetPort 80) NodeIP:30637 and ClusterIP:123 work, while NodeIP:123, ClusterIP:30637 and ClusterIP:80 match no kube-proxy rule and are refused or time out.",
    confirm:
      "kubectl get svc NAME -n NS -o jsonpath='{range .spec.ports[*]}{.name} port={.port} nodePort={.nodePort} targetPort={.targetPort}{\"\\n\"}{end}' and compare with the port in the client's URL.",
    fix: 'Use the number that belongs to the path: port on ClusterIP/DNS/load balancer, nodePort on a node address, targetPort only when talking to a Pod IP. If the client cannot change, add a Service port with the number it uses (kubectl patch svc NAME --type=json ...).',
  },
  source: [
    'seed 000 check item 2 (nodePort 30637 / targetPort 80 / port 123)',
    'seed 003 (check whether the spec.ports field of the Service is correct)',
  ],
  run({ snapshot, service, question, unknown }) {
    if (!service || service.type === 'ExternalName') return [];
    const exposure = missingPath(snapshot, service, question);
    // On a guessed path (the webhook's default client, --client without --via) the question may
    // be ill-posed rather than the cause: a warning, ranked after the errors it does not explain.
    if (exposure) {
      const guessed = question.inferred.some((i) => i.startsWith('via '));
      return [
        { ...exposureHit(service, question, exposure), ...(guessed ? { severity: 'warning' as const } : {}) },
      ];
    }
    if (service.headless) return [];
    const used = question.address?.port ?? question.port;
    if (used === undefined) return [];
    const byAddress = pathOfAddress(snapshot, service, question);
    const viaGuessed = question.inferred.some((i) => i.startsWith('via '));
    // An outside client at an address that is no Service, node or Pod address (a NAT EIP, an
    // LB the bundle does not show) on a guessed path: its port belongs to something we cannot
    // see, so there is nothing to compare it with. In-cluster clients only use port.
    if (!byAddress && viaGuessed && !isInClusterClient(question.client)) return [];
    const via = byAddress ?? question.via;
    if (!via || !(via in ROLE_FOR_VIA)) return [];
    if (
      via === 'pod' &&
      !snapshot.has('Pod') &&
      service.ports.some((sp) => typeof sp.targetPort === 'string')
    ) {
      unknown(
        `Pods not collected: the named targetPort of ${service.meta.namespace}/${service.meta.name} cannot be resolved`,
        `kubectl get pods -n ${service.meta.namespace} -o yaml`,
      );
      return [];
    }
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const label = (sp: ServicePort) => `${sp.name ? `${sp.name} ` : ''}${sp.port}/${sp.protocol}`;
    const valid = [
      ...new Set([
        ...service.ports.flatMap((sp) => numbersOn(snapshot, service, sp, via)),
        ...(via === 'loadbalancer' ? listenerPorts(snapshot, service) : []),
      ]),
    ];

    let usedAs: PortRole | null = null;
    let owner: ServicePort | undefined;
    if (typeof used === 'string') {
      if (service.ports.some((sp) => sp.name === used)) return [];
      owner = undefined;
    } else {
      if (valid.includes(used)) return [];
      for (const sp of service.ports) {
        const role = roleOf(sp, used, snapshot, service);
        if (role) {
          usedAs = role;
          owner = sp;
          break;
        }
      }
    }
    const target = owner ?? (service.ports.length === 1 ? service.ports[0] : undefined);
    const use = target ? (numbersOn(snapshot, service, target, via)[0] ?? null) : null;
    const nameHint =
      typeof used === 'string'
        ? didYouMean(used, service.ports.map((sp) => sp.name).filter(Boolean))
        : undefined;

    const evidence = [
      `the client used ${typeof used === 'string' ? `port name "${used}"` : `port ${used}`} via ${via}${question.address ? ` (address ${question.address.ip}:${question.address.port})` : ''}`,
      ...service.ports.map(
        (sp) =>
          `Service port ${label(sp)}: port ${sp.port}, nodePort ${sp.nodePort ?? 'none'}, targetPort ${JSON.stringify(sp.targetPort)}`,
      ),
    ];
    if (usedAs)
      evidence.push(
        `${used} is the ${roleName(usedAs)} of spec.ports[${service.ports.indexOf(owner as ServicePort)}] (${label(owner as ServicePort)}); it does not answer via ${via}`,
      );
    if (nameHint) evidence.push(`did you mean port name "${nameHint}"?`);

    const commands = [
      `kubectl get service ${name} -n ${ns} -o jsonpath='{range .spec.ports[*]}{.name} port={.port} nodePort={.nodePort} targetPort={.targetPort}{"\\n"}{end}'`,
    ];
    let summary: string;
    if (use !== null) {
      const host =
        question.address?.ip ??
        (via === 'nodeport' ? 'NODE_IP' : via === 'pod' ? 'POD_IP' : service.clusterIP || 'CLUSTER_IP');
      summary = `Use port ${use} via ${via}${usedAs ? ` (${used} is the ${roleName(usedAs)})` : ''}: connect to ${host}:${use}.`;
      if (question.address)
        commands.push(
          `svcdoctor diagnose ${name} -n ${ns} --client ${formatClient(question.client)} --address ${question.address.ip}:${use}`,
        );
      else
        commands.push(
          `svcdoctor diagnose ${name} -n ${ns} --client ${formatClient(question.client)} --via ${via} --port ${use}`,
        );
    } else if (via === 'nodeport') {
      summary = `Service ${name} has no node port (type ${service.type}): reach it via its ClusterIP from inside the cluster, or make it a NodePort Service.`;
      commands.push(`kubectl patch service ${name} -n ${ns} -p '{"spec":{"type":"NodePort"}}'`);
    } else {
      summary = `Service ${name} exposes ${valid.join(', ') || 'no port'} via ${via}; use one of those, or add a Service port for ${used}.`;
      if (typeof used === 'number' && target)
        commands.push(
          `kubectl patch service ${name} -n ${ns} --type=json -p '${JSON.stringify([{ op: 'add', path: '/spec/ports/-', value: { name: `port-${used}`, port: used, protocol: target.protocol, targetPort: target.targetPort } }])}'`,
        );
    }
    return [
      {
        subject: refOf(service),
        data: {
          service: `${ns}/${name}`,
          via,
          used,
          usedAs,
          servicePort: owner ? label(owner) : null,
          use,
          valid,
        },
        evidence,
        fix: { summary, commands },
      },
    ];
  },
});

function exposureHit(service: Service, question: Question, exposure: Exposure) {
  const ns = service.meta.namespace;
  const name = service.meta.name;
  const via = question.via as Via;
  const first = service.ports[0];
  const nodePort = service.ports.find((sp) => sp.nodePort)?.nodePort;
  const lb = service.loadBalancerIngress[0];
  const lbAddr = lb?.ip ?? lb?.hostname;
  const evidence = [
    `Service ${ns}/${name} is of type ${service.type}; the client is ${formatClient(question.client)}, via ${via}`,
  ];
  const commands: string[] = [];
  let summary: string;
  if (exposure === 'cluster-internal') {
    evidence.push(
      `ClusterIP ${service.clusterIP || '(none)'} and ${name}.${ns}.svc are routed and resolved only inside the cluster`,
    );
    if (service.externalIPs.length > 0)
      summary = `From outside, use an external IP of the Service: ${service.externalIPs[0]}${first ? `:${first.port}` : ''}.`;
    else if (service.type === 'NodePort' && nodePort)
      summary = `From outside, use a node address and the node port: NODE_IP:${nodePort}.`;
    else if (service.type === 'LoadBalancer')
      summary = lbAddr
        ? `From outside, use the load balancer address ${lbAddr}${first ? `:${first.port}` : ''}.`
        : 'From outside, use the load balancer address once it is provisioned (or a node port meanwhile).';
    else {
      summary =
        'Expose the Service to outside clients: type NodePort or LoadBalancer, or an Ingress; for a quick test, kubectl port-forward.';
      commands.push(`kubectl patch service ${name} -n ${ns} -p '{"spec":{"type":"NodePort"}}'`);
    }
    if (first) commands.push(`kubectl port-forward -n ${ns} service/${name} ${first.port}:${first.port}`);
  } else if (exposure === 'not-load-balancer') {
    evidence.push('only Services of type LoadBalancer get a load balancer (status.loadBalancer stays empty)');
    summary = `Make ${name} a LoadBalancer Service, or route to it through an Ingress.`;
    commands.push(`kubectl patch service ${name} -n ${ns} -p '{"spec":{"type":"LoadBalancer"}}'`);
  } else if (exposure === 'internal-load-balancer') {
    evidence.push(
      `status.loadBalancer.ingress: ${service.loadBalancerIngress.map((i) => i.ip ?? i.hostname).join(', ')} — private (an internal load balancer), routed only inside the VPC`,
    );
    summary = `Reach ${name} from inside the VPC, or ask the cloud for a public (internet-facing) load balancer through the provider's scheme annotation.`;
    commands.push(`kubectl get service ${name} -n ${ns} -o jsonpath='{.metadata.annotations}'`);
  } else if (exposure === 'no-external-ip') {
    evidence.push('spec.externalIPs is empty: kube-proxy captures no external address for this Service');
    summary = `Use the path ${name} offers (${service.type === 'LoadBalancer' ? 'its load balancer' : service.type === 'NodePort' ? 'a node port' : 'its ClusterIP, from inside the cluster'}), or list the external address in spec.externalIPs.`;
    commands.push(`kubectl get service ${name} -n ${ns} -o wide`);
  } else {
    evidence.push('no spec.ports[].nodePort: nothing listens on the nodes for this Service');
    summary = `Make ${name} a NodePort (or LoadBalancer) Service to give it node ports.`;
    commands.push(`kubectl patch service ${name} -n ${ns} -p '{"spec":{"type":"NodePort"}}'`);
  }
  return {
    subject: refOf(service),
    data: {
      service: `${ns}/${name}`,
      via,
      used: question.port ?? '',
      usedAs: null,
      servicePort: null,
      use: null,
      valid: [],
      exposure,
      serviceType: service.type,
    },
    evidence,
    fix: { summary, commands },
  };
}
