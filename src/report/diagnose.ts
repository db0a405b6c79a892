import type { AuditResult, DiagnoseResult } from '../diagnose/diagnose.js';
import type { Finding } from '../model/finding.js';
import type { Trace } from '../model/trace.js';
import { htmlPage, type OutputFormat, toJson, toYaml } from './format.js';
import {
  COLOR,
  columns,
  escapeHtml,
  escapeMd,
  PLAIN,
  type Style,
  terminalSafeDeep,
  visible,
} from './style.js';

const refText = (t: { namespace?: string; name: string }) =>
  `${t.namespace ? `${t.namespace}/` : ''}${t.name}`;

function sev(s: Style, f: Finding): string {
  return f.severity === 'error'
    ? s.red('error')
    : f.severity === 'warning'
      ? s.yellow('warning')
      : s.cyan('info');
}

function verdictText(s: Style, v: string): string {
  const up = v.toUpperCase();
  return v === 'reachable' ? s.green(up) : v === 'unknown' ? s.yellow(up) : s.red(up);
}

function questionLine(r: DiagnoseResult): string {
  const q = r.question;
  const bits = [`client ${q.client}`];
  if (q.via) bits.push(`via ${q.via}`);
  if (q.address) bits.push(`address ${q.address}`);
  else if (q.port !== undefined) bits.push(`port ${q.port}`);
  if (q.host) bits.push(`host ${q.host}${q.path ?? ''}`);
  return bits.join(', ');
}

function pathLine(p: Trace): string {
  const hops = p.hops.map(
    (h) => `${h.at}${h.action !== 'forward' ? ` [${h.action}]` : ''}${h.to ? ` → ${h.to}` : ''}`,
  );
  return `${p.label ? `${p.label}: ` : ''}${hops.join(' ⇒ ')}  ⇒ ${p.outcome}${p.reason ? ` (${p.reason})` : ''}`;
}

function findingBlock(s: Style, f: Finding, n: number, wide: boolean, indent = ''): string[] {
  const out = [
    `${indent}${s.bold(`${n}.`)} ${sev(s, f)} ${s.bold(f.id)}  ${f.title}${wide ? s.dim(`  (confidence ${f.confidence.toFixed(2)})`) : ''}`,
  ];
  const pad = `${indent}   `;
  const evidence = wide ? f.evidence : f.evidence.slice(0, 4);
  for (const e of evidence) out.push(`${pad}${s.dim('·')} ${e}`);
  if (!wide && f.evidence.length > evidence.length)
    out.push(`${pad}${s.dim(`· … ${f.evidence.length - evidence.length} more (-o wide)`)}`);
  out.push(`${pad}${s.green('fix:')} ${f.fix.summary}`);
  for (const c of f.fix.commands) out.push(`${pad}  ${s.dim('$')} ${c}`);
  for (const c of f.fix.caveats ?? []) out.push(`${pad}  ${s.yellow('caveat:')} ${c}`);
  const consequences = f.consequences ?? [];
  if (consequences.length) out.push(`${pad}${s.dim('which also causes:')}`);
  consequences.forEach((c, i) => {
    out.push(...findingBlock(s, c, i + 1, wide, `${pad}  `).slice(0, wide ? undefined : 1));
  });
  return out;
}

export function renderDiagnoseText(r: DiagnoseResult, opts: { color: boolean; wide: boolean }): string {
  const s = opts.color ? COLOR : PLAIN;
  const lines = [
    `${s.bold('svcdoctor')} ${refText(r.target)}  ${s.dim(`(${questionLine(r)})`)}`,
    `verdict: ${verdictText(s, r.verdict)}`,
  ];
  for (const i of r.question.inferred) lines.push(s.dim(`  assumed ${i}`));
  lines.push('');
  if (r.findings.length === 0) lines.push(s.green('No problems found.'));
  else {
    lines.push(s.bold(`Findings, most likely cause first (${r.findings.length}):`));
    r.findings.forEach((f, i) => {
      lines.push(...findingBlock(s, f, i + 1, opts.wide));
    });
  }
  if (r.paths.length) {
    lines.push('', s.bold('Paths:'));
    for (const p of r.paths) lines.push(`  ${pathLine(p)}`);
  }
  if (r.unknowns.length) {
    lines.push('', s.bold('Not checked (missing data):'));
    for (const u of r.unknowns) lines.push(`  - ${u}`);
  }
  if (r.errors.length) {
    lines.push('', s.yellow('Internal errors (run went on):'));
    for (const e of r.errors) lines.push(`  - ${e}`);
  }
  return `${lines.join('\n')}\n`;
}

function mdFinding(f: Finding, n: number): string[] {
  const out = [`### ${n}. \`${f.id}\` (${f.severity}) — ${escapeMd(f.title)}`, ''];
  for (const e of f.evidence) out.push(`- ${escapeMd(e)}`);
  out.push('', `**Fix:** ${escapeMd(f.fix.summary)}`);
  if (f.fix.commands.length) out.push('', '```sh', ...f.fix.commands, '```');
  for (const c of f.fix.caveats ?? []) out.push('', `> Caveat: ${escapeMd(c)}`);
  for (const c of f.consequences ?? []) out.push('', `- also causes \`${c.id}\`: ${escapeMd(c.title)}`);
  out.push('');
  return out;
}

