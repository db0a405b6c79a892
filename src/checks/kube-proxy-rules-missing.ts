import type { Snapshot } from '../model/snapshot.js';
import type { Service, ServicePort } from '../model/types.js';
import {
  expectedIptables,
  isNodeDumpParseError,
  loadNodeDump,
  type NodeDumpView,
  nodeLocalAddresses,
} from '../nodedump/index.js';
import { intToIpv4, isIPv4, parseCidr } from '../nodedump/ip.js';
import { evaluateIptables, type NodeTrace, type TraceRule } from '../nodedump/iptables/evaluate.js';
import type { Ruleset } from '../nodedump/iptables/model.js';
import type { RenderedService } from '../nodedump/iptables/render.js';
import { evaluateIpvs } from '../nodedump/ipvs/evaluate.js';
import { type CheckHit, defineCheck } from './define.js';

// Compares what kube-proxy should have programmed for the Service on each dumped node (our
// renderer's rules, evaluated) with the node's real rules (its dump, evaluated). Comparing
// answers rather than text keeps the check independent of kube-proxy's version: a node whose
// rules send the ClusterIP to the right endpoints passes whatever its chain layout.

/** Which address of the Service the compared packet was sent to. */
type Path = 'clusterip' | 'nodeport' | 'loadbalancer' | 'externalip';

type Problem =
  | 'no-kube-proxy-rules'
  | 'missing-service-rules'
  | 'missing-endpoints'
  | 'stale-endpoints'
  | 'missing-nodeport'
  | 'missing-reject';

interface Data extends Record<string, unknown> {
  node: string;
  service: string;
  port: string;
  path: Path | 'node';
  problem: Problem;
  /** Endpoints (IP:port) kube-proxy should send this path to, and what the dump sends it to. */
  expected: string[];
  actual: string[];
  /** Chains kube-proxy would have created that the dump lacks. */
  missingChains: string[];
  /** The dump file and the rule that decided the packet's fate there (or where it fell through). */
  file: string;
  rule?: string;
}

// Documentation-range source addresses: they are data for the evaluator, never contacted.
const OUTSIDE_CLIENT = '203.0.113.1';

function podSource(snapshot: Snapshot, node: string): string {
  const pod = snapshot.podsOnNode(node).find((p) => !p.hostNetwork && p.podIP && isIPv4(p.podIP));
  if (pod?.podIP) return pod.podIP;
  const cidr = snapshot.data.kubeProxy?.clusterCIDR?.split(',').find((c) => isIPv4(c.split('/')[0] ?? ''));
  const podCidr = snapshot.node(node)?.podCIDRs.find((c) => isIPv4(c.split('/')[0] ?? ''));
  const base = (podCidr ?? cidr)?.split('/')[0];
  if (base) {
    const o = base.split('.').map(Number);
    return `${o[0]}.${o[1]}.${o[2]}.${(o[3] ?? 0) + 2}`;
  }
  return OUTSIDE_CLIENT;
}

/**
 * The rule on the node that decides the problem: the DNAT rule that still sends to a stale
 * endpoint, the REJECT/DROP that ended the packet, or (when nothing matched) the chain that lacks
 * a rule for it.
 */
function decisiveRule(rs: Ruleset, t: NodeTrace, problem: Problem, stale: string[], path: Path): string {
  const at = (r: TraceRule) => `${r.table}/${r.chain} line ${r.line}: ${r.rule}`;
  const targetOf = (r: TraceRule) =>
    rs.tables
      .get(r.table)
      ?.chains.get(r.chain)
      ?.rules.find((x) => x.line === r.line)?.target?.name;
  if (problem === 'stale-endpoints') {
    const branch = t.branches.find((b) => b.endpoint && stale.includes(b.endpoint));
    const dnat = branch?.rules.find((r) => targetOf(r) === 'DNAT');
    if (dnat) return at(dnat);
  }
  for (const b of t.branches) {
    if (b.verdict !== 'dropped' && b.verdict !== 'rejected') continue;
    const end = b.rules.find((r) => targetOf(r) === 'DROP' || targetOf(r) === 'REJECT');
    if (end) return at(end);
  }
  const chain = path === 'nodeport' ? 'nat/KUBE-NODEPORTS' : 'nat/KUBE-SERVICES';
  return `no rule in ${chain} matches the packet`;
}

