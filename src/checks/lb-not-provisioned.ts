import { refOf } from '../model/snapshot.js';
import type { KubeEvent } from '../model/types.js';
import { defineCheck } from './define.js';

/** Event reasons the service controller (and cloud controllers) report for LB provisioning. */
const FAILURE_REASONS = new Set([
  'SyncLoadBalancerFailed',
  'CreatingLoadBalancerFailed',
  'UpdateLoadBalancerFailed',
  'LoadBalancerUpdateFailed',
  'EnsureLoadBalancerFailed',
  'CreateLoadBalancerFailed',
]);
const PROGRESS_REASONS = new Set(['EnsuringLoadBalancer', 'CreatingLoadBalancer']);

function eventTime(e: KubeEvent): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;
  return t ? Date.parse(t) : 0;
}

type Cause = 'controller-error' | 'in-progress' | 'load-balancer-class' | 'no-controller-events';

export default defineCheck<{
  service: string;
  cause: Cause;
  reason?: string;
  message?: string;
  loadBalancerClass?: string;
}>({
  id: 'lb-not-provisioned',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.85,
  title: (d) =>
    d.cause === 'controller-error'
      ? `LoadBalancer Service ${d.service} has no external address: ${d.reason}`
      : `LoadBalancer Service ${d.service} has no external address yet`,
  docs: {
    what: 'A Service of type LoadBalancer whose status.loadBalancer.ingress is empty: no cloud load balancer answers for it, so EXTERNAL-IP stays <pending>.',
    why: "Clients outside the cluster have no address to connect to. The service controller (or the cloud provider's controller) records why in Events on the Service — SyncLoadBalancerFailed with the cloud API error (quota, a wrong elb.id / subnet annotation, a missing permission, an unsupported annotation), or nothing at all when no controller handles the Service (no cloud provider, or a loadBalancerClass nobody implements).",
    confirm:
      "kubectl get svc NAME -n NS shows EXTERNAL-IP <pending>; kubectl describe svc NAME -n NS lists the controller's Events (SyncLoadBalancerFailed and its message).",
    fix: 'Fix what the event names (annotation values such as kubernetes.io/elb.id or subnet ids, quota, permissions) in the cloud console or the Service annotations; on clusters without a cloud controller install one (or MetalLB), or use NodePort/Ingress instead.',
  },
  source: [
    'seed 000 check item 3 (ELB IP address and port)',
    'upstream service controller events (SyncLoadBalancerFailed)',
  ],
  run({ snapshot, service, question, mode }) {
    if (service?.type !== 'LoadBalancer') return [];
    if (mode === 'diagnose' && question.via !== 'loadbalancer') return [];
    if (service.loadBalancerIngress.some((i) => i.ip || i.hostname)) return [];
    const name = `${service.meta.namespace}/${service.meta.name}`;
    const events = [...snapshot.eventsFor(refOf(service))].sort((a, b) => eventTime(b) - eventTime(a));
    const failure = events.find(
      (e) => FAILURE_REASONS.has(e.reason) || (e.type === 'Warning' && /LoadBalancer/i.test(e.reason)),
    );
    const progress = events.find((e) => PROGRESS_REASONS.has(e.reason));
    const describe = `kubectl describe service ${service.meta.name} -n ${service.meta.namespace}`;
    const evCmd = `kubectl get events -n ${service.meta.namespace} --field-selector involvedObject.kind=Service,involvedObject.name=${service.meta.name}`;
    const evidence = [
      `${name}: type LoadBalancer, status.loadBalancer.ingress is empty (EXTERNAL-IP <pending>)`,
    ];
    if (failure) {
      evidence.push(`event ${failure.reason} (x${failure.count}): ${failure.message}`);
      return [
        {
          subject: refOf(service),
          data: {
            service: name,
            cause: 'controller-error',
            reason: failure.reason,
            message: failure.message,
          },
          evidence,
          fix: {
            summary: `Fix what the load balancer controller reports (${failure.reason}): correct the Service annotations or the cloud-side cause (quota, subnet, LB id, permissions) in the cloud console, then let the controller retry.`,
            commands: [describe, evCmd],
          },
        },
      ];
    }
    if (service.loadBalancerClass) {
      evidence.push(
        `spec.loadBalancerClass: ${service.loadBalancerClass} — only a controller for that class provisions it`,
      );
      return [
        {
          subject: refOf(service),
          data: { service: name, cause: 'load-balancer-class', loadBalancerClass: service.loadBalancerClass },
          evidence,
          fix: {
            summary: `Install or fix the controller that implements loadBalancerClass ${service.loadBalancerClass}; the default cloud controller ignores Services with another class.`,
            commands: [describe],
          },
        },
      ];
    }
    if (progress) {
      evidence.push(`event ${progress.reason}: ${progress.message} (no result recorded yet)`);
      return [
        {
          subject: refOf(service),
          severity: 'warning',
          confidence: 0.5,
          data: { service: name, cause: 'in-progress', reason: progress.reason, message: progress.message },
          evidence,
          fix: {
            summary:
              'The controller is still creating the load balancer; wait and re-check, or look at the cloud console for the LB being created.',
            commands: [describe, `kubectl get service ${service.meta.name} -n ${service.meta.namespace} -w`],
          },
        },
      ];
    }
    if (!snapshot.has('Event')) {
      return [
        {
          subject: refOf(service),
          confidence: 0.6,
          data: { service: name, cause: 'no-controller-events' },
          evidence: [...evidence, "Events were not collected: the controller's reason is unknown"],
          fix: {
            summary:
              'Read the Service events to learn why the controller has not provisioned the load balancer.',
            commands: [describe, evCmd],
          },
        },
      ];
    }
    evidence.push('no load balancer event for the Service: no controller seems to handle it');
    return [
      {
        subject: refOf(service),
        data: { service: name, cause: 'no-controller-events' },
        evidence,
        fix: {
          summary:
            'No controller reported on this Service: check that the cloud controller manager runs (or install MetalLB on bare metal), or expose the workload with NodePort or an Ingress instead.',
          commands: [
            describe,
            'kubectl get pods -n kube-system -o wide | grep -i -E "cloud-controller|ccm|metallb"',
          ],
        },
      },
    ];
  },
});
