// The strict, normalised model svcdoctor reasons over. Sources convert Kubernetes objects
// (where every field is optional) into these types once, at the edge; nothing past
// src/sources ever sees a raw object. Defaults that the API server would fill in are
// filled in here, so checks never guess.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type IPFamily = 'IPv4' | 'IPv6';

/** Where an object came from, so problems and evidence can point at the file. */
export interface Origin {
  file: string;
  line?: number;
  /** 0-based index of the YAML document / list item within the file. */
  doc?: number;
}

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface OwnerRef {
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  time?: string;
  subresource?: string;
  /** Top-level field paths touched (e.g. "spec.ports"), when known. */
  fields?: string[];
}

export interface Meta {
  name: string;
  namespace: string; // '' for cluster-scoped objects
  uid?: string;
  resourceVersion?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences: OwnerRef[];
  managedFields: ManagedFieldsEntry[];
  origin?: Origin;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/** metav1.LabelSelector. An empty selector ({}) matches everything. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

// ---------------------------------------------------------------- Service

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServicePort {
  name: string; // '' when unnamed (allowed only for single-port Services)
  protocol: Protocol;
  port: number;
  /** Number or IANA_SVC_NAME; defaults to `port` when absent (as the API server does). */
  targetPort: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  /** KEP-1860: 'Proxy' means kube-proxy must not short-circuit traffic to this IP. */
  ipMode?: 'VIP' | 'Proxy';
}

export interface Service {
  kind: 'Service';
  meta: Meta;
  type: ServiceType;
  /** undefined: the Service has no selector (endpoints are managed by hand). */
  selector?: Record<string, string>;
  /** '' when not yet allocated; 'None' for headless Services. */
  clusterIP: string;
  clusterIPs: string[];
  headless: boolean;
  ports: ServicePort[];
  externalIPs: string[];
  externalName?: string;
  externalTrafficPolicy: TrafficPolicy;
  internalTrafficPolicy: TrafficPolicy;
  healthCheckNodePort?: number;
  loadBalancerIP?: string;
  loadBalancerSourceRanges: string[];
  loadBalancerClass?: string;
  allocateLoadBalancerNodePorts?: boolean;
  ipFamilies: IPFamily[];
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  sessionAffinity: 'None' | 'ClientIP';
  sessionAffinityTimeoutSeconds?: number;
  publishNotReadyAddresses: boolean;
  trafficDistribution?: string;
  loadBalancerIngress: LoadBalancerIngress[];
}

// ---------------------------------------------------------------- Pod

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
  hostPort?: number;
  hostIP?: string;
}

