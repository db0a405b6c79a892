// The access-result matrix of seeds 001/004, computed for the user's Service: rows are where
// the client sits, columns are the ways it can address the Service. Each cell is the data
// plane's answer (computePaths), so a cell is only as good as the paths behind it.

import { ingressesRoutingTo } from '../dataplane/ingress/index.js';
import { backendNodes, resolveClient } from '../dataplane/network/clients.js';
import { lbAddressIsPublic, nodePublicAddress } from '../dataplane/network/model.js';
import { computePaths } from '../dataplane/paths.js';
import type { ClientSpec, Question, Via } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import type { Node, ObjectRef, Service, ServicePort } from '../model/types.js';

export type CellVerdict = 'reachable' | 'unreachable' | 'partial' | 'unknown';

export interface MatrixCell {
  client: string;
  clientLocation: string;
  via: Via;
  /** Which column: clusterip, dns, nodeport-backend-node, nodeport-own-node, ... */
  column: string;
  address: string;
  verdict: CellVerdict;
  findingId?: string;
  reason: string;
}

export interface MatrixResult {
  target: ObjectRef;
  rows: string[];
  columns: string[];
  cells: MatrixCell[];
}

export const MATRIX_ROWS = [
  'same-node-as-backend',
  'pod-on-backend-node',
  'other-node',
  'pod-on-other-node',
  'vpc',
  'internet',
] as const;
export type MatrixRow = (typeof MATRIX_ROWS)[number];

export const COLUMN_TITLES: Record<string, string> = {
  clusterip: 'ClusterIP',
  dns: 'DNS name',
  'nodeport-backend-node': "NodePort on the backend's node",
  'nodeport-own-node': 'NodePort on own node',
  'nodeport-other-node': 'NodePort on another node',
  'nodeport-public-backend-node': "public IP + NodePort (backend's node)",
  'nodeport-public-own-node': 'public IP + NodePort (own node)',
  'nodeport-public-other-node': 'public IP + NodePort (another node)',
  'lb-private': 'LB address (private)',
  'lb-public': 'LB address (public)',
  ingress: 'Ingress',
};

/** A cell's verdict from its traces, as diagnose derives a verdict. */
export function cellVerdict(paths: Trace[]): CellVerdict {
  if (paths.length === 0) return 'unknown';
  const ok = paths.filter((p) => p.outcome === 'delivered' || p.outcome === 'local').length;
  const unknown = paths.filter((p) => p.outcome === 'insufficient-info').length;
  if (ok === paths.length) return 'reachable';
  if (unknown === paths.length) return 'unknown';
  if (ok > 0) return 'partial';
  return unknown > 0 ? 'unknown' : 'unreachable';
}

interface Column {
  key: string;
  via: Via;
  address?: { ip: string; port: number };
  show: string;
}

