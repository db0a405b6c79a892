// Fixtures for the cloud and Ingress checks: a healthy baseline world (two nodes, one
// LoadBalancer Service with one pod, a cloud inventory that lets everything through) that each
// test bends with a mutator, in the manner of builders.ts.
import type { Question, Via } from '../../src/model/question.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type {
  CloudInventory,
  Ingress,
  IngressBackend,
  IngressClass,
  KubeEvent,
  Node,
  Pod,
  Service,
} from '../../src/model/types.js';
import { meta, node, pod, question, type SnapshotInput, service, snapshotOf } from './builders.js';

export function lbService(name = 'web', mutate?: (s: Service) => void, namespace = 'default'): Service {
  return service(
    name,
    (s) => {
      s.type = 'LoadBalancer';
      s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30637 }];
      s.loadBalancerIngress = [{ ip: '203.0.113.10' }];
      mutate?.(s);
    },
    namespace,
  );
}

export function event(
  involved: { kind: string; namespace?: string; name: string },
  reason: string,
  message: string,
  type = 'Warning',
  at = '2026-11-22T09:58:00Z',
): KubeEvent {
  return {
    kind: 'Event',
    meta: meta(`${involved.name}.${reason.toLowerCase()}`, involved.namespace ?? 'default'),
    involvedObject: involved,
    reason,
    message,
    type,
    count: 1,
    lastTimestamp: at,
  };
}

export const svcBackend = (name: string, port: number | string): IngressBackend => ({
  service: { name, port: typeof port === 'number' ? { number: port } : { name: port } },
});

export function ingress(name: string, mutate?: (i: Ingress) => void, namespace = 'default'): Ingress {
  const i: Ingress = {
    kind: 'Ingress',
    meta: meta(name, namespace),
    ingressClassName: 'nginx',
    rules: [
      {
        host: 'shop.example.com',
        paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('web', 80) }],
      },
    ],
    tls: [],
    loadBalancerIngress: [{ ip: '203.0.113.20' }],
  };
  mutate?.(i);
  return i;
}

export function ingressClass(
  name: string,
  isDefault = false,
  controller = 'k8s.io/ingress-nginx',
): IngressClass {
  return { kind: 'IngressClass', meta: meta(name, ''), controller, isDefault };
}

/** A cloud inventory under which the baseline world is healthy. */
export function healthyInventory(provider: CloudInventory['provider'] = 'cce'): CloudInventory {
  return {
    provider,
    cluster: { version: 'v1.25.5', networkModel: 'vpc', kubeProxy: { mode: 'iptables' } },
    securityGroups: [
      {
        id: 'sg-nodes',
        attachedTo: ['node/node-1', 'node/node-2'],
        inbound: [
          { protocol: 'tcp', ports: '30000-32767', source: '0.0.0.0/0', action: 'allow' },
          { protocol: 'udp', ports: '30000-32767', source: '0.0.0.0/0', action: 'allow' },
          { protocol: 'icmp', source: '0.0.0.0/0', action: 'allow' },
        ],
      },
      {
        id: 'sg-lb',
        attachedTo: ['lb/elb-1', 'lb/clb-ing'],
        inbound: [{ protocol: 'tcp', ports: '80,443', source: '0.0.0.0/0', action: 'allow' }],
      },
    ],
    loadBalancers: [
      {
        id: 'elb-1',
        kind: 'shared',
        scheme: 'public',
        addresses: ['203.0.113.10'],
        owner: 'service/default/web',
        listeners: [
          {
            protocol: 'TCP',
            port: 80,
            healthCheck: { enabled: true, protocol: 'TCP', port: 30637 },
            backends: [
              { target: 'node/node-1', address: '192.168.0.11', port: 30637, health: 'healthy' },
              { target: 'node/node-2', address: '192.168.0.12', port: 30637, health: 'healthy' },
            ],
          },
        ],
      },
    ],
    natGateways: [],
    eips: [{ address: '203.0.113.10', boundTo: 'lb/elb-1', bandwidthMbps: 10 }],
    routes: [],
  };
}

export interface World {
  services: Service[];
  pods: Pod[];
  nodes: Node[];
  ingresses: Ingress[];
  ingressClasses: IngressClass[];
  events: KubeEvent[];
  cloud?: CloudInventory;
  extra?: Partial<SnapshotInput>;
}

/** The healthy baseline: nodes node-1/node-2, LB Service web (80 → 8080, nodePort 30637), pod web-1 on node-1. */
export function world(mutate?: (w: World) => void, provider: CloudInventory['provider'] = 'cce'): Snapshot {
  const w: World = {
    services: [lbService()],
    pods: [pod('web-1', (p) => (p.meta.labels = { app: 'web' }))],
    nodes: [node('node-1'), node('node-2')],
    ingresses: [],
    ingressClasses: [ingressClass('nginx')],
    events: [],
    cloud: healthyInventory(provider),
  };
  mutate?.(w);
  return snapshotOf({
    services: w.services,
    pods: w.pods,
    nodes: w.nodes,
    ingresses: w.ingresses,
    ingressClasses: w.ingressClasses,
    events: w.events,
    ...(w.cloud ? { cloud: w.cloud } : {}),
    ...w.extra,
  });
}

export function ask(
  via: Via,
  client = 'internet',
  extra: Partial<Omit<Question, 'target' | 'client'>> = {},
): Question {
  return question('web', { client, via, ...extra });
}

/** The first LB of the inventory (the baseline's elb-1), for mutators. */
export function firstLb(w: World) {
  const lb = w.cloud?.loadBalancers?.[0];
  if (!lb) throw new Error('fixture has no load balancer');
  return lb;
}

export function group(w: World, id: string) {
  const g = w.cloud?.securityGroups?.find((x) => x.id === id);
  if (!g) throw new Error(`fixture has no security group ${id}`);
  return g;
}
