import {
  type BackendProblem,
  compareBackends,
  type ExpectedBackendGroup,
  expectedBackends,
  lbBehaviour,
  listenerBackends,
  listenerForServicePort,
  loadBalancersForService,
} from '../dataplane/cloud/index.js';
import { asksAboutLoadBalancer, clusterVersion, portsInQuestion } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import type { LbListener } from '../model/types.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  lb: string;
  listener: string;
  servicePort: number;
  problem: BackendProblem['kind'];
  problems: { kind: BackendProblem['kind']; backend?: string; port?: number; expectedPort?: number }[];
  expected: { targets: ExpectedBackendGroup['targets']; port?: number };
}

/** When the provider profile does not say what the LB targets, read it off the registered backends. */
function inferTargets(l: LbListener): 'nodes' | 'pods' | 'unknown' {
  const b = listenerBackends(l);
  if (b.length > 0 && b.every((x) => x.target.startsWith('node/'))) return 'nodes';
  if (b.length > 0 && b.every((x) => x.target.startsWith('pod/'))) return 'pods';
  return 'unknown';
}

export default defineCheck<Data>({
  id: 'lb-backend-mismatch',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.85,
  title: (d) =>
    d.problem === 'no-listener'
      ? `Load balancer ${d.lb} has no listener for Service port ${d.servicePort}`
      : `Backend group of ${d.lb} listener ${d.listener} does not match the Service (${d.problem})`,
  docs: {
    what: "The load balancer's listener for a Service port is missing, or its backend server group does not hold the nodes (at the Service's nodePort) or pods (at their targetPort) the Service needs.",
    why: 'The LB forwards only to what its backend group lists. A stale nodePort after the Service was recreated, nodes that left the cluster, pod IPs of deleted pods, or an empty group (e.g. an update that failed to add members while the health check was off) all make the LB address fail while NodeIP:nodePort still works (seed 000 check item 3).',
    confirm:
      "Compare the listener's backend server group in the cloud console (or CLI) with kubectl get svc NAME -o jsonpath={.spec.ports} (nodePort) and kubectl get endpointslices -l kubernetes.io/service-name=NAME (pod IPs).",
    fix: 'Let the cloud controller resync the LB: fix the Service annotations so they point at the right LB and ports, then touch the Service (kubectl annotate) to trigger a resync; or correct the backend server group in the console (members at the nodePort / pod targetPort).',
  },
  source: ['seed 000 check item 3 (backend server group does not meet the expectation)'],
  run({ snapshot, service, question, mode, unknown }) {
    if (service?.type !== 'LoadBalancer') return [];
    if (!asksAboutLoadBalancer(question, mode)) return [];
    const inv = snapshot.data.cloud;
    if (!inv) return [];
    if (!inv.loadBalancers) {
      unknown('CloudInventory has no loadBalancers: listeners and backend groups not checked');
      return [];
    }
    const lbs = loadBalancersForService(inv, service);
    if (lbs.length === 0) {
      if (service.loadBalancerIngress.length > 0)
        unknown(
          `no load balancer in the CloudInventory for ${service.meta.namespace}/${service.meta.name} (owner service/${service.meta.namespace}/${service.meta.name} or address ${service.loadBalancerIngress.map((i) => i.ip ?? i.hostname).join(', ')})`,
        );
      return [];
    }
    const behaviour = lbBehaviour(inv, service, clusterVersion(snapshot, inv));
    const hits = [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const resync = `kubectl annotate service ${name} -n ${ns} svcdoctor.io/resync="$(date +%s)" --overwrite`;
    for (const lb of lbs) {
      for (const sp of portsInQuestion(service, question)) {
        const listener = listenerForServicePort(lb, sp);
        if (!listener) {
          hits.push({
            subject: refOf(service),
            data: {
              lb: lb.id,
              listener: `${sp.protocol}/${sp.port}`,
              servicePort: sp.port,
              problem: 'no-listener' as const,
              problems: [{ kind: 'no-listener' as const }],
              expected: { targets: behaviour.targets },
            },
            evidence: [
              `${lb.id} listeners: ${lb.listeners.map((l) => `${l.protocol}/${l.port}`).join(', ') || 'none'}`,
              `Service port ${sp.name || sp.port} is ${sp.protocol}/${sp.port}`,
            ],
            fix: {
              summary: `Add a ${sp.protocol} listener on port ${sp.port} to ${lb.id} (the cloud controller adds it when it resyncs the Service; in the console: Listeners → Add listener), forwarding to the Service's backend group.`,
              commands: [`kubectl describe service ${name} -n ${ns}`, resync],
            },
          });
          continue;
        }
        const targets = behaviour.targets === 'unknown' ? inferTargets(listener) : behaviour.targets;
        const effective =
          targets === behaviour.targets
            ? behaviour
            : {
                ...behaviour,
                targets,
                backendPort: targets === 'nodes' ? ('nodePort' as const) : ('targetPort' as const),
              };
        const expected = expectedBackends(snapshot, service, sp, effective);
        const problems = compareBackends(snapshot, expected, listener);
        if (problems.length === 0) continue;
        const all = listenerBackends(listener);
        const wrong = new Set(problems.map((p) => p.backend));
        const someFine = all.some((b) => !wrong.has(b));
        const first = problems[0] as BackendProblem;
        const portFix = expected.port !== undefined ? ` at port ${expected.port}` : '';
        hits.push({
          subject: refOf(service),
          severity: someFine ? ('warning' as const) : ('error' as const),
          data: {
            lb: lb.id,
            listener: `${listener.protocol}/${listener.port}`,
            servicePort: sp.port,
            problem: first.kind,
            problems: problems.map((p) => ({
              kind: p.kind,
              ...(p.backend ? { backend: p.backend.target, port: p.backend.port } : {}),
              ...(p.expectedPort !== undefined ? { expectedPort: p.expectedPort } : {}),
            })),
            expected: {
              targets: expected.targets,
              ...(expected.port !== undefined ? { port: expected.port } : {}),
            },
          },
          evidence: [
            `Service ${ns}/${name} port ${sp.port}: LB should send to ${expected.targets}${portFix} (${behaviour.provider} profile${behaviour.targets === 'unknown' ? ', read from the registered backends' : ''})`,
            ...problems.map((p) => p.detail),
          ],
          fix: {
            summary: `Make the backend server group of ${lb.id} ${listener.protocol}/${listener.port} hold the Service's ${expected.targets}${portFix}: trigger a resync of the Service so the cloud controller rewrites it, or fix the members in the cloud console (ELB → backend server groups).`,
            commands: [`kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.ports}'`, resync],
          },
        });
      }
    }
    return hits;
  },
});
