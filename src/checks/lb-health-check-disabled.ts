import { CCE, listenerForServicePort, loadBalancersForService } from '../dataplane/cloud/index.js';
import { asksAboutLoadBalancer, portsInQuestion } from '../dataplane/cloud/question.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

// Seed 000 check item 3: the consequence users meet first, so it travels with the fix.
const NO_NEW_GROUPS =
  'while the health check stays off, updating the Service fails to add new backend server groups to the load balancer';

export default defineCheck<{
  lb?: string;
  listener?: string;
  source: 'inventory' | 'annotation';
  annotation?: string;
}>({
  id: 'lb-health-check-disabled',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.8,
  title: (d) =>
    d.listener
      ? `Health check is disabled on ${d.lb} listener ${d.listener}`
      : 'The Service switches the load balancer health check off',
  docs: {
    what: 'A layer-4 (TCP/UDP) listener of the Service\'s load balancer runs without a health check, or the Service annotation turns it off (CCE kubernetes.io/elb.health-check-flag: "off").',
    why: 'Without a health check the LB keeps sending to members that cannot answer (nodes without a ready pod under externalTrafficPolicy Local, drained nodes), and on CCE a Service released with the health check off fails to add new members to the backend server group when it is updated (seed 000 check item 3) — the ELB address then stops working while NodeIP:nodePort still does.',
    confirm:
      'In the cloud console: the listener\'s backend server group shows health check "disabled"; kubectl get svc NAME -o jsonpath=\'{.metadata.annotations}\' shows kubernetes.io/elb.health-check-flag: "off".',
    fix: 'Turn the health check on (it is on by default): set the annotation to "on" (CCE) so the controller enables it, or enable it on the listener in the console (ELB → listener → backend server group → health check).',
  },
  source: ['seed 000 check item 3 (health check of layer-4 load balancing not enabled)'],
  run({ snapshot, service, question, mode }) {
    if (service?.type !== 'LoadBalancer') return [];
    if (!asksAboutLoadBalancer(question, mode)) return [];
    const inv = snapshot.data.cloud;
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const annotation = service.meta.annotations[CCE.healthCheckFlag];
    const annotateOn = `kubectl annotate service ${name} -n ${ns} ${CCE.healthCheckFlag}=on --overwrite`;
    const hits = [];
    for (const lb of loadBalancersForService(inv, service)) {
      for (const sp of portsInQuestion(service, question)) {
        const l = listenerForServicePort(lb, sp);
        if (!l || (l.protocol !== 'TCP' && l.protocol !== 'UDP')) continue;
        if (l.healthCheck?.enabled !== false) continue;
        hits.push({
          subject: refOf(service),
          data: {
            lb: lb.id,
            listener: `${l.protocol}/${l.port}`,
            source: 'inventory' as const,
            ...(annotation !== undefined ? { annotation } : {}),
          },
          evidence: [
            `${lb.id} listener ${l.protocol}/${l.port}: health check disabled`,
            ...(annotation !== undefined ? [`annotation ${CCE.healthCheckFlag}: "${annotation}"`] : []),
          ],
          fix: {
            summary: `Enable the health check of ${lb.id} listener ${l.protocol}/${l.port} (cloud console: listener → backend server group → health check → enable)${inv?.provider === 'cce' ? ', and set the Service annotation so the controller keeps it on' : ''}.`,
            commands:
              inv?.provider === 'cce' || annotation !== undefined
                ? [annotateOn]
                : [`kubectl describe service ${name} -n ${ns}`],
            caveats: [NO_NEW_GROUPS],
          },
        });
      }
    }
    if (hits.length > 0) return hits;
    // Without listener data, the CCE annotation alone says the check is off.
    const off = annotation?.trim().toLowerCase() === 'off';
    if (off && (!inv || inv.provider === 'cce' || inv.provider === 'generic')) {
      return [
        {
          subject: refOf(service),
          confidence: 0.7,
          data: { source: 'annotation' as const, annotation: annotation ?? 'off' },
          evidence: [
            `annotation ${CCE.healthCheckFlag}: "${annotation}" — the ELB listener is created without a health check`,
          ],
          fix: {
            summary:
              'Switch the health check back on with the annotation; the CCE controller then enables it on the ELB listener.',
            commands: [annotateOn],
            caveats: [NO_NEW_GROUPS],
          },
        },
      ];
    }
    return [];
  },
});
