// Table-driven check tests, in the manner of ESLint's RuleTester: `valid` snapshots must
// produce no finding of the check; each `invalid` case must produce exactly the findings listed
// (id and the data fields given), and an invalid case that produces nothing fails.
import { describe, expect, it } from 'vitest';
import type { Check, CheckContext, CheckHit } from '../../src/checks/define.js';
import { computePaths } from '../../src/dataplane/paths.js';
import { inferVia } from '../../src/diagnose/diagnose.js';
import type { Question } from '../../src/model/question.js';
import type { Snapshot } from '../../src/model/snapshot.js';

export interface CheckCase {
  name: string;
  snapshot: Snapshot;
  question: Question;
  now?: Date;
  mode?: 'diagnose' | 'audit';
}

export interface InvalidCase extends CheckCase {
  /** One entry per expected hit: the data fields that must match (subset), and optionally severity. */
  hits: {
    data?: Record<string, unknown>;
    severity?: string;
    subject?: { kind: string; namespace?: string; name: string };
  }[];
}

export function runCheck(check: Check, c: CheckCase): { hits: CheckHit[]; unknowns: string[] } {
  const question = inferVia(
    c.snapshot.service(c.question.target.namespace ?? 'default', c.question.target.name),
    c.question,
    c.snapshot,
  );
  const service = c.snapshot.service(question.target.namespace ?? 'default', question.target.name);
  const unknowns: string[] = [];
  const ctx: CheckContext = {
    snapshot: c.snapshot,
    ...(service ? { service } : {}),
    question,
    paths: service ? computePaths(c.snapshot, service, question) : [],
    now: c.now ?? new Date('2026-11-22T10:00:00Z'),
    mode: c.mode ?? 'diagnose',
    unknown: (w) => unknowns.push(w),
  };
  return { hits: check.run(ctx), unknowns };
}

export function checkTable(check: Check, table: { valid: CheckCase[]; invalid: InvalidCase[] }): void {
  describe(check.id, () => {
    it('has at least three cases of each kind', () => {
      expect(table.valid.length).toBeGreaterThanOrEqual(3);
      expect(table.invalid.length).toBeGreaterThanOrEqual(3);
    });
    for (const c of table.valid) {
      it(`valid: ${c.name}`, () => {
        expect(runCheck(check, c).hits.map((h) => h.data)).toEqual([]);
      });
    }
    for (const c of table.invalid) {
      it(`invalid: ${c.name}`, () => {
        const { hits } = runCheck(check, c);
        expect(hits.length, 'an invalid case must trigger').toBe(c.hits.length);
        c.hits.forEach((want, i) => {
          const got = hits[i] as CheckHit;
          if (want.data) expect(got.data).toMatchObject(want.data);
          if (want.severity) expect(got.severity ?? check.severity).toBe(want.severity);
          if (want.subject) expect(got.subject).toEqual(want.subject);
          expect(got.fix.summary.length).toBeGreaterThan(0);
          expect(check.title(got.data).length).toBeGreaterThan(0);
        });
      });
    }
  });
}
