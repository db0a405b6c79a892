import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/registry.js';
import { PLAYBOOKS } from './playbook.js';

// Ids DESIGN.md's catalogue requires (test/catalogue.test.ts makes sure each one is registered);
// a playbook may link one before its check lands, never an id outside the catalogue.
const DESIGN_IDS = new Set([
  'service-not-found',
  'selector-matches-no-pods',
  'endpoints-not-ready',
  'endpoints-on-unready-nodes',
  'target-port-mismatch',
  'service-port-mismatch',
  'container-not-listening',
  'network-policy-denies',
  'kube-proxy-rules-missing',
  'kube-proxy-not-running',
  'etp-local-no-local-endpoint',
  'lb-not-provisioned',
  'node-sg-blocks-nodeport',
  'recent-change-correlated',
]);

describe('playbooks', () => {
  const registered = new Set(ALL_CHECKS.map((c) => c.id));
  for (const [id, p] of Object.entries(PLAYBOOKS)) {
    it(`${id}: every step names at least one check, and every check exists`, () => {
      expect(p.steps.length).toBeGreaterThan(0);
      for (const step of p.steps) {
        expect(step.checks.length).toBeGreaterThan(0);
        for (const c of step.checks) expect(registered.has(c) || DESIGN_IDS.has(c), c).toBe(true);
      }
    });
  }

  it('nodeport-not-accessible follows the runbook: six playbook steps and the correlation step', () => {
    const steps = PLAYBOOKS['nodeport-not-accessible']?.steps ?? [];
    expect(steps.map((s) => s.checks[0])).toEqual([
      'service-not-found',
      'endpoints-on-unready-nodes',
      'container-not-listening',
      'node-sg-blocks-nodeport',
      'kube-proxy-not-running',
      'endpoints-not-ready',
      'recent-change-correlated',
    ]);
  });
});