function columnsFor(
  snapshot: Snapshot,
  svc: Service,
  row: MatrixRow,
  clientNode: Node | undefined,
  port: ServicePort | undefined,
): Column[] {
  if (!port) return [];
  const cols: Column[] = [];
  const inCluster = row !== 'internet' && row !== 'vpc';
  // ClusterIP and cluster DNS exist only inside the cluster; a node resolves names with its own
  // resolv.conf, so the DNS column is asked of pods only.
  if (svc.type !== 'ExternalName' && inCluster) {
    if (!svc.headless)
      cols.push({ key: 'clusterip', via: 'clusterip', show: `${svc.clusterIP}:${port.port}` });
    if (row.startsWith('pod-'))
      cols.push({ key: 'dns', via: 'dns', show: `${svc.meta.name}.${svc.meta.namespace}:${port.port}` });
  }
  if (port.nodePort) {
    const np = port.nodePort;
    const backends = new Set(backendNodes(snapshot, svc));
    const nodes = [...snapshot.nodes].sort((a, b) => a.meta.name.localeCompare(b.meta.name));
    const backendNode = nodes.find((n) => backends.has(n.meta.name));
    const other = nodes.find((n) => !backends.has(n.meta.name) && n !== clientNode);
    const add = (key: string, n: Node | undefined, pub: boolean) => {
      const ip = n ? (pub ? nodePublicAddress(snapshot, n) : n.internalIPs[0]) : undefined;
      if (ip) cols.push({ key, via: 'nodeport', address: { ip, port: np }, show: `${ip}:${np}` });
    };
    if (row !== 'internet') add('nodeport-backend-node', backendNode, false);
    if (inCluster && clientNode && clientNode !== backendNode) add('nodeport-own-node', clientNode, false);
    if (row !== 'internet') add('nodeport-other-node', other, false);
    if (row !== 'vpc') add('nodeport-public-backend-node', backendNode, true);
    if (inCluster && clientNode && clientNode !== backendNode)
      add('nodeport-public-own-node', clientNode, true);
    if (row === 'internet') add('nodeport-public-other-node', other, true);
  }
  if (svc.type === 'LoadBalancer') {
    for (const ing of svc.loadBalancerIngress) {
      // An LB may publish a DNS name instead of an IP (AWS); the path then follows the name.
      const a = ing.ip ?? ing.hostname;
      if (!a) continue;
      const pub = lbAddressIsPublic(snapshot, svc, a);
      if (row === 'internet' && !pub) continue;
      const key = pub ? 'lb-public' : 'lb-private';
      if (cols.some((c) => c.key === key)) continue;
      cols.push({
        key,
        via: 'loadbalancer',
        ...(ing.ip ? { address: { ip: ing.ip, port: port.port } } : {}),
        show: `${a}:${port.port}`,
      });
    }
  }
  const ing = ingressesRoutingTo(snapshot, svc)[0];
  const ingIp =
    ing?.loadBalancerIngress.find((i) => i.ip)?.ip ??
    ing?.loadBalancerIngress.find((i) => i.hostname)?.hostname;
  if (ing && ingIp && (row !== 'internet' || lbAddressIsPublic(snapshot, svc, ingIp)))
    cols.push({ key: 'ingress', via: 'ingress', show: `${ingIp}:80 (${ing.meta.name})` });
  return cols;
}

/** The first failing trace's first finding id, with its reason. */
function explain(paths: Trace[]): { findingId?: string; reason: string } {
  const failing = paths.find(
    (p) => p.outcome !== 'delivered' && p.outcome !== 'local' && p.outcome !== 'insufficient-info',
  );
  const unknown = paths.find((p) => p.outcome === 'insufficient-info');
  const pick = failing ?? unknown;
  if (!pick)
    return {
      reason: paths.length > 1 ? `delivered on all ${paths.length} paths` : (paths[0]?.reason ?? 'ok'),
    };
  const id = pick.findingIds?.[0] ?? pick.hops.flatMap((h) => h.findingIds ?? [])[0];
  return {
    ...(id ? { findingId: id } : {}),
    reason: pick.label ? `${pick.label}: ${pick.reason}` : pick.reason,
  };
}

export interface MatrixOptions {
  rows?: readonly MatrixRow[];
  /** The Service port (number, nodePort or name) the columns use; default the first. */
  port?: number | string;
}

export function matrix(snapshot: Snapshot, service: Service, options: MatrixOptions = {}): MatrixResult {
  const cells: MatrixCell[] = [];
  const rows = options.rows ?? MATRIX_ROWS;
  const target: ObjectRef = { kind: 'Service', namespace: service.meta.namespace, name: service.meta.name };
  const columns: string[] = [];
  const want = options.port;
  const port =
    want === undefined
      ? service.ports[0]
      : service.ports.find((p) =>
          typeof want === 'string' ? p.name === want : p.port === want || p.nodePort === want,
        );
  for (const row of rows) {
    const spec = { kind: row } as ClientSpec;
    const res = resolveClient(snapshot, service, spec);
    const clientNode = res.ok ? res.client.node : undefined;
    for (const col of columnsFor(snapshot, service, row, clientNode, port)) {
      if (!columns.includes(col.key)) columns.push(col.key);
      const q: Question = {
        target,
        client: spec,
        via: col.via,
        ...(col.address ? { address: col.address, port: col.address.port } : port ? { port: port.port } : {}),
        inferred: [],
      };
      const paths = res.ok ? computePaths(snapshot, service, q) : [];
      const e = res.ok ? explain(paths) : { reason: res.why };
      cells.push({
        client: res.ok ? res.client.label : row,
        clientLocation: row,
        via: col.via,
        column: col.key,
        address: col.show,
        verdict: res.ok ? cellVerdict(paths) : 'unknown',
        ...(e.findingId ? { findingId: e.findingId } : {}),
        reason: e.reason,
      });
    }
  }
  const order = Object.keys(COLUMN_TITLES);
  columns.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return { target, rows: [...rows], columns, cells };
}
