// The cluster of seeds 001/004 ("Why a Service fails to be accessed from within the cluster"):
// three CCE nodes, one backend pod on node-1, a Service with externalTrafficPolicy Local,
// in any of the four columns of the seed table (tunnel/VPC network x IPVS/iptables).

import type { Snapshot } from '../../src/model/snapshot.js';
import type {
  CloudInventory,
  NetworkModel,
  ProxyMode,
  Service,
  SnapshotData,
} from '../../src/model/types.js';
import { meta, node, pod, service, snapshotOf } from './builders.js';

export type SeedServiceKind = 'nodeport' | 'shared-lb' | 'dedicated-lb' | 'nginx-ingress';

export interface SeedClusterOptions {
  network: NetworkModel;
  mode: ProxyMode;
  /** Cluster and kube-proxy version: seed 004 describes older clusters than seed 001. */
  version: string;
  kind: SeedServiceKind;
  provider?: CloudInventory['provider'];
  mutateService?: (s: Service) => void;
  mutateData?: (d: Partial<SnapshotData>) => void;
}

export const NODE_IP = {
  'node-1': '192.168.0.11',
  'node-2': '192.168.0.12',
  'node-3': '192.168.0.13',
} as const;
export const NODE_EIP = {
  'node-1': '121.36.10.11',
  'node-2': '121.36.10.12',
  'node-3': '121.36.10.13',
} as const;
export const LB_PRIVATE = '192.168.0.133';
export const INGRESS_LB = '192.168.0.140';

