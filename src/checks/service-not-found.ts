import { suggest } from '../model/didyoumean.js';
import { defineCheck } from './define.js';

export default defineCheck<{
  namespace: string;
  name: string;
  namespaceKnown: boolean;
  /** Services in the same namespace whose names are close to the one asked for. */
  similarNames: string[];
  /** Other namespaces that hold a Service with exactly this name. */
  inNamespaces: string[];
  /** Known namespaces whose names are close to the one asked for (when it holds nothing). */
  similarNamespaces: string[];
}>({
  id: 'service-not-found',
  severity: 'error',
  layer: 'service',
  confidence: 0.99,
  title: (d) => {
    const hint = d.similarNames[0]
      ? ` (did you mean ${d.similarNames[0]}?)`
      : d.inNamespaces[0]
        ? ` (a Service of that name exists in namespace ${d.inNamespaces[0]})`
        : '';
    return `Service ${d.namespace}/${d.name} does not exist${hint}`;
  },
  docs: {
    what: 'The Service the client asks for is not in the snapshot: no object of that name lives in that namespace.',
    why: 'Without the Service object there is no ClusterIP, no DNS record (NXDOMAIN for NAME.NS.svc), no node port and no load balancer. A typo in the name or the namespace is the usual cause; a client in another namespace also needs the NAME.NAMESPACE form of the DNS name.',
    confirm:
      'kubectl get svc NAME -n NS says NotFound; kubectl get svc -A --field-selector metadata.name=NAME lists the namespaces that do hold it.',
    fix: 'Use the right name and namespace (the suggestions list the near misses), or create the Service (kubectl expose deployment NAME --port PORT --target-port TARGET -n NS).',
  },
  source: [
    'kubernetes.io Debug Services: "Does the Service exist?"',
    'seed 003: in-cluster access by my-svc.my-namespace.svc.cluster.local',
  ],
  run({ snapshot, service, question, unknown }) {
    if (service) return [];
    const namespace = question.target.namespace ?? 'default';
    const name = question.target.name;
    if (!snapshot.has('Service')) {
      unknown(
        'Services were not collected: the target cannot be confirmed',
        `kubectl get svc -n ${namespace} -o yaml`,
      );
      return [];
    }
    const similarNames = suggest(
      name,
      snapshot.servicesIn(namespace).map((s) => s.meta.name),
    ).map((s) => s.name);
    const namespaces = snapshot.namespaces;
    const inNamespaces = namespaces.filter((ns) => ns !== namespace && snapshot.service(ns, name));
    const namespaceKnown = snapshot.namespaceExists(namespace);
    const similarNamespaces = namespaceKnown
      ? []
      : suggest(
          namespace,
          namespaces.filter((ns) => snapshot.servicesIn(ns).length > 0),
        ).map((s) => s.name);

    const evidence = [
      `no Service ${name} in namespace ${namespace} (${snapshot.servicesIn(namespace).length} Services there)`,
    ];
    if (!namespaceKnown) evidence.push(`namespace ${namespace} is not in the snapshot`);
    if (similarNames.length) evidence.push(`similar names in ${namespace}: ${similarNames.join(', ')}`);
    if (inNamespaces.length) evidence.push(`Service ${name} exists in: ${inNamespaces.join(', ')}`);
    if (similarNamespaces.length) evidence.push(`similar namespaces: ${similarNamespaces.join(', ')}`);

    const commands = [`kubectl get svc -A --field-selector metadata.name=${name}`];
    let summary: string;
    if (similarNames[0]) {
      summary = `Use the Service name ${similarNames[0]} (namespace ${namespace}).`;
      commands.splice(
        0,
        1,
        `kubectl get svc ${similarNames[0]} -n ${namespace} -o wide`,
        `kubectl get svc -n ${namespace}`,
      );
    } else if (inNamespaces[0]) {
      summary = `The Service lives in namespace ${inNamespaces[0]}: pass -n ${inNamespaces[0]}, and from a Pod in another namespace use the DNS name ${name}.${inNamespaces[0]}.`;
      commands.unshift(`kubectl get svc ${name} -n ${inNamespaces[0]} -o wide`);
    } else if (similarNamespaces[0]) {
      summary = `Namespace ${namespace} does not exist here; did you mean ${similarNamespaces[0]}?`;
      commands.unshift(`kubectl get svc -n ${similarNamespaces[0]}`);
    } else {
      summary = `Create the Service, or check the name: nothing close to ${name} exists in ${namespace}.`;
      commands.push(`kubectl get svc -n ${namespace}`);
    }
    return [
      {
        subject: { kind: 'Service', namespace, name },
        data: { namespace, name, namespaceKnown, similarNames, inNamespaces, similarNamespaces },
        evidence,
        fix: { summary, commands },
      },
    ];
  },
});
