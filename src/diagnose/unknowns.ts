// What could not be checked, and the exact command that would let svcdoctor check it, in the
// order of the official "Debug Services" task page (kubernetes.io/docs/tasks/debug/
// debug-application/debug-service/): does the Service exist, does it work by DNS name, does any
// Service work by DNS, does it work by IP, is it defined correctly, does it have Endpoints, are the
// Pods working, is kube-proxy working. NetworkPolicy and the cloud path (beyond that page) follow
// kube-proxy, then history.

import { clusterProvider } from '../dataplane/network/node-facts.js';
import { backendsOf } from '../model/endpoints.js';
import type { Question } from '../model/question.js';
import { isInClusterClient } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Provider, Service } from '../model/types.js';

export const DEBUG_STEPS = [
  'service-exists',
  'dns',
  'any-dns',
  'service-definition',
  'endpoints',
  'pods',
  'kube-proxy',
  'network-policy',
  'cloud',
  'history',
] as const;
export type DebugStep = (typeof DEBUG_STEPS)[number];

export interface Unknown {
  step: DebugStep;
  /** What could not be checked, and why it matters. */
  what: string;
  /** The exact command (or console page) that collects it. */
  collect: string;
  /** The node a node-level command must run on. */
  node?: string;
}

export function formatUnknown(u: Unknown): string {
  return `${u.what} — collect: ${u.collect}`;
}

const CONSOLE: Record<Provider, { lb: string; sg: string }> = {
  cce: {
    lb: 'ELB console → the load balancer → Listeners → Backend Server Groups (members and health check status)',
    sg: 'VPC console → Security Groups → the node security group → Inbound Rules (30000-32767 and the health-check source)',
  },
  tke: {
    lb: 'CLB console → the instance → Listener Management → backend service health status',
    sg: 'VPC console → Security Groups bound to the cluster CVMs → Inbound rules (30000-32768)',
  },
  eks: {
    lb: 'aws elbv2 describe-target-health --target-group-arn <target-group-arn>  (EC2 console → Target Groups → Targets)',
    sg: 'aws ec2 describe-security-groups --filters Name=tag:kubernetes.io/cluster/<cluster>,Values=owned',
  },
  gke: {
    lb: 'gcloud compute forwarding-rules list && gcloud compute backend-services get-health <backend-service> --region <region>',
    sg: 'gcloud compute firewall-rules list --filter="network:<network>"',
  },
  aks: {
    lb: 'az network lb show -g <node-resource-group> -n kubernetes && az network lb probe list -g <node-resource-group> --lb-name kubernetes',
    sg: 'az network nsg rule list -g <node-resource-group> --nsg-name <nsg>',
  },
  generic: {
    lb: "the cloud console's load balancer page: listeners, backend members and their health",
    sg: 'the security groups / firewall rules attached to the nodes and the load balancer',
  },
};

/** The provider as the nodes tell it (spec.providerID scheme), when no CloudInventory says. */
export const providerOf: (snapshot: Snapshot) => Provider = clusterProvider;

