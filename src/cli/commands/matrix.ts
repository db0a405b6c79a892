import { networkFacts } from '../../dataplane/network/model.js';
import { COLUMN_TITLES, type MatrixCell, type MatrixResult, matrix } from '../../diagnose/matrix.js';
import { SvcdoctorError } from '../../errors.js';
import { Snapshot } from '../../model/snapshot.js';
import { htmlPage, type OutputFormat, toJson, toYaml } from '../../report/format.js';
import { COLOR, columns, escapeHtml, escapeMd, PLAIN, type Style, visible } from '../../report/style.js';
import { openSnapshotData } from '../source.js';
import type { CommandSpec } from '../spec.js';
import { parsePort, serviceName } from './diagnose.js';

const SHORT: Record<string, string> = {
  clusterip: 'ClusterIP',
  dns: 'DNS',
  'nodeport-backend-node': 'NP backend-node',
  'nodeport-own-node': 'NP own-node',
  'nodeport-other-node': 'NP other-node',
  'nodeport-public-backend-node': 'EIP+NP backend-node',
  'nodeport-public-own-node': 'EIP+NP own-node',
  'nodeport-public-other-node': 'EIP+NP other-node',
  'lb-private': 'LB private',
  'lb-public': 'LB public',
  ingress: 'Ingress',
};

interface Note {
  n: number;
  findingId?: string;
  reason: string;
}

/** Footnotes: one per distinct (finding, reason) among non-reachable cells. */
function notesOf(r: MatrixResult): { notes: Note[]; of: (c: MatrixCell) => Note | undefined } {
  const notes: Note[] = [];
  const byKey = new Map<string, Note>();
  for (const c of r.cells) {
    if (c.verdict === 'reachable') continue;
    const key = `${c.findingId ?? ''}|${c.reason.replace(/^[^:]*: /, '')}`;
    if (!byKey.has(key)) {
      const note = {
        n: notes.length + 1,
        ...(c.findingId ? { findingId: c.findingId } : {}),
        reason: c.reason,
      };
      notes.push(note);
      byKey.set(key, note);
    }
  }
  return { notes, of: (c) => byKey.get(`${c.findingId ?? ''}|${c.reason.replace(/^[^:]*: /, '')}`) };
}

function mark(s: Style, c: MatrixCell | undefined, note: Note | undefined): string {
  if (!c) return s.dim('-');
  switch (c.verdict) {
    case 'reachable':
      return s.green('ok');
    case 'partial':
      return s.yellow(`partial[${note?.n}]`);
    case 'unknown':
      return s.yellow(`?[${note?.n}]`);
    default:
      return s.red(`FAIL[${note?.n}]`);
  }
}

function header(r: MatrixResult, context: string): string {
  return `svcdoctor matrix ${r.target.namespace}/${r.target.name}  (${context})`;
}

export function renderMatrixText(r: MatrixResult, context: string, color: boolean): string {
  const s = color ? COLOR : PLAIN;
  const { notes, of } = notesOf(r);
  const rows: string[][] = [['client location', ...r.columns.map((c) => s.bold(SHORT[c] ?? c))]];
  for (const row of r.rows) {
    const cells = r.columns.map((col) => {
      const c = r.cells.find((x) => x.clientLocation === row && x.column === col);
      return mark(s, c, c ? of(c) : undefined);
    });
    rows.push([row, ...cells]);
  }
  const lines = [s.bold(header(r, context)), '', columns(rows, visible), ''];
  if (notes.length === 0) lines.push(s.green('Every client location reaches the Service on every path.'));
  for (const n of notes) lines.push(`[${n.n}] ${n.findingId ? `${s.bold(n.findingId)}: ` : ''}${n.reason}`);
  lines.push(
    '',
    s.dim(`columns: ${r.columns.map((c) => `${SHORT[c] ?? c} = ${COLUMN_TITLES[c] ?? c}`).join('; ')}`),
  );
  lines.push(
    s.dim(
      'explain a finding: svcdoctor explain ID · one cell in full: svcdoctor diagnose SERVICE --client ROW --via PATH',
    ),
  );
  return `${lines.join('\n')}\n`;
}

