// Every cell of the access-result tables of seeds 001 and 004 ("Why a Service fails to be
// accessed from within the cluster", externalTrafficPolicy Local), computed by the data plane
// and asserted cell by cell, with the check that explains each failing cell.
//
// How the two tables are read (they are two versions of one document):
//  - Seed 004 is the older version. Its clusters run kube-proxy before v1.21, whose IPVS mode
//    leaves a Local virtual server empty on a node without a local endpoint (REJECT); seed 001's
//    clusters run kube-proxy >= v1.21, which falls back to all endpoints for such a node
//    (kubernetes#97081). This is why seed 001 lets a pod (or, in a VPC network, a node) reach
//    its own node's NodePort in IPVS mode where seed 004 says it fails. The fixtures use v1.19
//    for seed 004 and v1.25 for seed 001.
//  - Seed 004 does not tell a node's private address from its public one; seed 001 does. A 004
//    cell that says "failed" (pod on the server's node, VPC network) is read as the private
//    address, where 001 agrees; a 004 cell that says "successful" (node client on another node,
//    iptables) is read as the server's node and the client's own private address, where 001
//    agrees; the cases 001 adds (public address, a third node) are asserted from 001 only.
//  - "Other scenarios that are not listed in the table indicate that the access is normal":
//    ClusterIP and DNS from every row, and the load balancer from nodes without a backend, are
//    asserted reachable.
// Where the seeds contradict upstream kube-proxy, the mechanism they describe is modelled
// (CCE's kube-proxy without a local-traffic detector, CCE pass-through sending in-cluster LB
// traffic out to the ELB, the VPC model's same-node reply path), never the cell itself.
import { describe, expect, it } from 'vitest';
import { type SeedServiceKind, seedCluster } from '../../test/support/seed-cluster.js';
import type { NetworkModel, ProxyMode } from '../model/types.js';
import { type MatrixCell, type MatrixRow, matrix } from './matrix.js';

type Col = 'tunnel-ipvs' | 'vpc-ipvs' | 'tunnel-iptables' | 'vpc-iptables';
const COLS: Col[] = ['tunnel-ipvs', 'vpc-ipvs', 'tunnel-iptables', 'vpc-iptables'];
const netOf = (c: Col): NetworkModel => (c.startsWith('tunnel') ? 'tunnel' : 'vpc');
const modeOf = (c: Col): ProxyMode => (c.endsWith('ipvs') ? 'ipvs' : 'iptables');

type Expect = 'ok' | 'fail';
/** access column -> expected result, and the check that explains a failure */
type CellSpec = Partial<Record<string, Expect>>;

const NO_LOCAL = 'etp-local-no-local-endpoint';
const IN_CLUSTER = 'etp-local-in-cluster-lb-access';

/** Why each failing access column fails, per the documents. */
function explanation(column: string): string {
  if (column === 'lb-private' || column === 'ingress') return IN_CLUSTER;
  if (column === 'nodeport-backend-node') return IN_CLUSTER; // pod on the server's node, VPC: private address
  return NO_LOCAL;
}

interface Table {
  seed: string;
  version: string;
  kind: SeedServiceKind;
  target?: string;
  rows: Partial<Record<MatrixRow, Partial<Record<Col, CellSpec>>>>;
}

const all = (spec: CellSpec): Record<Col, CellSpec> => ({
  'tunnel-ipvs': spec,
  'vpc-ipvs': spec,
  'tunnel-iptables': spec,
  'vpc-iptables': spec,
});

