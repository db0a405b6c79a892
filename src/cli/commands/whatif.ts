import {
  parseAnnotate,
  parseSetExpression,
  type ServicePatch,
  type WhatifResult,
  whatif,
} from '../../diagnose/whatif.js';
import { SvcdoctorError } from '../../errors.js';
import { Snapshot } from '../../model/snapshot.js';
import { htmlPage, type OutputFormat, toJson, toYaml } from '../../report/format.js';
import { COLOR, escapeHtml, escapeMd, PLAIN, type Style } from '../../report/style.js';
import { openSnapshotData } from '../source.js';
import type { CommandSpec } from '../spec.js';
import { QUESTION_OPTIONS, questionFromOptions } from './diagnose.js';
import { matrixContext } from './matrix.js';

/** The JSON document: before/after summaries and the changes (full results under before/after). */
export function whatifJson(r: WhatifResult) {
  const side = (x: WhatifResult['before']) => ({
    verdict: x.verdict,
    findings: x.diagnose.findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title })),
    paths: x.diagnose.paths,
    ...(x.matrix ? { cells: x.matrix.cells } : {}),
  });
  return {
    target: r.target,
    patches: r.patches,
    before: side(r.before),
    after: side(r.after),
    changes: r.changes,
  };
}

function lines(r: WhatifResult, s: Style): string[] {
  const out = [
    s.bold(`svcdoctor whatif ${r.target.namespace}/${r.target.name}`),
    ...r.patches.map(
      (p) => `  ${s.cyan(p.value === undefined ? `remove ${p.path}` : `set ${p.path} = ${p.value}`)}`,
    ),
    '',
    `verdict: ${r.changes.verdict.before} -> ${r.changes.verdict.after === 'reachable' ? s.green(r.changes.verdict.after) : s.red(r.changes.verdict.after)}`,
  ];
  if (r.changes.disappeared.length) out.push(`${s.green('fixed:')} ${r.changes.disappeared.join(', ')}`);
  if (r.changes.appeared.length) out.push(`${s.yellow('new:')} ${r.changes.appeared.join(', ')}`);
  if (!r.changes.disappeared.length && !r.changes.appeared.length) out.push(s.dim('findings unchanged'));
  if (r.changes.cells.length) {
    out.push('', s.bold('matrix cells that change:'));
    for (const c of r.changes.cells)
      out.push(
        `  ${c.clientLocation} × ${c.column} (${c.address}): ${c.before}${c.findingBefore ? ` [${c.findingBefore}]` : ''} -> ${c.after === 'reachable' ? s.green(c.after) : s.red(c.after)}${c.findingAfter ? ` [${c.findingAfter}]` : ''}`,
      );
  }
  // The caveats of the fixes this patch applies: those that speak of the patched field.
  const words = r.patches.map((p) =>
    (
      p.path
        .split(/[.[\]"/]+/)
        .filter(Boolean)
        .at(-1) ?? p.path
    ).toLowerCase(),
  );
  const caveats = r.before.diagnose.findings
    .filter((f) => r.changes.disappeared.includes(f.id))
    .flatMap((f) => f.fix.caveats ?? [])
    .filter((c) => words.some((w) => c.toLowerCase().includes(w.replace(/^elb\./, ''))));
  if (caveats.length) {
    out.push('', s.bold('before you apply it, the fixes you are trying carry these caveats:'));
    for (const c of [...new Set(caveats)]) out.push(`  ${s.yellow('caveat:')} ${c}`);
  }
  return out;
}

export function renderWhatif(r: WhatifResult, format: OutputFormat, color: boolean): string {
  switch (format) {
    case 'json':
      return toJson(whatifJson(r));
    case 'yaml':
      return toYaml(whatifJson(r));
    case 'markdown':
      return `${lines(r, PLAIN)
        .map((l) => (l.startsWith('  ') ? `- ${escapeMd(l.trim())}` : escapeMd(l)))
        .join('\n')}\n`;
    case 'html':
      return htmlPage('svcdoctor whatif', `<pre>${escapeHtml(lines(r, PLAIN).join('\n'))}</pre>`);
    default:
      return `${lines(r, color ? COLOR : PLAIN).join('\n')}\n`;
  }
}

export const whatifCommand: CommandSpec = {
  name: 'whatif',
  args: '<service>',
  summary: 're-run diagnose and the matrix on a patched copy of the Service; show what changes',
  description:
    'Patches a copy of the snapshot (never the cluster), e.g. --set spec.externalTrafficPolicy=Cluster or --annotate kubernetes.io/elb.pass-through=true, then compares diagnose and the matrix before and after: which findings disappear or appear and which client/path cells change.',
  options: [
    ...QUESTION_OPTIONS,
    {
      flags: '--set <field=value>',
      description:
        'field path as in `kubectl get svc -o yaml`: spec.externalTrafficPolicy=Cluster, spec.ports[0].targetPort=8080, metadata.annotations["kubernetes.io/elb.pass-through"]=true; value null removes (repeatable)',
      repeatable: true,
    },
    {
      flags: '--annotate <key=value>',
      description: 'set an annotation (KEY- removes it), like kubectl annotate (repeatable)',
      repeatable: true,
    },
  ],
  usesSource: true,
  formats: ['table', 'json', 'yaml', 'markdown', 'html'],
  examples: [
    'svcdoctor whatif nginx --demo etp-local-lb-in-cluster --client pod-on-other-node --via loadbalancer --set spec.externalTrafficPolicy=Cluster',
    'svcdoctor whatif nginx --from ./bundle --annotate kubernetes.io/elb.pass-through=true -o json',
    'svcdoctor whatif web --from ./bundle --set spec.ports[0].targetPort=8080',
  ],
  async run(ctx) {
    const { opts, io } = ctx;
    const patches: ServicePatch[] = [
      ...((opts.set as string[] | undefined) ?? []).map(parseSetExpression),
      ...((opts.annotate as string[] | undefined) ?? []).map(parseAnnotate),
    ];
    if (patches.length === 0)
      throw new SvcdoctorError('SVCDOCTOR_USAGE', 'whatif needs at least one --set or --annotate', {
        hint: 'e.g. --set spec.externalTrafficPolicy=Cluster',
      });
    const question = questionFromOptions(ctx.args[0] as string, opts);
    const data = await openSnapshotData(opts, io);
    const ns = question.target.namespace ?? 'default';
    if (!new Snapshot(data).service(ns, question.target.name))
      throw new SvcdoctorError('SVCDOCTOR_USAGE', `Service ${ns}/${question.target.name} not found`);
    const r = whatif(data, question, patches);
    const out = renderWhatif(r, ctx.format, ctx.color);
    io.stdout(ctx.format === 'table' ? out.replace(/\n/, `  (${matrixContext(new Snapshot(data))})\n`) : out);
    return r.changes.verdict.after === 'reachable' ? 0 : 1;
  },
};
