import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../model/finding.js';
import type { Trace } from '../model/trace.js';
import type { Observation } from '../model/types.js';
import { rankFindings } from './rank.js';

function finding(id: string, severity: Severity = 'error', confidence = 0.8, subject = 'web'): Finding {
  return {
    id,
    severity,
    confidence,
    title: id,
    subject: { kind: 'Service', namespace: 'default', name: subject },
    data: {},
    evidence: [],
    fix: { summary: 'fix', commands: [] },
    seeAlso: [],
  };
}

const obs = (result: Observation['result'], detail?: string): Observation => ({
  from: 'internet',
  to: '203.0.113.10:80/tcp',
  result,
  ...(detail ? { detail } : {}),
});

const ids = (fs: Finding[]) => fs.map((f) => f.id);

describe('rankFindings', () => {
  it('folds the LB health check failure under eTP Local having no local endpoint', () => {
    const out = rankFindings(
      [finding('lb-health-check-failing'), finding('etp-local-no-local-endpoint')],
      [],
      [],
    );
    expect(ids(out)).toEqual(['etp-local-no-local-endpoint']);
    expect(out[0]?.consequences?.map((f) => f.id)).toEqual(['lb-health-check-failing']);
  });

  it('folds endpoints-not-ready under container-not-listening', () => {
    const out = rankFindings([finding('endpoints-not-ready'), finding('container-not-listening')], [], []);
    expect(ids(out)).toEqual(['container-not-listening']);
    expect(ids(out[0]!.consequences!)).toEqual(['endpoints-not-ready']);
  });

  it('folds transitively to the root cause', () => {
    const out = rankFindings(
      [
        finding('lb-health-check-failing'),
        finding('endpoints-not-ready'),
        finding('container-not-listening'),
        finding('app-bound-to-localhost'),
      ],
      [],
      [],
    );
    expect(ids(out)).toEqual(['app-bound-to-localhost']);
    expect(ids(out[0]!.consequences!).sort()).toEqual([
      'container-not-listening',
      'endpoints-not-ready',
      'lb-health-check-failing',
    ]);
  });

  it('a weak hint does not absorb a better-evidenced finding', () => {
    const out = rankFindings(
      [finding('endpoints-not-ready', 'error'), finding('app-bound-to-localhost', 'warning', 0.5)],
      [],
      [],
    );
    expect(out.map((f) => f.id)).toEqual(['endpoints-not-ready', 'app-bound-to-localhost']);
    expect(out[0]?.consequences).toBeUndefined();
  });

  it('a warning cause of an error is raised to error so the verdict keeps it', () => {
    const out = rankFindings(
      [finding('endpoints-not-ready', 'error'), finding('app-bound-to-localhost', 'warning', 0.7)],
      [],
      [],
    );
    expect(out[0]?.id).toBe('app-bound-to-localhost');
    expect(out[0]?.severity).toBe('error');
  });

  it('puts the finding named at the earliest failing hop first', () => {
    const paths: Trace[] = [
      {
        outcome: 'dropped',
        reason: 'sg',
        hops: [
          { at: 'client', action: 'forward' },
          { at: 'sg/sg-nodes', action: 'drop', findingIds: ['node-sg-blocks-nodeport'] },
          { at: 'node/node-1', action: 'forward', findingIds: ['kube-proxy-rules-missing'] },
        ],
      },
    ];
    const out = rankFindings(
      [
        finding('kube-proxy-rules-missing'),
        finding('node-sg-blocks-nodeport'),
        finding('network-policy-denies'),
      ],
      paths,
      [],
    );
    expect(ids(out)).toEqual([
      'node-sg-blocks-nodeport',
      'kube-proxy-rules-missing',
      'network-policy-denies',
    ]);
  });

  it('ignores hops of delivered paths', () => {
    const paths: Trace[] = [
      {
        outcome: 'delivered',
        reason: 'ok',
        hops: [{ at: 'x', action: 'forward', findingIds: ['network-policy-denies'] }],
      },
    ];
    const out = rankFindings([finding('network-policy-denies'), finding('dns-name-wrong')], paths, []);
    expect(ids(out)).toEqual(['dns-name-wrong', 'network-policy-denies']);
  });

  it('prefers the finding that produces the observed symptom', () => {
    const fs = [finding('dns-name-wrong'), finding('network-policy-denies')];
    expect(
      ids(rankFindings(fs, [], [obs('timeout', 'curl: (28) Connection timed out after 5000 milliseconds')])),
    ).toEqual(['network-policy-denies', 'dns-name-wrong']);
    expect(ids(rankFindings(fs, [], [obs('dns-nxdomain')]))).toEqual([
      'dns-name-wrong',
      'network-policy-denies',
    ]);
  });

  it('raises confidence on agreement and lowers it on contradiction', () => {
    const out = rankFindings(
      [finding('lb-certificate-expired', 'error', 0.8), finding('container-not-listening', 'error', 0.8)],
      [],
      [obs('tls-error')],
    );
    expect(out.find((f) => f.id === 'lb-certificate-expired')?.confidence).toBeGreaterThan(0.8);
    expect(out.find((f) => f.id === 'container-not-listening')?.confidence).toBeLessThan(0.8);
  });

  it('leaves confidence alone without observations', () => {
    expect(rankFindings([finding('network-policy-denies', 'error', 0.85)], [], [])[0]?.confidence).toBe(0.85);
  });

  it('orders by severity, then layer from client to container', () => {
    const out = rankFindings(
      [
        finding('container-not-listening'),
        finding('recent-change-correlated', 'info'),
        finding('node-sg-blocks-nodeport', 'warning'),
        finding('dns-name-wrong'),
      ],
      [],
      [],
    );
    expect(ids(out)).toEqual([
      'dns-name-wrong',
      'container-not-listening',
      'node-sg-blocks-nodeport',
      'recent-change-correlated',
    ]);
  });

  it('is stable: the same input in any order gives the same output', () => {
    const fs = [
      finding('a-check', 'error', 0.5, 'b'),
      finding('a-check', 'error', 0.5, 'a'),
      finding('dns-name-wrong'),
      finding('endpoints-not-ready'),
    ];
    const one = ids(rankFindings(fs, [], []));
    const two = ids(rankFindings([...fs].reverse(), [], []));
    expect(one).toEqual(two);
    expect(rankFindings(fs, [], []).map((f) => f.subject?.name)).toEqual(
      rankFindings([...fs].reverse(), [], []).map((f) => f.subject?.name),
    );
  });

  it('does not modify its input', () => {
    const fs = [finding('lb-health-check-failing'), finding('etp-local-no-local-endpoint')];
    const copy = JSON.parse(JSON.stringify(fs));
    rankFindings(fs, [], [obs('timeout')]);
    expect(fs).toEqual(copy);
  });
});