// Columns: nodeport-backend-node = "IP address and NodePort on the node where the server is
// located"; nodeport-own-node = "private IP address and NodePort on the node where the client
// is located"; nodeport-public-own-node = its public address; nodeport-other-node = "any node
// other than the one where the server is located" (a third node); nodeport-public-backend-node
// = "public IP address and NodePort on the node where the server is located".
const SEED_001_NODEPORT: Table = {
  seed: '001',
  version: 'v1.25.5',
  kind: 'nodeport',
  rows: {
    'same-node-as-backend': all({ 'nodeport-backend-node': 'ok', 'nodeport-other-node': 'fail' }),
    'other-node': {
      'tunnel-ipvs': { 'nodeport-backend-node': 'ok', 'nodeport-other-node': 'fail' },
      'vpc-ipvs': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'ok',
        'nodeport-public-own-node': 'fail',
        'nodeport-other-node': 'fail',
      },
      'tunnel-iptables': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'ok',
        'nodeport-public-own-node': 'fail',
        'nodeport-other-node': 'fail',
      },
      'vpc-iptables': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'ok',
        'nodeport-public-own-node': 'fail',
        'nodeport-other-node': 'fail',
      },
    },
    'pod-on-backend-node': {
      'tunnel-ipvs': { 'nodeport-backend-node': 'ok', 'nodeport-other-node': 'fail' },
      'vpc-ipvs': {
        'nodeport-public-backend-node': 'ok',
        'nodeport-backend-node': 'fail',
        'nodeport-other-node': 'fail',
      },
      'tunnel-iptables': { 'nodeport-backend-node': 'ok', 'nodeport-other-node': 'fail' },
      'vpc-iptables': {
        'nodeport-public-backend-node': 'ok',
        'nodeport-backend-node': 'fail',
        'nodeport-other-node': 'fail',
      },
    },
    'pod-on-other-node': {
      'tunnel-ipvs': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'ok',
        'nodeport-other-node': 'fail',
      },
      'vpc-ipvs': { 'nodeport-backend-node': 'ok', 'nodeport-own-node': 'ok', 'nodeport-other-node': 'fail' },
      'tunnel-iptables': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'fail',
        'nodeport-other-node': 'fail',
      },
      'vpc-iptables': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'fail',
        'nodeport-other-node': 'fail',
      },
    },
  },
};

const SEED_004_NODEPORT: Table = {
  seed: '004',
  version: 'v1.19.16',
  kind: 'nodeport',
  rows: {
    'same-node-as-backend': all({ 'nodeport-backend-node': 'ok', 'nodeport-other-node': 'fail' }),
    'other-node': {
      'tunnel-ipvs': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'fail',
        'nodeport-other-node': 'fail',
      },
      'vpc-ipvs': {
        'nodeport-backend-node': 'ok',
        'nodeport-own-node': 'fail',
        'nodeport-other-node': 'fail',
      },
      'tunnel-iptables': { 'nodeport-backend-node': 'ok', 'nodeport-own-node': 'ok' },
      'vpc-iptables': { 'nodeport-backend-node': 'ok', 'nodeport-own-node': 'ok' },
    },
    'pod-on-backend-node': {
      'tunnel-ipvs': { 'nodeport-backend-node': 'ok', 'nodeport-other-node': 'fail' },
      'vpc-ipvs': { 'nodeport-backend-node': 'fail', 'nodeport-other-node': 'fail' },
      'tunnel-iptables': { 'nodeport-backend-node': 'ok', 'nodeport-other-node': 'fail' },
      'vpc-iptables': { 'nodeport-backend-node': 'fail', 'nodeport-other-node': 'fail' },
    },
    'pod-on-other-node': all({
      'nodeport-backend-node': 'ok',
      'nodeport-own-node': 'fail',
      'nodeport-other-node': 'fail',
    }),
  },
};

const lbRows = (column: string): Table['rows'] => ({
  'same-node-as-backend': all({ [column]: 'fail' }),
  'pod-on-backend-node': all({ [column]: 'fail' }),
  // Not listed: normal.
  'other-node': all({ [column]: 'ok' }),
  'pod-on-other-node': all({ [column]: 'ok' }),
});