export function renderMatrixMarkdown(r: MatrixResult, context: string): string {
  const { notes, of } = notesOf(r);
  const out = [`## ${escapeMd(header(r, context))}`, ''];
  out.push(`| client location | ${r.columns.map((c) => escapeMd(COLUMN_TITLES[c] ?? c)).join(' | ')} |`);
  out.push(`|---|${r.columns.map(() => '---').join('|')}|`);
  for (const row of r.rows) {
    const cells = r.columns.map((col) => {
      const c = r.cells.find((x) => x.clientLocation === row && x.column === col);
      return escapeMd(mark(PLAIN, c, c ? of(c) : undefined));
    });
    out.push(`| ${row} | ${cells.join(' | ')} |`);
  }
  out.push('');
  for (const n of notes)
    out.push(`${n.n}. ${n.findingId ? `\`${n.findingId}\`: ` : ''}${escapeMd(n.reason)}`);
  return `${out.join('\n')}\n`;
}

export function renderMatrixHtml(r: MatrixResult, context: string): string {
  const { notes, of } = notesOf(r);
  const head = `<tr><th>client location</th>${r.columns.map((c) => `<th>${escapeHtml(COLUMN_TITLES[c] ?? c)}</th>`).join('')}</tr>`;
  const body = r.rows
    .map((row) => {
      const tds = r.columns.map((col) => {
        const c = r.cells.find((x) => x.clientLocation === row && x.column === col);
        const cls = c?.verdict === 'reachable' ? 'ok' : c ? 'fail' : '';
        return `<td class="${cls}" title="${escapeHtml(c ? `${c.address}: ${c.reason}` : '')}">${escapeHtml(mark(PLAIN, c, c ? of(c) : undefined))}</td>`;
      });
      return `<tr><td>${escapeHtml(row)}</td>${tds.join('')}</tr>`;
    })
    .join('');
  const list = notes
    .map(
      (n) =>
        `<li>${n.findingId ? `<code>${escapeHtml(n.findingId)}</code>: ` : ''}${escapeHtml(n.reason)}</li>`,
    )
    .join('');
  return htmlPage(
    escapeHtml(header(r, context)),
    `<h1>${escapeHtml(header(r, context))}</h1><table>${head}${body}</table><ol>${list}</ol>`,
  );
}

export function renderMatrix(r: MatrixResult, context: string, format: OutputFormat, color: boolean): string {
  switch (format) {
    case 'json':
      return toJson(r);
    case 'yaml':
      return toYaml(r);
    case 'markdown':
      return renderMatrixMarkdown(r, context);
    case 'html':
      return renderMatrixHtml(r, context);
    default:
      return renderMatrixText(r, context, color);
  }
}

export function matrixContext(snapshot: Snapshot): string {
  const f = networkFacts(snapshot);
  return `${f.provider}, ${f.model ?? 'network model unknown'} network, kube-proxy ${f.proxyMode ?? 'mode unknown'}${f.kubeProxyVersion ? ` ${f.kubeProxyVersion}` : ''}`;
}

export const matrixCommand: CommandSpec = {
  name: 'matrix',
  args: '<service>',
  summary: 'reachability matrix: client locations × access paths (the table of seeds 001/004)',
  description:
    'For every client location (a node running a backend, a pod on it, a node without a backend, a pod on it, the VPC, the internet) and every way to address the Service (ClusterIP, DNS name, NodePort on each kind of node, node public IP, LB address, Ingress), computes whether the request arrives, and why not.',
  options: [
    {
      flags: '--port <port>',
      description: 'the Service port the columns use (number, nodePort or name; default the first)',
    },
  ],
  usesSource: true,
  formats: ['table', 'json', 'yaml', 'markdown', 'html'],
  examples: [
    'svcdoctor matrix nginx --demo etp-local-lb-in-cluster',
    'svcdoctor matrix nginx -n shop --from ./bundle -o markdown',
    'svcdoctor matrix nginx --from ./bundle -o json',
  ],
  async run(ctx) {
    const { opts, io } = ctx;
    const name = serviceName(ctx.args[0] as string);
    const ns = String(opts.namespace ?? 'default');
    const snapshot = new Snapshot(await openSnapshotData(opts, io));
    const svc = snapshot.service(ns, name);
    if (!svc)
      throw new SvcdoctorError('SVCDOCTOR_USAGE', `Service ${ns}/${name} not found`, {
        hint: 'check the name and -n NAMESPACE (svcdoctor diagnose suggests near misses)',
      });
    const port = parsePort(opts.port);
    if (
      port !== undefined &&
      !svc.ports.some((p) => p.name === port || p.port === port || p.nodePort === port)
    )
      throw new SvcdoctorError('SVCDOCTOR_USAGE', `--port ${port}: ${ns}/${name} has no such port`, {
        hint: `ports: ${svc.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}${p.nodePort ? `:${p.nodePort}` : ''}`).join(', ')}`,
      });
    const r = matrix(snapshot, svc, port !== undefined ? { port } : {});
    io.stdout(renderMatrix(r, matrixContext(snapshot), ctx.format, ctx.color));
    return r.cells.some((c) => c.verdict !== 'reachable') ? 1 : 0;
  },
};