export interface Probe {
  handler: 'httpGet' | 'tcpSocket' | 'exec' | 'grpc' | 'unknown';
  port?: number | string;
  path?: string;
  host?: string;
  scheme?: string;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface Container {
  name: string;
  image?: string;
  ports: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  /** Sidecar (restartable init) containers: restartPolicy Always on an init container. */
  restartPolicy?: string;
  command: string[];
  args: string[];
}

export interface ContainerStateInfo {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    reason?: string;
    message?: string;
    exitCode?: number;
    startedAt?: string;
    finishedAt?: string;
  };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerStateInfo;
  lastState: ContainerStateInfo;
  image?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

export interface Pod {
  kind: 'Pod';
  meta: Meta;
  nodeName?: string;
  hostNetwork: boolean;
  /** spec.dnsPolicy as written; undefined means the API default, ClusterFirst. */
  dnsPolicy?: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  podIP?: string;
  podIPs: string[];
  hostIP?: string;
  containers: Container[];
  initContainers: Container[];
  containerStatuses: ContainerStatus[];
  initContainerStatuses: ContainerStatus[];
  conditions: Condition[];
  readinessGates: string[];
  /** Convenience derived from conditions: the Ready condition is True. */
  ready: boolean;
  startTime?: string;
  reason?: string;
  message?: string;
}

// ---------------------------------------------------------------- Node

export interface NodeAddress {
  type: string; // InternalIP | ExternalIP | Hostname | InternalDNS | ExternalDNS
  address: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Node {
  kind: 'Node';
  meta: Meta;
  addresses: NodeAddress[];
  internalIPs: string[];
  externalIPs: string[];
  conditions: Condition[];
  /** undefined when the Ready condition is absent or Unknown. */
  ready: boolean | undefined;
  unschedulable: boolean;
  taints: Taint[];
  podCIDRs: string[];
  kubeletVersion?: string;
  kubeProxyVersion?: string;
  providerID?: string;
  osImage?: string;
}

// ---------------------------------------------------------------- Endpoints

export interface EndpointConditions {
  /** Per the EndpointSlice API, a nil `ready` is interpreted as true. */
  ready: boolean;
  /** nil `serving` is interpreted as the value of `ready`. */
  serving: boolean;
  /** nil `terminating` is interpreted as false. */
  terminating: boolean;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectRef;
  hintsForZones: string[];
  hintsForNodes: string[];
}

export interface EndpointPort {
  name: string; // '' when unnamed
  port?: number;
  protocol: Protocol;
  appProtocol?: string;
}

export interface EndpointSlice {
  kind: 'EndpointSlice';
  meta: Meta;
  /** From the kubernetes.io/service-name label; undefined if the label is missing. */
  serviceName?: string;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: SliceEndpoint[];
  ports: EndpointPort[];
  managedBy?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectRef;
}

export interface EndpointSubset {
  addresses: EndpointAddress[];
  notReadyAddresses: EndpointAddress[];
  ports: EndpointPort[];
}

/** Legacy core/v1 Endpoints. */
export interface Endpoints {
  kind: 'Endpoints';
  meta: Meta;
  subsets: EndpointSubset[];
  /** endpoints.kubernetes.io/over-capacity annotation is "truncated". */
  truncated: boolean;
}

// ---------------------------------------------------------------- Others

export interface Namespace {
  kind: 'Namespace';
  meta: Meta;
  phase?: string;
}

export interface KubeEvent {
  kind: 'Event';
  meta: Meta;
  involvedObject: ObjectRef & { uid?: string; fieldPath?: string };
  reason: string;
  message: string;
  type: string; // Normal | Warning
  count: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  /** The component that reported it (source.component or reportingController). */
  reporter?: string;
}

export interface NetworkPolicyPort {
  protocol: Protocol;
  /** undefined: all ports. A string is a named container port. */
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except: string[] };
}

export interface NetworkPolicyRule {
  /** Empty list: every peer. */
  peers: NetworkPolicyPeer[];
  /** Empty list: every port. */
  ports: NetworkPolicyPort[];
}

export interface NetworkPolicy {
  kind: 'NetworkPolicy';
  meta: Meta;
  podSelector: LabelSelector;
  /** Already defaulted as the API server does (Ingress always; Egress if egress rules exist). */
  policyTypes: ('Ingress' | 'Egress')[];
  ingress: NetworkPolicyRule[];
  egress: NetworkPolicyRule[];
}

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface IngressBackend {
  service?: { name: string; port: { number?: number; name?: string } };
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface IngressPath {
  path?: string;
  pathType: PathType;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  paths: IngressPath[];
}

export interface Ingress {
  kind: 'Ingress';
  meta: Meta;
  /** spec.ingressClassName, or the legacy kubernetes.io/ingress.class annotation. */
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  rules: IngressRule[];
  tls: { hosts: string[]; secretName?: string }[];
  loadBalancerIngress: LoadBalancerIngress[];
}

export interface IngressClass {
  kind: 'IngressClass';
  meta: Meta;
  controller: string;
  isDefault: boolean;
}

export interface Workload {
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'ReplicaSet';
  meta: Meta;
  selector?: LabelSelector;
  replicas?: number;
  readyReplicas?: number;
  templateLabels: Record<string, string>;
  containers: Container[];
  /** Pod template hostNetwork, used for eTP Local on ENI (hostNetwork backends). */
  hostNetwork: boolean;
}

export interface ConfigMap {
  kind: 'ConfigMap';
  meta: Meta;
  data: Record<string, string>;
}

export interface Lease {
  kind: 'Lease';
  meta: Meta;
  holderIdentity?: string;
  renewTime?: string;
}

export interface ServiceCIDR {
  kind: 'ServiceCIDR';
  meta: Meta;
  cidrs: string[];
}

export type ProxyMode = 'iptables' | 'ipvs' | 'nftables' | 'kernelspace';

/** kube-system/kube-proxy ConfigMap `config.conf` (KubeProxyConfiguration), normalised. */
export interface KubeProxyConfig {
  /** undefined when unknown. Empty mode in the config means iptables on Linux. */
  mode?: ProxyMode;
  clusterCIDR?: string;
  nodePortAddresses: string[];
  masqueradeAll: boolean;
  masqueradeBit: number;
  detectLocalMode?: string;
  /** IPVS strictARP / scheduler — informative. */
  ipvsScheduler?: string;
  origin?: Origin;
}

export interface ClusterDNS {
  /** From the kubelet config or Corefile; default cluster.local. */
  clusterDomain: string;
  corefile?: string;
  origin?: Origin;
}

// ---------------------------------------------------------------- svcdoctor's own formats

export type Provider = 'cce' | 'tke' | 'eks' | 'gke' | 'aks' | 'generic';
export type NetworkModel = 'tunnel' | 'vpc' | 'eni';

export interface SecurityGroupRule {
  protocol: 'tcp' | 'udp' | 'icmp' | 'all' | 'sctp';
  /** "80", "30000-32767", "all"; absent means all ports. */
  ports?: string;
  /** CIDR, or a security-group id (sg-...) as a reference. */
  source?: string;
  destination?: string;
  action: 'allow' | 'deny';
  /** Lower number wins (evaluated first); absent: after all numbered rules, in order. */
  priority?: number;
  description?: string;
}

export interface SecurityGroup {
  id: string;
  /** node/NAME, lb/ID, eni/ID */
  attachedTo: string[];
  inbound: SecurityGroupRule[];
  outbound?: SecurityGroupRule[];
  /** Whether the group was captured whole; false means "what we know is partial". */
  defaultInboundAction?: 'allow' | 'deny';
}

export interface LbBackend {
  /** node/NAME or pod/NS/NAME, or a bare address */
  target: string;
  address?: string;
  port: number;
  health?: 'healthy' | 'unhealthy' | 'unknown';
  weight?: number;
}

export interface LbHealthCheck {
  enabled: boolean;
  protocol?: string;
  port?: number;
  path?: string;
  sourceIP?: string;
}

export interface LbListener {
  protocol: 'TCP' | 'UDP' | 'HTTP' | 'HTTPS' | 'TLS';
  port: number;
  certificate?: { id?: string; notBefore?: string; notAfter?: string; domains?: string[] };
  healthCheck?: LbHealthCheck;
  backends?: LbBackend[];
  /** L7 forwarding rules (host/path → backend group), for Ingress-owned LBs. */
  rules?: { host?: string; path?: string; backends: LbBackend[] }[];
}

export interface LoadBalancer {
  id: string;
  kind?: string; // shared | dedicated | clb | nlb | alb | ...
  scheme?: 'public' | 'private';
  addresses: string[];
  /** DNS names the LB answers on (AWS ELB/NLB/ALB publish a name, not an IP). */
  hostnames?: string[];
  owner?: string; // service/NS/NAME or ingress/NS/NAME
  listeners: LbListener[];
  securityGroups?: string[];
  /** Whether the LB performs SNAT towards backends (TKE L7 SNAT, AWS NLB w/o client IP preservation). */
  snat?: boolean;
  healthCheckSourceIP?: string;
}

export interface NatGateway {
  id: string;
  dnatRules: {
    eip: string;
    protocol: string;
    externalPort: number;
    internalAddress: string;
    internalPort: number;
  }[];
  snatRules?: { eip: string; source: string }[];
}

export interface Eip {
  address: string;
  boundTo: string | null;
  bandwidthMbps?: number;
}

export interface Route {
  table: string;
  destination: string;
  nextHop: string;
  associatedWith?: string[];
}

export interface CloudChange {
  time: string;
  resource: string;
  category: string;
  summary: string;
}

export interface CloudInventory {
  provider: Provider;
  cluster: {
    version?: string;
    networkModel?: NetworkModel;
    kubeProxy?: { mode?: ProxyMode; version?: string };
  };
  securityGroups?: SecurityGroup[];
  loadBalancers?: LoadBalancer[];
  natGateways?: NatGateway[];
  eips?: Eip[];
  routes?: Route[];
  changes?: CloudChange[];
  origin?: Origin;
}

export type ObservationResult =
  | 'ok'
  | 'refused'
  | 'timeout'
  | 'reset'
  | 'no-route'
  | 'dns-nxdomain'
  | 'dns-timeout'
  | 'tls-error'
  | `http-${number}`;

export interface Observation {
  at?: string;
  /** internet | vpc | node/NAME | pod/NS/NAME */
  from: string;
  /** IP:PORT/PROTO, svc/NS/NAME[:PORT], pod/NS/NAME:PORT, or a URL */
  to: string;
  result: ObservationResult;
  detail?: string;
  origin?: Origin;
}

/** Raw text dumps from a node (iptables-save, ipvsadm, ip -o addr), parsed in src/nodedump. */
export interface NodeDumpFiles {
  node: string;
  iptables?: { text: string; file: string };
  ipvs?: { text: string; file: string };
  addr?: { text: string; file: string };
  nft?: { text: string; file: string };
}

/** A Kubernetes audit log entry (audit.k8s.io/v1 Event), reduced to what timeline needs. */
export interface AuditEntry {
  time: string;
  verb: string;
  user?: string;
  objectRef: ObjectRef & { resource?: string };
  origin?: Origin;
}

/** Everything a source produced, as plain data. A Snapshot indexes this. */
export interface SnapshotData {
  services: Service[];
  pods: Pod[];
  nodes: Node[];
  endpointSlices: EndpointSlice[];
  endpoints: Endpoints[];
  namespaces: Namespace[];
  events: KubeEvent[];
  networkPolicies: NetworkPolicy[];
  ingresses: Ingress[];
  ingressClasses: IngressClass[];
  workloads: Workload[];
  configMaps: ConfigMap[];
  leases: Lease[];
  serviceCIDRs: ServiceCIDR[];
  kubeProxy?: KubeProxyConfig;
  dns?: ClusterDNS;
  cloud?: CloudInventory;
  observations: Observation[];
  nodeDumps: NodeDumpFiles[];
  audit: AuditEntry[];
  /** Which kinds the source could read at all; a kind absent here is unknown, not empty. */
  collected: CollectedKinds;
  /** Non-fatal problems found while reading (one object skipped, a forbidden kind...). */
  warnings: SourceProblem[];
  /** Kinds seen but not used, with counts. */
  ignoredKinds: Record<string, number>;
  /** When the snapshot was taken, if known (collect manifest, newest timestamp...). */
  takenAt?: string;
}

export type CollectableKind =
  | 'Service'
  | 'Pod'
  | 'Node'
  | 'EndpointSlice'
  | 'Endpoints'
  | 'Namespace'
  | 'Event'
  | 'NetworkPolicy'
  | 'Ingress'
  | 'IngressClass'
  | 'Workload'
  | 'ConfigMap'
  | 'Lease'
  | 'ServiceCIDR'
  | 'CloudInventory'
  | 'Observations'
  | 'NodeDump';

export type CollectedKinds = Partial<Record<CollectableKind, boolean>>;

export interface SourceProblem {
  code: string;
  message: string;
  origin?: Origin;
  /** e.g. the RBAC rule that would allow a forbidden read */
  hint?: string;
}