const SEED_001_SHARED_LB: Table = {
  seed: '001',
  version: 'v1.25.5',
  kind: 'shared-lb',
  rows: lbRows('lb-private'),
};
const SEED_004_DEDICATED_LB: Table = {
  seed: '004',
  version: 'v1.19.16',
  kind: 'dedicated-lb',
  rows: lbRows('lb-private'),
};
const SEED_001_NGINX_INGRESS: Table = {
  seed: '001',
  version: 'v1.25.5',
  kind: 'nginx-ingress',
  target: 'web',
  rows: lbRows('ingress'),
};

const TABLES = [
  SEED_001_NODEPORT,
  SEED_004_NODEPORT,
  SEED_001_SHARED_LB,
  SEED_004_DEDICATED_LB,
  SEED_001_NGINX_INGRESS,
];

interface Case {
  name: string;
  table: Table;
  col: Col;
  row: MatrixRow;
  column: string;
  expect: Expect;
}

const cases: Case[] = [];
for (const table of TABLES) {
  for (const [row, byCol] of Object.entries(table.rows) as [MatrixRow, Partial<Record<Col, CellSpec>>][]) {
    for (const col of COLS) {
      for (const [column, expect] of Object.entries(byCol[col] ?? {}) as [string, Expect][]) {
        cases.push({
          name: `seed ${table.seed}, ${table.kind}, ${col}: ${row} via ${column} ${expect === 'ok' ? 'succeeds' : 'fails'}`,
          table,
          col,
          row,
          column,
          expect,
        });
      }
    }
  }
}

const cache = new Map<string, MatrixCell[]>();
function cellsFor(table: Table, col: Col): MatrixCell[] {
  const key = `${table.seed}|${table.kind}|${col}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const snap = seedCluster({
    network: netOf(col),
    mode: modeOf(col),
    version: table.version,
    kind: table.kind,
  });
  const svc = snap.service('default', table.target ?? 'nginx');
  if (!svc) throw new Error('fixture has no target Service');
  const cells = matrix(snap, svc).cells;
  cache.set(key, cells);
  return cells;
}

describe('seed 001/004 access-result tables, externalTrafficPolicy Local', () => {
  it('covers every listed cell of both tables', () => {
    expect(cases.length).toBeGreaterThan(100);
  });
  it.each(cases)('$name', ({ table, col, row, column, expect: want }) => {
    const cell = cellsFor(table, col).find((c) => c.clientLocation === row && c.column === column);
    expect(cell, `no cell ${row} × ${column}`).toBeDefined();
    if (want === 'ok') {
      expect(cell?.verdict, cell?.reason).toBe('reachable');
      expect(cell?.findingId).toBeUndefined();
    } else {
      expect(cell?.verdict, cell?.reason).toBe('unreachable');
      expect(cell?.findingId, cell?.reason).toBe(explanation(column));
    }
  });

  // Not listed in either table: normal.
  const normal = TABLES.flatMap((table) =>
    COLS.flatMap((col) =>
      (['same-node-as-backend', 'pod-on-backend-node', 'other-node', 'pod-on-other-node'] as const).map(
        (row) => ({
          name: `seed ${table.seed}, ${table.kind}, ${col}: ${row} reaches the Service by ClusterIP`,
          table,
          col,
          row,
        }),
      ),
    ),
  );
  it.each(normal)('$name', ({ table, col, row }) => {
    const cell = cellsFor(table, col).find((c) => c.clientLocation === row && c.column === 'clusterip');
    expect(cell?.verdict, cell?.reason).toBe('reachable');
  });

  const dns = TABLES.flatMap((table) =>
    COLS.flatMap((col) =>
      (['pod-on-backend-node', 'pod-on-other-node'] as const).map((row) => ({
        name: `seed ${table.seed}, ${table.kind}, ${col}: ${row} reaches the Service by its DNS name`,
        table,
        col,
        row,
      })),
    ),
  );
  it.each(dns)('$name', ({ table, col, row }) => {
    const cell = cellsFor(table, col).find((c) => c.clientLocation === row && c.column === 'dns');
    expect(cell?.verdict, cell?.reason).toBe('reachable');
  });
});
