// The catalogue guards itself: every check is registered once, documented, tested, and named
// after its file; every id DESIGN.md requires exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../src/checks/define.js';
import { ALL_CHECKS } from '../src/checks/registry.js';

const REQUIRED = [
  'service-not-found',
  'selector-matches-no-pods',
  'selector-less-without-endpoints',
  'endpoints-not-ready',
  'endpoints-on-unready-nodes',
  'target-port-mismatch',
  'service-port-mismatch',
  'protocol-mismatch',
  'container-not-listening',
  'app-bound-to-localhost',
  'headless-service-no-vip',
  'dns-name-wrong',
  'network-policy-denies',
  'kube-proxy-rules-missing',
  'kube-proxy-not-running',
  'etp-local-no-local-endpoint',
  'etp-local-in-cluster-lb-access',
  'itp-local-no-local-endpoint',
  'lb-loopback',
  'lb-not-provisioned',
  'lb-backend-mismatch',
  'lb-health-check-disabled',
  'lb-health-check-failing',
  'lb-certificate-expired',
  'lb-pass-through-unsupported',
  'node-sg-blocks-nodeport',
  'lb-sg-blocks-backend',
  'udp-health-check-needs-icmp',
  'nat-rule-missing-eip',
  'eip-no-bandwidth',
  'route-blackhole',
  'ingress-no-matching-rule',
  'ingress-backend-missing',
  'ingress-class-missing',
  'ingress-lb-sg-blocks',
  'hairpin-disabled',
  'ip-family-mismatch',
  'endpoints-truncated',
  'recent-change-correlated',
];

const checksDir = path.resolve(import.meta.dirname, '..', 'src', 'checks');

describe('check catalogue', () => {
  it('has every id DESIGN.md requires', () => {
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    expect(REQUIRED.filter((id) => !ids.has(id))).toEqual([]);
  });

  it('registers each check once', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('registers every check file', () => {
    const files = readdirSync(checksDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'define.ts' && f !== 'registry.ts')
      .map((f) => f.slice(0, -3));
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    expect(files.filter((f) => !ids.has(f))).toEqual([]);
  });

  for (const check of ALL_CHECKS) {
    describe(check.id, () => {
      it('is kebab-case and lives in src/checks/<id>.ts', () => {
        expect(check.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(existsSync(path.join(checksDir, `${check.id}.ts`))).toBe(true);
      });
      it('has a table test beside it', () => {
        const test = path.join(checksDir, `${check.id}.test.ts`);
        expect(existsSync(test)).toBe(true);
        expect(readFileSync(test, 'utf8')).toMatch(/checkTable\(|describe\(/);
      });
      it('documents what, why, how to confirm and how to fix', () => {
        for (const k of ['what', 'why', 'confirm', 'fix'] as const)
          expect(check.docs[k].trim().length).toBeGreaterThan(20);
        expect(check.source.length).toBeGreaterThan(0);
      });
      it('has a known layer and a confidence in (0, 1]', () => {
        expect(LAYERS).toContain(check.layer);
        expect(check.confidence).toBeGreaterThan(0);
        expect(check.confidence).toBeLessThanOrEqual(1);
      });
    });
  }
});