/** kube-proxy's IPVS mode leaves its mark in iptables: rules matching its KUBE-* ipsets. */
function usesIpvsSets(rs: Ruleset): boolean {
  const chain = rs.tables.get('nat')?.chains.get('KUBE-SERVICES');
  return (
    chain?.rules.some((r) => r.matches.some((m) => m.kind === 'set' && m.name.startsWith('KUBE-'))) ?? false
  );
}

function diff(a: string[], b: string[]): string[] {
  const s = new Set(b);
  return a.filter((x) => !s.has(x));
}

function portLabel(p: ServicePort): string {
  return `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}`;
}

function missingChainsIn(view: NodeDumpView, r: RenderedService, path: Path): string[] {
  const nat = view.iptables?.tables.get('nat');
  const want: string[] = [];
  if (path === 'clusterip') {
    if (r.usesClusterChain) want.push(r.chains.svc);
  } else {
    if (path === 'loadbalancer' && r.usesFirewallChain) want.push(r.chains.fw);
    if (r.usesExternalChain) want.push(r.chains.ext);
    if (r.usesLocalChain) want.push(r.chains.svl);
    else if (r.usesClusterChain) want.push(r.chains.svc);
  }
  const eps = path === 'clusterip' ? r.clusterEndpoints : [...r.localEndpoints, ...r.clusterEndpoints];
  for (const ep of eps) {
    const c = r.endpointChains[ep];
    if (c && !want.includes(c)) want.push(c);
  }
  return want.filter((c) => !nat?.chains.has(c));
}

interface Compare {
  path: Path;
  dst: string;
  from: 'a pod' | 'outside';
  expected: NodeTrace;
  actual: NodeTrace;
}

function classify(c: Compare): { problem: Problem; expected: string[]; actual: string[] } | undefined {
  const e = c.expected;
  const a = c.actual;
  if (e.verdict === 'delivered') {
    if (a.verdict !== 'delivered') {
      return {
        problem: c.path === 'nodeport' ? 'missing-nodeport' : 'missing-service-rules',
        expected: e.endpoints,
        actual: [],
      };
    }
    const missing = diff(e.endpoints, a.endpoints);
    const stale = diff(a.endpoints, e.endpoints);
    if (stale.length > 0) return { problem: 'stale-endpoints', expected: e.endpoints, actual: a.endpoints };
    if (missing.length > 0)
      return { problem: 'missing-endpoints', expected: e.endpoints, actual: a.endpoints };
    return undefined;
  }
  if ((e.verdict === 'rejected' || e.verdict === 'dropped') && a.verdict === 'delivered') {
    return { problem: 'stale-endpoints', expected: [], actual: a.endpoints };
  }
  if (e.verdict === 'rejected' && a.verdict === 'unhandled') {
    return { problem: 'missing-reject', expected: [], actual: [] };
  }
  return undefined;
}

const PATH_NAMES: Record<Data['path'], string> = {
  clusterip: 'ClusterIP',
  nodeport: 'NodePort',
  loadbalancer: 'load-balancer IP',
  externalip: 'external IP',
  node: 'node',
};

/** A source the Service's loadBalancerSourceRanges admit (the first address of the first range). */
function allowedSource(service: Service): string {
  for (const r of service.loadBalancerSourceRanges) {
    const c = parseCidr(r.trim());
    if (c?.family === 4) return intToIpv4(c.bits === 32 ? c.base : c.base + 1);
  }
  return OUTSIDE_CLIENT;
}