export function seedCluster(o: SeedClusterOptions): Snapshot {
  const nodes = (['node-1', 'node-2', 'node-3'] as const).map((name) =>
    node(name, (n) => {
      n.kubeletVersion = o.version;
    }),
  );
  const lbKind = o.kind === 'shared-lb' ? 'shared' : 'dedicated';
  const isLb = o.kind === 'shared-lb' || o.kind === 'dedicated-lb';
  const backendName = o.kind === 'nginx-ingress' ? 'web' : 'nginx';
  const svc = service(backendName, (s) => {
    s.clusterIP = '10.247.76.156';
    s.clusterIPs = ['10.247.76.156'];
    s.ports = [
      {
        name: 'service0',
        protocol: 'TCP',
        port: 80,
        targetPort: 80,
        ...(o.kind === 'nginx-ingress' ? {} : { nodePort: 30000 }),
      },
    ];
    if (o.kind === 'nginx-ingress') return;
    s.type = isLb ? 'LoadBalancer' : 'NodePort';
    s.externalTrafficPolicy = 'Local';
    if (isLb) {
      s.healthCheckNodePort = 32000;
      s.loadBalancerIngress = [{ ip: LB_PRIVATE }];
      s.meta.annotations['kubernetes.io/elb.class'] = lbKind === 'shared' ? 'union' : 'performance';
    }
    o.mutateService?.(s);
  });
  const backend = pod(`${backendName}-7d9c4`, (p) => {
    p.meta.labels = { app: backendName };
    p.nodeName = 'node-1';
    p.podIP = '10.244.1.10';
    p.podIPs = ['10.244.1.10'];
    p.hostIP = NODE_IP['node-1'];
    p.containers[0]!.ports = [{ containerPort: 80, protocol: 'TCP' }];
  });
  const services: Service[] = [svc];
  const coredns = pod(
    'coredns-6d4b75cb6d-x2k9p',
    (p) => {
      p.meta.labels = { 'k8s-app': 'kube-dns' };
      p.nodeName = 'node-3';
      p.podIP = '10.244.3.5';
      p.podIPs = ['10.244.3.5'];
    },
    'kube-system',
  );
  const pods = [backend, coredns];
  const data: Partial<SnapshotData> = {};
  const listeners = (nodePort: number) => [
    {
      protocol: 'TCP' as const,
      port: 80,
      healthCheck: { enabled: true, protocol: 'TCP' },
      backends: nodes.map((n) => ({
        target: `node/${n.meta.name}`,
        address: n.internalIPs[0] as string,
        port: nodePort,
      })),
    },
  ];
  const loadBalancers: NonNullable<CloudInventory['loadBalancers']> = [];
  if (isLb)
    loadBalancers.push({
      id: 'elb-1',
      kind: lbKind,
      scheme: 'private',
      addresses: [LB_PRIVATE],
      owner: 'service/default/nginx',
      listeners: listeners(30000),
    });
  if (o.kind === 'nginx-ingress') {
    const ctrl = service(
      'cceaddon-nginx-ingress-controller',
      (s) => {
        s.type = 'LoadBalancer';
        s.selector = { app: 'nginx-ingress' };
        s.clusterIP = '10.247.10.10';
        s.clusterIPs = ['10.247.10.10'];
        s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 31080 }];
        s.externalTrafficPolicy = 'Local';
        s.healthCheckNodePort = 32001;
        s.loadBalancerIngress = [{ ip: INGRESS_LB }];
        s.meta.annotations['kubernetes.io/elb.class'] = 'performance';
      },
      'kube-system',
    );
    services.push(ctrl);
    pods.push(
      pod(
        'cceaddon-nginx-ingress-controller-5b8f9',
        (p) => {
          p.meta.labels = { app: 'nginx-ingress' };
          p.nodeName = 'node-1';
          p.podIP = '10.244.1.20';
          p.podIPs = ['10.244.1.20'];
          p.containers[0]!.ports = [{ containerPort: 80, protocol: 'TCP' }];
        },
        'kube-system',
      ),
    );
    loadBalancers.push({
      id: 'elb-ingress',
      kind: 'dedicated',
      scheme: 'private',
      addresses: [INGRESS_LB],
      owner: 'service/kube-system/cceaddon-nginx-ingress-controller',
      listeners: listeners(31080),
    });
    data.ingresses = [
      {
        kind: 'Ingress',
        meta: meta('web'),
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'web.example.com',
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
            ],
          },
        ],
        tls: [],
        loadBalancerIngress: [{ ip: INGRESS_LB }],
      },
    ];
    data.ingressClasses = [
      { kind: 'IngressClass', meta: meta('nginx', ''), controller: 'k8s.io/ingress-nginx', isDefault: false },
    ];
  }
  const cloud: CloudInventory = {
    provider: o.provider ?? 'cce',
    cluster: { version: o.version, networkModel: o.network, kubeProxy: { mode: o.mode, version: o.version } },
    securityGroups: [
      {
        id: 'sg-nodes',
        attachedTo: nodes.map((n) => `node/${n.meta.name}`),
        inbound: [
          { protocol: 'all', source: '192.168.0.0/16', action: 'allow' },
          { protocol: 'all', source: '10.244.0.0/16', action: 'allow' },
          { protocol: 'tcp', ports: '30000-32767', source: '0.0.0.0/0', action: 'allow' },
        ],
      },
    ],
    loadBalancers,
    eips: nodes.map((n) => ({
      address: NODE_EIP[n.meta.name as keyof typeof NODE_EIP],
      boundTo: `node/${n.meta.name}`,
      bandwidthMbps: 5,
    })),
  };
  Object.assign(data, {
    services,
    pods,
    nodes,
    cloud,
    // CCE's kube-proxy runs without a clusterCIDR, i.e. without a local-traffic detector: pod
    // traffic to node ports is not short-circuited (seed 001/004: pods fail on nodes without a
    // backend in iptables mode too).
    kubeProxy: {
      mode: o.mode,
      nodePortAddresses: [],
      masqueradeAll: false,
      masqueradeBit: 14,
      origin: { file: 'kube-proxy.yaml' },
    },
    configMaps: [
      {
        kind: 'ConfigMap',
        meta: meta('kube-proxy', 'kube-system'),
        data: {
          'config.conf': `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ${o.mode}\n`,
        },
      },
    ],
  });
  o.mutateData?.(data);
  return snapshotOf({ ...data, collected: { CloudInventory: true } });
}
