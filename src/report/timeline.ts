import type { FailureTimeSource } from '../diagnose/timeline/failure-time.js';
import type { Timeline, TimelineEntry } from '../diagnose/timeline/timeline.js';
import { formatDuration, parseTimestamp } from '../model/time.js';
import { htmlPage, type OutputFormat, toJson, toYaml } from './format.js';
import { COLOR, columns, escapeHtml, escapeMd, PLAIN, type Style, visible } from './style.js';

/** What `timeline -o json|yaml` prints: the Timeline plus where the failure time came from. */
export interface TimelineReport extends Timeline {
  atSource: FailureTimeSource;
}

const SOURCE_TEXT: Record<FailureTimeSource, string> = {
  at: '--at',
  observation: 'the newest failing observation',
  snapshot: 'the time the snapshot was taken',
  now: 'now',
};

function offset(t: TimelineReport, e: TimelineEntry): string {
  const at = parseTimestamp(t.at, 'at');
  const when = parseTimestamp(e.time, 'time');
  if (!at || !when) return '';
  const d = at.ns - when.ns;
  if (d === 0n) return '0s';
  return d > 0n ? `-${formatDuration(d)}` : `+${formatDuration(-d)}`;
}

function windowsLine(t: TimelineReport): string {
  return t.windows
    .filter((w) => w.category !== 'event')
    .map((w) => `${w.category} ${w.minutes >= 60 ? `${w.minutes / 60}h` : `${w.minutes}m`}`)
    .join(', ');
}

/** Entries with the failure marked in time order: `undefined` stands for the failure row. */
function withFailure(t: TimelineReport): (TimelineEntry | undefined)[] {
  const at = parseTimestamp(t.at, 'at')?.ns ?? 0n;
  const rows: (TimelineEntry | undefined)[] = [];
  let placed = false;
  for (const e of t.entries) {
    if (!placed && (parseTimestamp(e.time, 'time')?.ns ?? 0n) > at) {
      rows.push(undefined);
      placed = true;
    }
    rows.push(e);
  }
  if (!placed) rows.push(undefined);
  return rows;
}

function text(t: TimelineReport, s: Style, wide: boolean): string {
  const target = `${t.target.namespace}/${t.target.name}`;
  const out = [
    `${s.bold('Timeline')} of service ${s.bold(target)} — failure at ${s.bold(t.at)} (from ${SOURCE_TEXT[t.atSource]})`,
    `Windows before the failure: ${windowsLine(t)}${t.widened ? s.yellow(' — WIDENED: no change found inside the runbook windows') : ''}`,
    '',
  ];
  const header = ['', 'TIME', 'Δ', 'CATEGORY', 'OBJECT', 'WHAT', ...(wide ? ['SOURCE'] : [])];
  const rows: string[][] = [header.map((h) => s.dim(h))];
  for (const e of withFailure(t)) {
    if (!e) {
      rows.push([
        s.red('▶'),
        s.red(s.bold(t.at)),
        '0s',
        s.red(s.bold('FAILURE')),
        '',
        '',
        ...(wide ? [''] : []),
      ]);
      continue;
    }
    const summary = wide || e.summary.length <= 100 ? e.summary : `${e.summary.slice(0, 99)}…`;
    const hi = (x: string) => (e.suspect ? s.yellow(s.bold(x)) : x);
    rows.push([
      e.suspect ? s.yellow('!') : ' ',
      hi(e.time),
      offset(t, e),
      hi(e.category),
      hi(e.object),
      summary,
      ...(wide ? [e.source] : []),
    ]);
  }
  out.push(columns(rows, visible));
  const suspects = t.entries.filter((e) => e.suspect);
  out.push('');
  if (suspects.length === 0)
    out.push(
      s.green('No change inside any window before the failure.') +
        (t.widened ? ' (even after widening)' : ''),
    );
  else
    out.push(
      `${s.yellow(s.bold(`${suspects.length} suspect${suspects.length === 1 ? '' : 's'}`))} (marked !) inside ${t.widened ? 'the widened' : "the runbook's"} windows; inspect the one nearest the failure first.`,
    );
  if (t.notes.length) {
    out.push('', s.dim('Notes:'));
    for (const n of t.notes) out.push(s.dim(`  · ${n}`));
  }
  return `${out.join('\n')}\n`;
}

function markdown(t: TimelineReport): string {
  const out = [
    `# Timeline of service \`${t.target.namespace}/${t.target.name}\``,
    '',
    `Failure at **${t.at}** (from ${SOURCE_TEXT[t.atSource]}). Windows: ${windowsLine(t)}${t.widened ? ' — **widened**: no change was found inside the runbook windows' : ''}.`,
    '',
    '| | time | Δ | category | object | what |',
    '|---|---|---|---|---|---|',
  ];
  for (const e of withFailure(t)) {
    if (!e) {
      out.push(`| ▶ | **${t.at}** | 0s | **FAILURE** | | |`);
      continue;
    }
    const b = (x: string) => (e.suspect ? `**${x}**` : x);
    out.push(
      `| ${e.suspect ? '⚠️' : ''} | ${b(e.time)} | ${offset(t, e)} | ${b(e.category)} | ${b(escapeMd(e.object))} | ${escapeMd(e.summary)} |`,
    );
  }
  const n = t.entries.filter((e) => e.suspect).length;
  out.push(
    '',
    n ? `**${n} suspect${n === 1 ? '' : 's'}** (⚠️) inside the windows.` : 'No change inside any window.',
  );
  if (t.notes.length) out.push('', '**Notes**', '', ...t.notes.map((x) => `- ${escapeMd(x)}`));
  return `${out.join('\n')}\n`;
}

function html(t: TimelineReport): string {
  const rows = withFailure(t).map((e) =>
    e
      ? `<tr${e.suspect ? ' class="warning"' : ''}><td>${e.suspect ? '⚠' : ''}</td><td>${escapeHtml(e.time)}</td><td>${escapeHtml(offset(t, e))}</td><td>${escapeHtml(e.category)}</td><td>${escapeHtml(e.object)}</td><td>${escapeHtml(e.summary)}</td></tr>`
      : `<tr class="fail"><td>▶</td><td>${escapeHtml(t.at)}</td><td>0s</td><td>FAILURE</td><td></td><td></td></tr>`,
  );
  const title = `Timeline of service ${t.target.namespace}/${t.target.name}`;
  return htmlPage(
    escapeHtml(title),
    [
      `<h1>${escapeHtml(title)}</h1>`,
      `<p>Failure at <b>${escapeHtml(t.at)}</b> (from ${escapeHtml(SOURCE_TEXT[t.atSource])}). Windows: ${escapeHtml(windowsLine(t))}${t.widened ? ' — <b>widened</b>' : ''}.</p>`,
      '<table><tr><th></th><th>time</th><th>Δ</th><th>category</th><th>object</th><th>what</th></tr>',
      ...rows,
      '</table>',
      t.notes.length
        ? `<h2>Notes</h2><ul>${t.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
        : '',
    ].join('\n'),
  );
}

export function renderTimeline(t: TimelineReport, format: OutputFormat, color: boolean): string {
  switch (format) {
    case 'json':
      return toJson(t);
    case 'yaml':
      return toYaml(t);
    case 'markdown':
      return markdown(t);
    case 'html':
      return html(t);
    default:
      return text(t, color ? COLOR : PLAIN, format === 'wide');
  }
}
