// Shared runner for the peer table tests (test/peer-*.test.ts): each case is a situation taken
// from a peer's test suite, an upstream Kubernetes test, or a public report, run through the
// whole library diagnosis. A case states what must (and must not) be reported, never prose.
import { expect, it } from 'vitest';
import { audit, diagnose } from '../../src/diagnose/diagnose.js';
import type { Question } from '../../src/model/question.js';
import type { Snapshot } from '../../src/model/snapshot.js';

export interface PeerCase {
  /** A sentence: what the situation is and what must come out. */
  name: string;
  /** Where it comes from: peer file + case, upstream test, or a public URL. */
  source: string;
  build: () => { snapshot: Snapshot; question: Question };
  verdict?: 'reachable' | 'unreachable' | 'partial' | 'unknown';
  /** First finding id. Omitted: no finding of severity error may appear. */
  top?: string;
  present?: string[];
  absent?: string[];
  /** Set when svcdoctor is known to get this wrong and the fix belongs elsewhere: the reason. */
  todo?: string;
}

export const NOW = new Date('2026-11-22T10:00:00Z');

export function runPeerCases(cases: PeerCase[]): void {
  for (const c of cases) {
    const title = `${c.name} [${c.source}]`;
    if (c.todo) {
      it.todo(`${title} — ${c.todo}`);
      continue;
    }
    it(title, () => {
      const { snapshot, question } = c.build();
      const r = diagnose(snapshot, question, { now: NOW });
      const ids = r.findings.map((f) => f.id);
      const summary = r.findings.map((f) => `${f.id}(${f.severity})`).join(', ');
      expect(r.errors, 'no check crashed').toEqual([]);
      if (c.verdict) expect(r.verdict, summary).toBe(c.verdict);
      if (c.top) expect(ids[0], summary).toBe(c.top);
      else expect(r.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual([]);
      // A failing path must be explained: unreachable with no error or warning is a silent gap.
      if (r.verdict === 'unreachable')
        expect(
          r.findings.filter((f) => f.severity !== 'info').length,
          'unreachable is explained',
        ).toBeGreaterThan(0);
      for (const id of c.present ?? []) expect(ids, summary).toContain(id);
      for (const id of c.absent ?? []) expect(ids, summary).not.toContain(id);
    });
  }
}

export interface AuditCase {
  name: string;
  source: string;
  snapshot: () => Snapshot;
  /** Per Service ("ns/name"): ids that must / must not appear, and whether any error may. */
  services: Record<string, { present?: string[]; absent?: string[]; clean?: boolean }>;
  todo?: string;
}

export function runAuditCases(cases: AuditCase[]): void {
  for (const c of cases) {
    const title = `${c.name} [${c.source}]`;
    if (c.todo) {
      it.todo(`${title} — ${c.todo}`);
      continue;
    }
    it(title, () => {
      const r = audit(c.snapshot(), {}, { now: NOW });
      expect(r.errors).toEqual([]);
      for (const [key, want] of Object.entries(c.services)) {
        const entry = r.services.find((s) => `${s.target.namespace}/${s.target.name}` === key);
        expect(entry, `audit lists ${key}`).toBeDefined();
        const ids = entry?.findings.map((f) => f.id) ?? [];
        const summary = entry?.findings.map((f) => `${f.id}(${f.severity})`).join(', ');
        for (const id of want.present ?? []) expect(ids, summary).toContain(id);
        for (const id of want.absent ?? []) expect(ids, summary).not.toContain(id);
        if (want.clean)
          expect(entry?.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual([]);
      }
    });
  }
}