describe('observationsFor', () => {
  it('keeps observations about the Service and its pods, drops those about another Service', async () => {
    const { pod, question, service, snapshotOf } = await import('../../test/support/builders.js');
    const { observationsFor } = await import('./rank.js');
    const web = service('web', (s) => {
      s.clusterIP = '10.96.9.1';
      s.clusterIPs = ['10.96.9.1'];
    });
    const other = service('other', (s) => {
      s.clusterIP = '10.96.9.2';
      s.clusterIPs = ['10.96.9.2'];
    });
    const p = pod('web-1', (x) => {
      x.podIP = '10.244.1.9';
      x.podIPs = ['10.244.1.9'];
    });
    const snap = snapshotOf({
      services: [web, other],
      pods: [p],
      observations: [
        { from: 'internet', to: '10.96.9.1:80/tcp', result: 'refused' },
        { from: 'internet', to: '10.96.9.2:80/tcp', result: 'timeout' },
        { from: 'internet', to: '10.244.1.9:8080/tcp', result: 'refused' },
        { from: 'internet', to: 'svc/default/other:80', result: 'timeout' },
        { from: 'internet', to: 'https://shop.example.com/', result: 'tls-error' },
      ],
    });
    expect(observationsFor(snap, question('web')).map((o) => o.to)).toEqual([
      '10.96.9.1:80/tcp',
      '10.244.1.9:8080/tcp',
      'https://shop.example.com/',
    ]);
  });
});

