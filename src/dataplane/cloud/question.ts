// Bridges between a diagnose Question and the cloud model: who the client is for a security
// group, which Service ports the question is about, which cluster version applies.
import type { Question } from '../../model/question.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { CloudInventory, LoadBalancer, Service, ServicePort } from '../../model/types.js';
import { isIp, isPublicAddress } from './addr.js';
import { evaluateSecurityGroups, type SgDecision, type SgPeer, type SgQuery } from './securityGroups.js';

/** The question's client as a security-group peer (address and cloud object when known). */
export function clientPeer(snapshot: Snapshot, question: Question): SgPeer {
  const c = question.client;
  switch (c.kind) {
    case 'internet':
      return { internet: true, label: 'the internet' };
    case 'vpc':
      return { label: 'a VPC client' };
    case 'node': {
      const n = snapshot.node(c.node);
      return {
        ...(n?.internalIPs[0] ? { address: n.internalIPs[0] } : {}),
        target: `node/${c.node}`,
        label: `node/${c.node}`,
      };
    }
    case 'pod': {
      const p = snapshot.pod(c.namespace, c.name);
      // Simplification: a pod's packets leave with its own IP (VPC/ENI models) from its node.
      return {
        ...(p?.podIP ? { address: p.podIP } : {}),
        ...(p?.nodeName ? { target: `node/${p.nodeName}` } : {}),
        label: `pod/${c.namespace}/${c.name}`,
      };
    }
    default:
      return { label: `a client (${c.kind})` };
  }
}

/**
 * A load balancer as the sender towards its backends. Its source address is known only when it
 * SNATs to its own (private) address; otherwise rules match it by security-group reference.
 */
export function lbPeer(lb: LoadBalancer): SgPeer {
  const own = lb.snat ? lb.addresses.find((a) => !isPublicAddress(a)) : undefined;
  return { ...(own ? { address: own } : {}), target: `lb/${lb.id}`, label: `lb/${lb.id}` };
}

/** The health checker of a load balancer as a sender (its source IP when the inventory says). */
export function healthCheckPeer(lb: LoadBalancer, sourceIP: string | undefined): SgPeer {
  const ip = sourceIP ?? lb.healthCheckSourceIP;
  if (ip && isIp(ip))
    return { address: ip, target: `lb/${lb.id}`, label: `the health checker of lb/${lb.id} (${ip})` };
  return { target: `lb/${lb.id}`, label: `the health checker of lb/${lb.id}` };
}

/** Whether the client sits outside the cluster. */
export function isExternalClient(question: Question): boolean {
  return question.client.kind === 'internet' || question.client.kind === 'vpc';
}

/**
 * The Service ports a question is about: the one named or numbered by --port / --address
 * (matching port, nodePort or targetPort), else all of them.
 */
export function portsInQuestion(svc: Service, question: Question): ServicePort[] {
  const want = question.port ?? question.address?.port;
  if (want === undefined) return svc.ports;
  const found =
    typeof want === 'string'
      ? svc.ports.filter((p) => p.name === want)
      : svc.ports.filter((p) => p.port === want || p.nodePort === want);
  return found.length > 0 ? found : svc.ports;
}

/** The cluster's Kubernetes version: the inventory's, else the newest kubelet's. */
export function clusterVersion(snapshot: Snapshot, inv: CloudInventory | undefined): string | undefined {
  if (inv?.cluster.version) return inv.cluster.version;
  return snapshot.nodes.map((n) => n.kubeletVersion).find((v) => v !== undefined);
}

/** Kube-proxy mode from the inventory or the kube-proxy ConfigMap. */
export function proxyMode(snapshot: Snapshot, inv: CloudInventory | undefined): string | undefined {
  return inv?.cluster.kubeProxy?.mode ?? snapshot.data.kubeProxy?.mode;
}

/** Layer-4 protocol of a Service port in security-group terms. */
export function sgProtocol(p: ServicePort): 'tcp' | 'udp' | 'sctp' {
  return p.protocol === 'UDP' ? 'udp' : p.protocol === 'SCTP' ? 'sctp' : 'tcp';
}

/**
 * Evaluate inbound rules for several possible senders of the same packet (e.g. the client,
 * when the LB keeps its address, and the LB itself): allowed if any sender is definitely
 * allowed, denied only if every sender is definitely denied, unknown otherwise.
 */
export function evaluateAnyPeer(
  inv: CloudInventory | undefined,
  query: Omit<SgQuery, 'peer'>,
  peers: SgPeer[],
): SgDecision {
  const decisions = peers.map((peer) => evaluateSecurityGroups(inv, { ...query, peer }));
  const allow = decisions.find((d) => d.verdict === 'allow');
  if (allow) return allow;
  const unknown = decisions.find((d) => d.verdict === 'unknown');
  if (unknown) return unknown;
  return decisions[0] ?? evaluateSecurityGroups(inv, { ...query, peer: {} });
}

/** Whether the question goes through the Service's cloud load balancer (always, in audit). */
export function asksAboutLoadBalancer(question: Question, mode: 'diagnose' | 'audit'): boolean {
  return mode === 'audit' || question.via === 'loadbalancer';
}