function selectorArg(service: Service | undefined): string {
  if (!service?.selector) return '';
  const s = Object.entries(service.selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return s ? ` -l ${s}` : '';
}

/**
 * Nodes whose kube-proxy rules decide this question: where the packet is translated. That is the
 * client's own node (pods, nodes), the node addressed (node IP + NodePort), or, for a load
 * balancer, the backend nodes (with eTP Local only they answer). Abstract clients name no node.
 */
function relevantNodes(snapshot: Snapshot, service: Service | undefined, question: Question): string[] {
  const out: string[] = [];
  const add = (n: string | undefined) => {
    if (n && !out.includes(n)) out.push(n);
  };
  const c = question.client;
  if (c.kind === 'node') add(c.node);
  if (c.kind === 'pod') add(snapshot.pod(c.namespace, c.name)?.nodeName);
  if (question.address) add(snapshot.nodeByAddress(question.address.ip)?.meta.name);
  const external = c.kind === 'internet' || c.kind === 'vpc';
  if (
    out.length === 0 &&
    external &&
    service &&
    (service.type === 'LoadBalancer' || service.type === 'NodePort')
  )
    for (const b of backendsOf(snapshot, service).backends) add(b.nodeName);
  return out.slice(0, 3);
}

function dumpCommand(mode: string | undefined, node: string): { what: string; collect: string } {
  switch (mode) {
    case 'ipvs':
      return {
        what: `IPVS rules of node ${node} not collected: virtual servers and real servers not checked`,
        collect: `on node ${node}: ipvsadm -S -n > ${node}.ipvs && iptables-save > ${node}.iptables && ip -o addr > ${node}.addr`,
      };
    case 'nftables':
      return {
        what: `nftables rules of node ${node} not collected: kube-proxy's nft table not checked`,
        collect: `on node ${node}: nft list table ip kube-proxy > ${node}.nft && ip -o addr > ${node}.addr`,
      };
    default:
      return {
        what: `iptables rules of node ${node} not collected: KUBE-SERVICES / KUBE-NODEPORTS rules not checked`,
        collect: `on node ${node}: iptables-save > ${node}.iptables && ip -o addr > ${node}.addr`,
      };
  }
}

/**
 * The facts missing for this question, in Debug Services order. Never treats an absent kind
 * as "there are none": each missing kind becomes one line with its collection command.
 */
export function unknownsFor(snapshot: Snapshot, service: Service | undefined, question: Question): Unknown[] {
  const ns = question.target.namespace ?? 'default';
  const name = question.target.name;
  const out: Unknown[] = [];
  const push = (step: DebugStep, what: string, collect: string, node?: string) =>
    out.push({ step, what, collect, ...(node ? { node } : {}) });

  if (!snapshot.has('Service'))
    push(
      'service-exists',
      'Services were not collected: the target cannot be confirmed',
      `kubectl get service ${name} -n ${ns} -o yaml`,
    );

  const usesDns = question.via === 'dns' || question.dnsName !== undefined;
  if (usesDns) {
    if (question.client.kind === 'pod')
      push(
        'dns',
        "the client's resolver configuration is not in the bundle: search path and ndots assumed to be the kubelet defaults",
        `kubectl exec -n ${question.client.namespace} ${question.client.name} -- cat /etc/resolv.conf`,
      );
    const dnsPods = snapshot.podsForSelector('kube-system', { 'k8s-app': 'kube-dns' });
    if (dnsPods.length === 0 && !snapshot.service('kube-system', 'kube-dns'))
      push(
        'any-dns',
        'CoreDNS pods not collected: cluster DNS health not checked',
        'kubectl get pods,svc,endpointslices -n kube-system -l k8s-app=kube-dns -o yaml',
      );
    if (
      !snapshot.data.dns?.corefile &&
      !snapshot.data.configMaps.some((c) => c.meta.namespace === 'kube-system' && c.meta.name === 'coredns')
    )
      push(
        'any-dns',
        'Corefile not collected: cluster domain assumed cluster.local, rewrite rules unknown',
        'kubectl get configmap coredns -n kube-system -o yaml',
      );
  }

  if (!snapshot.has('EndpointSlice') && !snapshot.has('Endpoints'))
    push(
      'endpoints',
      'EndpointSlices not collected: the endpoints kube-proxy programs are not checked',
      `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o yaml`,
    );

  if (!snapshot.has('Pod'))
    push(
      'pods',
      'Pods not collected: selector, readiness and container ports not checked',
      `kubectl get pods -n ${ns}${selectorArg(service)} -o yaml`,
    );
  if (!snapshot.has('Event'))
    push(
      'pods',
      'Events not collected: probe failures and load balancer errors not checked',
      `kubectl get events -n ${ns} -o yaml`,
    );

  if (!snapshot.has('Node'))
    push(
      'kube-proxy',
      'Nodes not collected: node readiness and addresses not checked',
      'kubectl get nodes -o yaml',
    );
  const mode = snapshot.data.kubeProxy?.mode ?? snapshot.data.cloud?.cluster.kubeProxy?.mode;
  if (!mode)
    push(
      'kube-proxy',
      'kube-proxy configuration not collected: proxy mode (iptables / IPVS / nftables) unknown',
      'kubectl get configmap kube-proxy -n kube-system -o yaml',
    );
  if (
    snapshot.podsForSelector('kube-system', { 'k8s-app': 'kube-proxy' }).length === 0 &&
    snapshot.podsIn('kube-system').length === 0
  )
    push(
      'kube-proxy',
      'kube-proxy pods not collected: whether it runs on each node is not checked',
      'kubectl get pods -n kube-system -l k8s-app=kube-proxy -o wide',
    );
  const dumped = new Set(snapshot.data.nodeDumps.map((d) => d.node));
  if (service && service.type !== 'ExternalName') {
    const nodes = relevantNodes(snapshot, service, question);
    for (const node of nodes) {
      if (dumped.has(node)) continue;
      const d = dumpCommand(mode, node);
      push('kube-proxy', d.what, d.collect, node);
    }
    if (nodes.length === 0 && dumped.size === 0) {
      // No particular node: one line, not one per node (audits would list the whole cluster).
      const d = dumpCommand(mode, 'NODE');
      push(
        'kube-proxy',
        d.what.replace('node NODE', 'the nodes'),
        d.collect.replace('on node NODE', 'on a node NODE'),
      );
    }
  }

  if (!snapshot.has('NetworkPolicy'))
    push(
      'network-policy',
      'NetworkPolicies not collected: policy denials not checked',
      'kubectl get networkpolicies -A -o yaml',
    );
  else if (
    snapshot.data.networkPolicies.some((p) =>
      [...p.ingress, ...p.egress].some((r) => r.peers.some((x) => x.namespaceSelector)),
    ) &&
    !snapshot.has('Namespace')
  )
    push(
      'network-policy',
      'Namespace labels not collected: namespaceSelector peers evaluated on names only',
      'kubectl get namespaces -o yaml',
    );

  const external =
    !isInClusterClient(question.client) || question.via === 'loadbalancer' || question.via === 'ingress';
  if (
    service &&
    external &&
    (service.type === 'LoadBalancer' || service.type === 'NodePort' || question.via === 'ingress')
  ) {
    const provider = providerOf(snapshot);
    const cloud = snapshot.data.cloud;
    if (!cloud) {
      push(
        'cloud',
        'no CloudInventory: load balancer listeners, backends and health checks not checked',
        `${CONSOLE[provider].lb} — record them in a CloudInventory file (kind: CloudInventory)`,
      );
      push(
        'cloud',
        'no CloudInventory: security groups not checked',
        `${CONSOLE[provider].sg} — record them in the CloudInventory`,
      );
    } else {
      if (!cloud.loadBalancers && service.type === 'LoadBalancer')
        push(
          'cloud',
          'CloudInventory has no loadBalancers: listeners and health checks not checked',
          CONSOLE[provider].lb,
        );
      if (!cloud.securityGroups)
        push(
          'cloud',
          'CloudInventory has no securityGroups: security groups not checked',
          CONSOLE[provider].sg,
        );
    }
  }
  return out;
}

const STEP_PATTERNS: [DebugStep, RegExp][] = [
  ['service-exists', /\bservices? (?:were )?not collected|target cannot be confirmed/i],
  ['dns', /resolv\.conf|dns name|search path|ndots/i],
  ['any-dns', /coredns|kube-dns|corefile|cluster dns/i],
  ['endpoints', /endpointslice|endpoints/i],
  ['kube-proxy', /kube-proxy|iptables|ipvs|nft|\bnodes?\b|conntrack/i],
  ['pods', /\bpods?\b|probe|events?\b|container/i],
  ['network-policy', /networkpolic|ipblock|namespace labels|client address/i],
  ['cloud', /cloud|security group|load balancer|listener|\bLB\b|\bEIP\b|\bNAT\b|health check|certificate/i],
  ['history', /audit|change|timeline|history/i],
];

export function stepOf(line: string): DebugStep {
  for (const [step, re] of STEP_PATTERNS) if (re.test(line)) return step;
  return 'history';
}

/** Orders free-text unknown lines (from checks) by Debug Services step, keeping their order within a step; drops duplicates. */
export function orderUnknowns(lines: readonly string[]): string[] {
  const seen = new Set<string>();
  const unique = lines.filter((l) => {
    if (seen.has(l)) return false;
    seen.add(l);
    return true;
  });
  return unique
    .map((line, i) => ({ line, i, step: DEBUG_STEPS.indexOf(stepOf(line)) }))
    .sort((a, b) => a.step - b.step || a.i - b.i)
    .map((x) => x.line);
}

/** Every unknown of the question plus the lines checks reported, ordered and formatted. */
export function allUnknowns(
  snapshot: Snapshot,
  service: Service | undefined,
  question: Question,
  fromChecks: readonly string[],
): string[] {
  const items = [
    ...unknownsFor(snapshot, service, question).map((u) => ({ line: formatUnknown(u), step: u.step })),
    ...fromChecks.map((line) => ({ line, step: stepOf(line) })),
  ];
  const seen = new Set<string>();
  return items
    .map((x, i) => ({ ...x, i, rank: DEBUG_STEPS.indexOf(x.step) }))
    .filter((x) => {
      if (seen.has(x.line)) return false;
      seen.add(x.line);
      return true;
    })
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.line);
}
