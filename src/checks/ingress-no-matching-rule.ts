import {
  ingressesRoutingTo,
  ingressRequest,
  observedSymptom,
  routeRequest,
} from '../dataplane/ingress/index.js';
import { didYouMean } from '../model/didyoumean.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

type Problem = 'no-rule' | 'routes-elsewhere' | 'default-backend' | 'no-ingress-for-service';

interface Data extends Record<string, unknown> {
  host?: string;
  path?: string;
  problem: Problem;
  routedTo?: string;
  ingresses: string[];
  suggestion?: string;
}

export default defineCheck<Data>({
  id: 'ingress-no-matching-rule',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.85,
  title: (d) => {
    const req = `${d.host ?? '*'}${d.path ?? ''}`;
    switch (d.problem) {
      case 'no-rule':
        return `No Ingress rule matches ${req} (404)`;
      case 'routes-elsewhere':
        return `Ingress rules send ${req} to ${d.routedTo}, not to this Service`;
      case 'default-backend':
        return `${req} matches no rule and falls to the default backend ${d.routedTo}`;
      default:
        return 'No Ingress routes to this Service';
    }
  },
  docs: {
    what: "The request's host and path match no Ingress rule (the controller answers 404), or they match a rule that sends the request to another Service or to the default backend.",
    why: 'Ingress routing is exact: a host matches precisely or by a one-label wildcard, Prefix paths match whole path elements (/api does not match /apis), Exact paths match the whole string, the longest match wins and Exact beats Prefix. A host typo, a missing path, or a broader rule elsewhere sends requests away from the Service (seed 003: "if the request returns 404, check whether Ingress forwarding rules are correctly configured").',
    confirm:
      'kubectl get ingress -A -o wide and kubectl describe ingress NAME: compare each rule\'s host/path/pathType with the request URL; curl -v -H "Host: HOST" http://ADDRESS/PATH shows the controller\'s 404.',
    fix: 'Add or correct the rule (host, path, pathType) so the request reaches the Service, e.g. kubectl edit ingress NAME; mind that a Prefix path matches by elements and a wildcard host covers exactly one label.',
  },
  source: [
    'seed 003 (Ingress returns 404: forwarding rules)',
    'Ingress spec: path types and matching examples, hostname wildcards',
  ],
  run({ snapshot, service, question, mode, unknown }) {
    if (!service || mode !== 'diagnose' || question.via !== 'ingress') return [];
    if (!snapshot.has('Ingress')) return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const mine = ingressesRoutingTo(snapshot, service);
    const req = ingressRequest(snapshot, question);
    if (req.source === 'none') {
      if (mine.length > 0) {
        unknown('request host/path unknown: Ingress rule matching not checked', 'pass --host and --path');
        return [];
      }
      return [
        {
          subject: refOf(service),
          data: { problem: 'no-ingress-for-service' as const, ingresses: [] },
          evidence: [`no Ingress in namespace ${ns} has a rule or default backend naming Service ${name}`],
          fix: {
            summary: `Create an Ingress rule whose backend is Service ${name} (port ${service.ports[0]?.port ?? 'PORT'}).`,
            commands: [
              `kubectl create ingress ${name} -n ${ns} --rule="HOST/PATH*=${name}:${service.ports[0]?.port ?? 80}"`,
              `kubectl get ingress -n ${ns}`,
            ],
          },
        },
      ];
    }
    const path = req.path ?? '/';
    // One controller merges the Ingresses of its class; other classes never see the request.
    const classes = new Set(mine.map((i) => i.ingressClassName));
    const all =
      mine.length > 0
        ? snapshot.data.ingresses.filter((i) => classes.has(i.ingressClassName))
        : snapshot.data.ingresses;
    const r = routeRequest(all, req.host, path);
    const hostNames = [
      ...new Set(all.flatMap((i) => i.rules.map((x) => x.host).filter((h): h is string => !!h))),
    ];
    const base = {
      ...(req.host !== undefined ? { host: req.host } : {}),
      path,
      ingresses: mine.map((i) => `${i.meta.namespace}/${i.meta.name}`),
    };
    const reqText = `${req.host ?? '(any host)'}${path}`;
    const evidence = [
      `request ${reqText}${req.source === 'observation' ? ` (from an observation: ${req.observed})` : ''}`,
    ];
    const targetOf = (b: { service?: { name: string } } | undefined, inNs: string) =>
      b?.service ? `${inNs}/${b.service.name}` : 'a resource backend';
    if (r.match) {
      const to = targetOf(r.match.backend, r.match.ingress.meta.namespace);
      if (to === `${ns}/${name}`) return [];
      evidence.push(
        `matched ${r.match.ingress.meta.namespace}/${r.match.ingress.meta.name} rule ${r.match.host ?? '(any host)'} ${r.match.path.path ?? '/'} (${r.match.path.pathType}) → ${to}`,
        ...r.notes,
      );
      return [
        {
          subject: refOf(service),
          confidence: 0.6,
          data: { ...base, problem: 'routes-elsewhere' as const, routedTo: to },
          evidence,
          fix: {
            summary: `A ${r.match.hostMatch === 'exact' ? '' : 'broader '}rule of ${r.match.ingress.meta.name} wins for ${reqText}; add a more specific path (longer, or Exact) for Service ${name}, or change that rule.`,
            commands: [
              `kubectl describe ingress ${r.match.ingress.meta.name} -n ${r.match.ingress.meta.namespace}`,
            ],
          },
        },
      ];
    }
    if (r.defaultBackend) {
      const to = targetOf(r.defaultBackend.backend, r.defaultBackend.ingress.meta.namespace);
      if (to === `${ns}/${name}`) return [];
      evidence.push(
        `no rule matches; spec.defaultBackend of ${r.defaultBackend.ingress.meta.name} answers (${to})`,
      );
      return [
        {
          subject: refOf(service),
          data: { ...base, problem: 'default-backend' as const, routedTo: to },
          evidence,
          fix: {
            summary: `Add a rule for ${reqText} with Service ${name} as backend.`,
            commands: [
              `kubectl edit ingress ${mine[0]?.meta.name ?? r.defaultBackend.ingress.meta.name} -n ${ns}`,
            ],
          },
        },
      ];
    }
    const suggestion = req.host ? didYouMean(req.host, hostNames) : undefined;
    const hostsSeen = mine.flatMap((i) =>
      i.rules.map(
        (x) =>
          `${x.host ?? '(any host)'}: ${x.paths.map((p) => `${p.path ?? '/'} (${p.pathType})`).join(', ')}`,
      ),
    );
    evidence.push(
      'no rule matches and no default backend: the controller answers 404',
      ...hostsSeen.slice(0, 5).map((h) => `rules for ${name}: ${h}`),
    );
    if (suggestion) evidence.push(`did you mean host ${suggestion}?`);
    const seen404 = observedSymptom(req, ['http-404']);
    if (seen404 && req.source === 'question') evidence.push('observed: http-404 for this host');
    return [
      {
        subject: refOf(service),
        ...(seen404 ? { confidence: 0.95 } : {}),
        data: { ...base, problem: 'no-rule' as const, ...(suggestion ? { suggestion } : {}) },
        evidence,
        fix: {
          summary: suggestion
            ? `The request host ${req.host} matches no rule; use ${suggestion}, or add a rule for ${req.host}.`
            : `Add a rule matching ${reqText} (host, path, pathType) with Service ${name} as backend.`,
          commands: mine[0]
            ? [`kubectl edit ingress ${mine[0].meta.name} -n ${ns}`]
            : [
                `kubectl create ingress ${name} -n ${ns} --rule="${req.host ?? ''}${path}*=${name}:${service.ports[0]?.port ?? 80}"`,
              ],
        },
      },
    ];
  },
});
