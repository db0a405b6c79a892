import type { Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { CollectableKind, Service } from '../model/types.js';

/**
 * What the snapshot could not tell, with the command that collects it, in the order the
 * official "Debug Services" procedure walks the layers. A missing kind is never read as
 * "none exist".
 */
export function collectUnknowns(
  snapshot: Snapshot,
  service: Service | undefined,
  question: Question,
): string[] {
  const ns = question.target.namespace ?? 'default';
  const name = question.target.name;
  const out: string[] = [];
  const need = (kind: CollectableKind, what: string, cmd: string) => {
    if (!snapshot.has(kind)) out.push(`${what} — collect: ${cmd}`);
  };
  need(
    'Service',
    'Services were not collected: the target cannot be confirmed',
    `kubectl get svc -n ${ns} -o yaml`,
  );
  if (!snapshot.has('EndpointSlice') && !snapshot.has('Endpoints'))
    out.push(
      `EndpointSlices not collected: endpoints as kube-proxy sees them not checked — collect: kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o yaml`,
    );
  need(
    'Pod',
    'Pods not collected: selector, readiness and container ports not checked',
    `kubectl get pods -n ${ns} -o yaml`,
  );
  need(
    'Event',
    'Events not collected: readiness probe failures and LB provisioning errors not checked',
    `kubectl get events -n ${ns} -o yaml`,
  );
  need(
    'Node',
    'Nodes not collected: node readiness and node addresses not checked',
    'kubectl get nodes -o yaml',
  );
  if (!snapshot.data.kubeProxy)
    out.push(
      'kube-proxy configuration not collected: proxy mode (iptables/IPVS/nftables) and clusterCIDR assumed unknown — collect: kubectl get configmap kube-proxy -n kube-system -o yaml',
    );
  need(
    'NetworkPolicy',
    'NetworkPolicies not collected: policy denials not checked',
    `kubectl get networkpolicies -A -o yaml`,
  );
  if (service && (service.type === 'LoadBalancer' || service.type === 'NodePort') && !snapshot.data.cloud)
    out.push(
      'no CloudInventory: security groups, load balancer listeners/backends/health checks, NAT and EIPs not checked — describe them in a CloudInventory file (see README)',
    );
  if (question.via === 'ingress')
    need('Ingress', 'Ingresses not collected', `kubectl get ingress,ingressclass -A -o yaml`);
  return out;
}