export default defineCheck<Data>({
  id: 'kube-proxy-rules-missing',
  severity: 'error',
  layer: 'kube-proxy',
  confidence: 0.85,
  title: (d) => {
    switch (d.problem) {
      case 'no-kube-proxy-rules':
        return `Node ${d.node} has no kube-proxy rules at all in ${d.file}`;
      case 'missing-service-rules':
        return `Node ${d.node} has no rules for ${d.service} port ${d.port}: its ${PATH_NAMES[d.path]} is not forwarded`;
      case 'missing-endpoints':
        return `Node ${d.node} sends ${d.service} port ${d.port} to only some of its endpoints`;
      case 'stale-endpoints':
        return `Node ${d.node} still sends ${d.service} port ${d.port} (${d.path}) to endpoints that are gone`;
      case 'missing-nodeport':
        return `Node ${d.node} has no KUBE-NODEPORTS entry for ${d.service} port ${d.port}`;
      case 'missing-reject':
        return `Node ${d.node} lacks the REJECT rule for ${d.service} port ${d.port}, which has no endpoints`;
    }
  },
  docs: {
    what: "A node's iptables (or IPVS) dump does not forward the Service the way kube-proxy should have programmed it: chains missing, endpoints missing or stale, or no NodePort entry.",
    why: "kube-proxy rewrites every node's rules from the Service and EndpointSlice objects. When it is stopped, crash-looping, failing iptables-restore, or a tool flushed the tables, the node keeps old rules or none: connections through that node time out, are refused, or go to pods that no longer exist, while other nodes work.",
    confirm:
      'On the node: iptables-save -t nat | grep "<namespace>/<service>" (or ipvsadm -Ln -t CLUSTER-IP:PORT). Compare the DNAT --to-destination targets with kubectl get endpointslices -l kubernetes.io/service-name=<service>. Check kube-proxy\'s logs on that node for sync errors.',
    fix: 'Restart kube-proxy on the node so it resyncs every rule (delete its pod); if it fails again, read its log for the iptables-restore error. Make sure nothing else flushes the nat table (firewalld, a CNI reinstall, a node script).',
  },
  source: [
    'seed 003: check whether the iptables or IPVS forwarding rules of the node are complete',
    'kubernetes pkg/proxy/iptables/proxier.go syncProxyRules (rules kube-proxy programs)',
    'kubernetes.io Debug Services: "Is kube-proxy writing iptables rules?"',
  ],
  run({ snapshot, service, unknown }) {
    if (!service) return [];
    if (
      service.type === 'ExternalName' ||
      service.headless ||
      !service.clusterIP ||
      service.clusterIP === 'None'
    )
      return [];
    if (snapshot.data.nodeDumps.length === 0) return [];
    if (!snapshot.has('EndpointSlice') && !snapshot.has('Endpoints')) {
      // Without the endpoint objects every endpoint in a dump would look stale.
      unknown(
        'node dumps not compared with kube-proxy: EndpointSlices were not collected',
        `kubectl get endpointslices -n ${service.meta.namespace} -o yaml`,
      );
      return [];
    }
    const hits: CheckHit<Data>[] = [];
    for (const files of snapshot.data.nodeDumps) {
      let view: NodeDumpView;
      try {
        view = loadNodeDump(files);
      } catch (e) {
        if (!isNodeDumpParseError(e)) throw e;
        unknown(
          `node dump of ${files.node} unreadable: ${e.message}`,
          'collect it again with iptables-save > NODE.iptables',
        );
        continue;
      }
      hits.push(...checkNode(snapshot, service, files.node, view, unknown));
    }
    return hits;
  },
});

