import {
  DEFAULT_CLASS_ANNOTATION,
  ingressesRoutingTo,
  resolveIngressClass,
} from '../dataplane/ingress/index.js';
import { didYouMean } from '../model/didyoumean.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  ingress: string;
  problem: 'class-not-found' | 'no-class' | 'several-defaults';
  className?: string;
  classes: string[];
  suggestion?: string;
}

export default defineCheck<Data>({
  id: 'ingress-class-missing',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.8,
  title: (d) =>
    d.problem === 'class-not-found'
      ? `Ingress ${d.ingress} names IngressClass ${d.className}, which does not exist`
      : d.problem === 'several-defaults'
        ? `Ingress ${d.ingress} has no class and several IngressClasses claim to be the default`
        : `Ingress ${d.ingress} has no class and no default IngressClass exists`,
  docs: {
    what: 'An Ingress that routes to the Service names an IngressClass (spec.ingressClassName) that does not exist, or names none while no single IngressClass is marked ingressclass.kubernetes.io/is-default-class.',
    why: 'Ingress controllers only serve Ingresses of their class. With an unknown class, or no class and no default, no controller programs the rules: the Ingress gets no address and every request fails (connection refused, or 404 from some other controller).',
    confirm:
      "kubectl get ingressclass (names, controllers, which is default) and kubectl get ingress NAME -o jsonpath={.spec.ingressClassName}; the Ingress's ADDRESS column stays empty.",
    fix: 'Set spec.ingressClassName to an existing class (kubectl patch ingress NAME -p \'{"spec":{"ingressClassName":"CLASS"}}\'), or mark exactly one IngressClass as default.',
  },
  source: [
    'Ingress spec: IngressClass, default IngressClass annotation',
    'seed 003 (Ingress not accessible)',
  ],
  run({ snapshot, service, question, mode, unknown }) {
    if (!service) return [];
    if (mode === 'diagnose' && question.via !== 'ingress') return [];
    if (!snapshot.has('Ingress')) return [];
    const classes = snapshot.data.ingressClasses.map((c) => c.meta.name);
    const hits = [];
    for (const ing of ingressesRoutingTo(snapshot, service)) {
      const res = resolveIngressClass(snapshot, ing);
      const name = `${ing.meta.namespace}/${ing.meta.name}`;
      if (res.state === 'unknown') {
        unknown(
          `${res.reason}: the class of Ingress ${name} not checked`,
          'kubectl get ingressclass -o yaml',
        );
        continue;
      }
      const patch = (cls: string) =>
        `kubectl patch ingress ${ing.meta.name} -n ${ing.meta.namespace} --type=merge -p '{"spec":{"ingressClassName":"${cls}"}}'`;
      if (res.state === 'missing') {
        const suggestion = didYouMean(res.className, classes);
        hits.push({
          subject: refOf(service),
          data: {
            ingress: name,
            problem: 'class-not-found' as const,
            className: res.className,
            classes,
            ...(suggestion ? { suggestion } : {}),
          },
          evidence: [
            `${name}: spec.ingressClassName ${res.className}`,
            `IngressClasses: ${classes.join(', ') || 'none'}`,
            ...(suggestion ? [`did you mean ${suggestion}?`] : []),
          ],
          fix: {
            summary: `Set the Ingress class to an existing IngressClass${suggestion ? ` (${suggestion})` : ''}, or install the controller that provides ${res.className}.`,
            commands: [
              ...((suggestion ?? classes[0]) ? [patch((suggestion ?? classes[0]) as string)] : []),
              'kubectl get ingressclass',
            ],
          },
        });
      } else if (res.state === 'no-class') {
        const several = res.defaults.length > 1;
        hits.push({
          subject: refOf(service),
          data: {
            ingress: name,
            problem: several ? ('several-defaults' as const) : ('no-class' as const),
            classes,
          },
          evidence: [
            `${name}: no spec.ingressClassName and no kubernetes.io/ingress.class annotation`,
            several
              ? `IngressClasses marked default: ${res.defaults.join(', ')}`
              : `no IngressClass has ${DEFAULT_CLASS_ANNOTATION}: "true" (classes: ${classes.join(', ') || 'none'})`,
          ],
          fix: {
            summary: several
              ? `Keep the default annotation on one IngressClass only, or set spec.ingressClassName on the Ingress.`
              : `Set spec.ingressClassName on the Ingress${classes[0] ? ` (e.g. ${classes[0]})` : ''}, or mark one IngressClass as default.`,
            commands: classes[0]
              ? [
                  patch(classes[0]),
                  `kubectl annotate ingressclass ${classes[0]} ${DEFAULT_CLASS_ANNOTATION}=true --overwrite`,
                ]
              : ['kubectl get ingressclass'],
          },
        });
      }
    }
    return hits;
  },
});