export function renderDiagnoseMarkdown(r: DiagnoseResult): string {
  const lines = [
    `# svcdoctor: ${escapeMd(refText(r.target))}`,
    '',
    `**Question:** ${escapeMd(questionLine(r))}  `,
    `**Verdict:** ${r.verdict}`,
    '',
  ];
  if (r.findings.length === 0) lines.push('No problems found.', '');
  r.findings.forEach((f, i) => {
    lines.push(...mdFinding(f, i + 1));
  });
  if (r.paths.length) {
    lines.push('## Paths', '');
    for (const p of r.paths) lines.push(`- ${escapeMd(pathLine(p))}`);
    lines.push('');
  }
  if (r.unknowns.length) {
    lines.push('## Not checked', '');
    for (const u of r.unknowns) lines.push(`- ${escapeMd(u)}`);
    lines.push('');
  }
  return lines.join('\n');
}

function htmlFinding(f: Finding, n: number): string {
  const ev = f.evidence.map((e) => `<li>${escapeHtml(e)}</li>`).join('');
  const cmds = f.fix.commands.length ? `<pre>${f.fix.commands.map(escapeHtml).join('\n')}</pre>` : '';
  const cav = (f.fix.caveats ?? []).map((c) => `<p><em>Caveat:</em> ${escapeHtml(c)}</p>`).join('');
  return `<section><h2>${n}. <span class="${f.severity}">${escapeHtml(f.severity)}</span> <code>${escapeHtml(f.id)}</code> ${escapeHtml(f.title)}</h2>
<ul>${ev}</ul><p><strong>Fix:</strong> ${escapeHtml(f.fix.summary)}</p>${cmds}${cav}</section>`;
}

export function renderDiagnoseHtml(r: DiagnoseResult): string {
  const body = [
    `<h1>svcdoctor: ${escapeHtml(refText(r.target))}</h1>`,
    `<p>${escapeHtml(questionLine(r))}</p>`,
    `<p class="verdict">Verdict: <span class="${r.verdict === 'reachable' ? 'ok' : 'fail'}">${escapeHtml(r.verdict)}</span></p>`,
    ...r.findings.map((f, i) => htmlFinding(f, i + 1)),
    r.paths.length
      ? `<h2>Paths</h2><ul>${r.paths.map((p) => `<li>${escapeHtml(pathLine(p))}</li>`).join('')}</ul>`
      : '',
    r.unknowns.length
      ? `<h2>Not checked</h2><ul>${r.unknowns.map((u) => `<li>${escapeHtml(u)}</li>`).join('')}</ul>`
      : '',
  ].join('\n');
  return htmlPage(`svcdoctor: ${escapeHtml(refText(r.target))}`, body);
}

export function renderDiagnose(r: DiagnoseResult, format: OutputFormat, color: boolean): string {
  switch (format) {
    case 'json':
      return toJson(r);
    case 'yaml':
      return toYaml(r);
    case 'markdown':
      return renderDiagnoseMarkdown(terminalSafeDeep(r));
    case 'html':
      return renderDiagnoseHtml(r);
    default:
      return renderDiagnoseText(terminalSafeDeep(r), { color, wide: format === 'wide' });
  }
}

export function renderAudit(result: AuditResult, format: OutputFormat, color: boolean): string {
  const s = color ? COLOR : PLAIN;
  const r = format === 'json' || format === 'yaml' || format === 'html' ? result : terminalSafeDeep(result);
  switch (format) {
    case 'json':
      return toJson(r);
    case 'yaml':
      return toYaml(r);
    case 'markdown': {
      const lines = [
        '# svcdoctor audit',
        '',
        '| Service | Verdict | Severity | Check | Finding |',
        '|---|---|---|---|---|',
      ];
      for (const svc of r.services)
        for (const f of svc.findings)
          lines.push(
            `| ${escapeMd(refText(svc.target))} | ${svc.verdict} | ${f.severity} | \`${f.id}\` | ${escapeMd(f.title)} |`,
          );
      lines.push(
        '',
        `${r.summary.services} Services: ${r.summary.error} errors, ${r.summary.warning} warnings, ${r.summary.info} info`,
        '',
      );
      return lines.join('\n');
    }
    case 'html': {
      const rows = r.services
        .flatMap((svc) =>
          svc.findings.map(
            (f) =>
              `<tr><td>${escapeHtml(refText(svc.target))}</td><td>${escapeHtml(svc.verdict)}</td><td class="${f.severity}">${f.severity}</td><td><code>${escapeHtml(f.id)}</code></td><td>${escapeHtml(f.title)}</td></tr>`,
          ),
        )
        .join('\n');
      return htmlPage(
        'svcdoctor audit',
        `<h1>svcdoctor audit</h1><table><tr><th>Service</th><th>Verdict</th><th>Severity</th><th>Check</th><th>Finding</th></tr>${rows}</table>
<p>${r.summary.services} Services: ${r.summary.error} errors, ${r.summary.warning} warnings, ${r.summary.info} info</p>`,
      );
    }
    default: {
      const rows = [['SERVICE', 'VERDICT', 'SEVERITY', 'CHECK', 'FINDING'].map((h) => s.bold(h))];
      for (const svc of r.services) {
        if (svc.findings.length === 0) rows.push([refText(svc.target), s.green(svc.verdict), '', '', '']);
        for (const f of svc.findings) rows.push([refText(svc.target), svc.verdict, sev(s, f), f.id, f.title]);
      }
      const lines = [
        columns(rows, visible),
        '',
        `${r.summary.services} Services: ${r.summary.error} errors, ${r.summary.warning} warnings, ${r.summary.info} info`,
      ];
      if (format === 'wide' && r.unknowns.length)
        lines.push('', 'Not checked:', ...r.unknowns.map((u) => `  - ${u}`));
      return `${lines.join('\n')}\n`;
    }
  }
}