describe('pairing a correlated change with its effect', () => {
  it('supports the finding the change tends to cause, and leaves others alone', () => {
    const change = {
      ...finding('recent-change-correlated', 'warning', 0.5),
      data: { relatedChecks: ['selector-matches-no-pods'] },
    };
    const out = rankFindings(
      [change, finding('selector-matches-no-pods', 'error', 0.8), finding('dns-name-wrong', 'error', 0.8)],
      [],
      [],
    );
    const sel = out.find((f) => f.id === 'selector-matches-no-pods')!;
    expect(sel.confidence).toBe(0.84);
    expect(sel.seeAlso).toEqual(['recent-change-correlated']);
    expect(out.find((f) => f.id === 'dns-name-wrong')?.confidence).toBe(0.8);
    expect(out.map((f) => f.id)).toEqual([
      'dns-name-wrong',
      'selector-matches-no-pods',
      'recent-change-correlated',
    ]);
  });
});

describe('rankFindings properties', () => {
  const ids = [
    'selector-matches-no-pods',
    'endpoints-not-ready',
    'container-not-listening',
    'app-bound-to-localhost',
    'target-port-mismatch',
    'lb-health-check-failing',
    'etp-local-no-local-endpoint',
    'network-policy-denies',
    'dns-name-wrong',
    'node-sg-blocks-nodeport',
    'recent-change-correlated',
  ];
  const arbFinding = fc.record({
    id: fc.constantFrom(...ids),
    severity: fc.constantFrom<Severity>('error', 'warning', 'info'),
    confidence: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    subject: fc.constantFrom('web', 'api'),
  });
  const arbObs = fc.array(
    fc.constantFrom<Observation['result']>('refused', 'timeout', 'dns-nxdomain', 'http-503', 'ok'),
    {
      maxLength: 3,
    },
  );
  const flatten = (fs: Finding[]): string[] => fs.flatMap((f) => [f.id, ...flatten(f.consequences ?? [])]);

  it('never loses a finding: top level plus consequences is the input', () => {
    fc.assert(
      fc.property(fc.array(arbFinding, { maxLength: 8 }), arbObs, (raw, results) => {
        const fs = raw.map((r) => finding(r.id, r.severity, r.confidence, r.subject));
        const out = rankFindings(
          fs,
          [],
          results.map((r) => obs(r)),
        );
        return JSON.stringify(flatten(out).sort()) === JSON.stringify(fs.map((f) => f.id).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the input order', () => {
    fc.assert(
      fc.property(fc.array(arbFinding, { maxLength: 8 }), arbObs, (raw, results) => {
        const fs = raw.map((r) => finding(r.id, r.severity, r.confidence, r.subject));
        const o = results.map((r) => obs(r));
        const key = (x: Finding[]) =>
          JSON.stringify(
            x.map((f) => [f.id, f.subject?.name, f.severity, f.confidence, flatten(f.consequences ?? [])]),
          );
        return key(rankFindings(fs, [], o)) === key(rankFindings([...fs].reverse(), [], o));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps confidences within (0, 1)', () => {
    fc.assert(
      fc.property(fc.array(arbFinding, { maxLength: 8 }), arbObs, (raw, results) => {
        const out = rankFindings(
          raw.map((r) => finding(r.id, r.severity, r.confidence, r.subject)),
          [],
          results.map((r) => obs(r)),
        );
        return out.every((f) => f.confidence > 0 && f.confidence < 1);
      }),
    );
  });
});
