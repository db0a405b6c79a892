import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../diagnose/timeline/timeline.js';
import { renderTimeline, type TimelineReport } from './timeline.js';

function entry(
  time: string,
  suspect: boolean,
  category: TimelineEntry['category'] = 'kube-proxy-restart',
): TimelineEntry {
  return {
    time,
    category,
    object: `pod/kube-system/kube-proxy-${time.slice(14, 16)}`,
    summary: 'restarted',
    suspect,
    source: 'pod-status',
  };
}

const report: TimelineReport = {
  target: { kind: 'Service', namespace: 'default', name: 'web' },
  at: '2026-11-22T10:00:00Z',
  atSource: 'at',
  widened: false,
  windows: [],
  entries: [
    entry('2026-11-22T09:40:00Z', false),
    entry('2026-11-22T09:57:00Z', true),
    entry('2026-11-22T10:03:00Z', false),
  ],
  notes: [],
};

/** The first cell of each table row after the header: '!' suspect, '▶' failure, '' other. */
function markers(text: string): { mark: string; time: string }[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.includes('TIME'));
  const rows: { mark: string; time: string }[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') break;
    const m = /^(.)\s+(\S+)/.exec(l);
    if (m) rows.push({ mark: (m[1] ?? '').trim(), time: m[2] ?? '' });
  }
  return rows;
}

describe('renderTimeline', () => {
  it('table: the failure row sits between the entries before and after it; suspects are marked', () => {
    expect(markers(renderTimeline(report, 'table', false))).toEqual([
      { mark: '', time: '2026-11-22T09:40:00Z' },
      { mark: '!', time: '2026-11-22T09:57:00Z' },
      { mark: '▶', time: '2026-11-22T10:00:00Z' },
      { mark: '', time: '2026-11-22T10:03:00Z' },
    ]);
  });

  it('table: a timeline with nothing after the failure ends with the failure row', () => {
    const r = { ...report, entries: report.entries.slice(0, 2) };
    expect(markers(renderTimeline(r, 'table', false)).map((x) => x.mark)).toEqual(['', '!', '▶']);
  });

  it('json is the timeline itself', () => {
    expect(JSON.parse(renderTimeline(report, 'json', false))).toEqual(report);
  });

  it('markdown: one table row per entry plus the failure row, suspects bold', () => {
    const rows = renderTimeline(report, 'markdown', false)
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| |'));
    expect(rows.map((r) => r.split('|')[2]?.trim())).toEqual([
      '2026-11-22T09:40:00Z',
      '**2026-11-22T09:57:00Z**',
      '**2026-11-22T10:00:00Z**',
      '2026-11-22T10:03:00Z',
    ]);
  });

  it('html escapes object names', () => {
    const r = { ...report, entries: [{ ...entry('2026-11-22T09:57:00Z', true), object: 'sg/<script>' }] };
    expect(renderTimeline(r, 'html', false)).not.toContain('<script>');
  });
});