function checkNode(
  snapshot: Snapshot,
  service: Service,
  node: string,
  view: NodeDumpView,
  unknown: (what: string, collect?: string) => void,
): CheckHit<Data>[] {
  const svcName = `${service.meta.namespace}/${service.meta.name}`;
  const mode = snapshot.data.kubeProxy?.mode ?? snapshot.data.cloud?.cluster.kubeProxy?.mode;
  const fixFor = (what: string): CheckHit<Data>['fix'] => ({
    summary: `Restart kube-proxy on ${node} so it reprograms ${what}, then find out why it stopped syncing.`,
    commands: [
      `kubectl -n kube-system get pods -l k8s-app=kube-proxy -o wide --field-selector spec.nodeName=${node}`,
      `kubectl -n kube-system logs -l k8s-app=kube-proxy --tail=200 --prefix | grep -i -e error -e restore`,
      `kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=${node}`,
    ],
    caveats: [
      'A dump taken at another moment than the objects can differ for a few seconds while kube-proxy syncs.',
    ],
  });
  const subject = { kind: 'Node', name: node };
  if (!isIPv4(service.clusterIP)) {
    unknown(`kube-proxy rules on ${node}: only IPv4 Services are compared`);
    return [];
  }
  if (!snapshot.node(node)) {
    unknown(`node dump ${node}: no Node object of that name, so its NodePort address is not known`);
  }
  const expectedAll = expectedIptables(snapshot, node);
  const local = nodeLocalAddresses(snapshot, node, view);

  // IPVS mode: compare virtual services with the endpoints kube-proxy would use.
  if (view.ipvs && (mode === 'ipvs' || !view.iptables)) {
    const hits: CheckHit<Data>[] = [];
    const nodeIP = expectedAll.rendered.nodeIP;
    const externalLocal =
      (service.type === 'NodePort' || service.type === 'LoadBalancer') &&
      service.externalTrafficPolicy === 'Local';
    for (const r of expectedAll.rendered.services.filter(
      (x) => x.namespace === service.meta.namespace && x.name === service.meta.name,
    )) {
      // The real servers kube-proxy gives each virtual service: the node's own endpoints under a
      // Local traffic policy (internal for the ClusterIP, external for the other addresses).
      const internal = service.internalTrafficPolicy === 'Local' ? r.localEndpoints : r.clusterEndpoints;
      const external = externalLocal ? r.localEndpoints : r.clusterEndpoints;
      const vips: { path: Path; dst: string; port: number; want: string[] }[] = [
        { path: 'clusterip', dst: r.clusterIP, port: r.port, want: internal },
      ];
      if (r.nodePort && nodeIP)
        vips.push({ path: 'nodeport', dst: nodeIP, port: r.nodePort, want: external });
      for (const ing of service.type === 'LoadBalancer' ? service.loadBalancerIngress : []) {
        if (ing.ip && isIPv4(ing.ip) && ing.ipMode !== 'Proxy') {
          vips.push({ path: 'loadbalancer', dst: ing.ip, port: r.port, want: external });
        }
      }
      for (const ip of service.externalIPs.filter(isIPv4)) {
        vips.push({ path: 'externalip', dst: ip, port: r.port, want: external });
      }
      const port = portLabel(
        service.ports.find((p) => p.port === r.port && p.protocol.toLowerCase() === r.protocol)!,
      );
      for (const v of vips) {
        const t = evaluateIpvs(view.ipvs, { dst: v.dst, dport: v.port, protocol: r.protocol as 'tcp' });
        let problem: Problem | undefined;
        if (t.verdict === 'unhandled') {
          if (v.want.length > 0)
            problem = v.path === 'nodeport' ? 'missing-nodeport' : 'missing-service-rules';
        } else if (diff(t.endpoints, v.want).length > 0) problem = 'stale-endpoints';
        else if (diff(v.want, t.endpoints).length > 0) problem = 'missing-endpoints';
        if (!problem) continue;
        hits.push({
          subject,
          data: {
            node,
            service: svcName,
            port,
            path: v.path,
            problem,
            expected: v.want,
            actual: t.endpoints,
            missingChains: [],
            file: view.ipvs.dump.file,
            ...(t.service
              ? {
                  rule: `line ${t.service.line}: ${t.service.protocol} ${t.service.address}:${t.service.port}`,
                }
              : {}),
          },
          evidence: [
            `${view.ipvs.dump.file}: virtual service ${r.protocol.toUpperCase()} ${v.dst}:${v.port} ${t.verdict === 'unhandled' ? 'is missing' : `has real servers ${t.endpoints.join(', ') || '(none)'}`}`,
            `kube-proxy should balance it over ${v.want.join(', ') || '(no endpoint)'}`,
          ],
          fix: fixFor(`the IPVS virtual services of ${svcName}`),
        });
      }
    }
    return hits;
  }
  if (!view.iptables) return [];
  if (mode === 'nftables' || mode === 'ipvs' || (!mode && usesIpvsSets(view.iptables))) {
    // IPVS mode's iptables rules match ipsets and nftables mode keeps nothing in iptables:
    // comparing them with iptables-mode rules would flag every Service.
    unknown(
      `kube-proxy rules on ${node}: ${mode ?? 'IPVS'} mode, and only an iptables dump was collected`,
      mode === 'nftables' ? 'nft list ruleset > NODE.nft' : 'ipvsadm -S -n > NODE.ipvs',
    );
    return [];
  }
  const nat = view.iptables.tables.get('nat');
  if (!nat?.chains.has('KUBE-SERVICES')) {
    if (mode && mode !== 'iptables') return [];
    return [
      {
        subject,
        data: {
          node,
          service: svcName,
          port: '',
          path: 'node',
          problem: 'no-kube-proxy-rules',
          expected: [],
          actual: [],
          missingChains: ['KUBE-SERVICES'],
          file: view.iptables.file,
        },
        evidence: [`${view.iptables.file}: the nat table has no KUBE-SERVICES chain`],
        fix: fixFor('every Service'),
      },
    ];
  }

  const hits: CheckHit<Data>[] = [];
  const nodeIP = expectedAll.rendered.nodeIP;
  const src = podSource(snapshot, node);
  for (const r of expectedAll.rendered.services) {
    if (r.namespace !== service.meta.namespace || r.name !== service.meta.name) continue;
    const sp = service.ports.find((p) => p.port === r.port && p.protocol.toLowerCase() === r.protocol);
    if (!sp) continue;
    const protocol = r.protocol as 'tcp' | 'udp' | 'sctp';
    const runBoth = (pkt: {
      src: string;
      dst: string;
      dport: number;
    }): { expected: NodeTrace; actual: NodeTrace } => ({
      expected: evaluateIptables(
        expectedAll.ruleset,
        { ...pkt, protocol, origin: 'network' },
        { localAddresses: local },
      ),
      actual: evaluateIptables(
        view.iptables!,
        { ...pkt, protocol, origin: 'network' },
        { localAddresses: local },
      ),
    });
    const compare = (
      path: Path,
      from: Compare['from'],
      pkt: { src: string; dst: string; dport: number },
    ): Compare => ({
      path,
      from,
      dst: `${pkt.dst}:${pkt.dport}`,
      ...runBoth(pkt),
    });
    const compares: Compare[] = [compare('clusterip', 'a pod', { src, dst: r.clusterIP, dport: r.port })];
    if (r.nodePort && nodeIP)
      compares.push(compare('nodeport', 'outside', { src: OUTSIDE_CLIENT, dst: nodeIP, dport: r.nodePort }));
    const lbSource = allowedSource(service);
    for (const ing of service.type === 'LoadBalancer' ? service.loadBalancerIngress : []) {
      if (ing.ip && isIPv4(ing.ip) && ing.ipMode !== 'Proxy') {
        compares.push(compare('loadbalancer', 'outside', { src: lbSource, dst: ing.ip, dport: r.port }));
      }
    }
    for (const ip of service.externalIPs.filter(isIPv4)) {
      compares.push(compare('externalip', 'outside', { src: OUTSIDE_CLIENT, dst: ip, dport: r.port }));
    }
    for (const c of compares) {
      const found = classify(c);
      if (!found) continue;
      const missingChains =
        found.problem === 'missing-reject' ||
        (found.problem === 'stale-endpoints' && found.expected.length === 0)
          ? []
          : missingChainsIn(view, r, c.path);
      const rule = decisiveRule(
        view.iptables,
        c.actual,
        found.problem,
        diff(found.actual, found.expected),
        c.path,
      );
      const evidence = [
        `${view.iptables.file}: ${r.protocol.toUpperCase()} from ${c.from === 'a pod' && src !== OUTSIDE_CLIENT ? 'a pod' : 'outside'} to ${c.dst} is ${c.actual.verdict}${c.actual.endpoints.length ? ` → ${c.actual.endpoints.join(', ')}` : ''}`,
        `kube-proxy would make it ${c.expected.verdict}${c.expected.endpoints.length ? ` → ${c.expected.endpoints.join(', ')}` : ''}`,
        ...(missingChains.length ? [`chains missing from the nat table: ${missingChains.join(', ')}`] : []),
        `on the node: ${rule}`,
      ];
      hits.push({
        subject,
        data: {
          node,
          service: svcName,
          port: portLabel(sp),
          path: c.path,
          problem: found.problem,
          expected: found.expected,
          actual: found.actual,
          missingChains,
          file: view.iptables.file,
          ...(rule ? { rule } : {}),
        },
        ...(found.problem === 'missing-reject' ? { severity: 'warning' as const, confidence: 0.4 } : {}),
        evidence,
        fix: fixFor(`the rules of ${svcName}`),
      });
    }
  }
  return hits;
}
