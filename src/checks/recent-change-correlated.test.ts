import { describe, expect, it } from 'vitest';
import { node, pod, question, type SnapshotInput, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import type { Observation, Pod, Service } from '../model/types.js';
import check from './recent-change-correlated.js';

const FAIL = '2026-11-22T10:00:00Z';

function web(mutate?: (s: Service) => void): Service {
  return service('web', (s) => {
    s.type = 'NodePort';
    s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
    s.meta.creationTimestamp = '2026-01-01T00:00:00Z';
    mutate?.(s);
  });
}

function kubeProxy(finishedAt: string): Pod {
  return pod(
    'kube-proxy-x2abc',
    (p) => {
      p.meta.labels = { 'k8s-app': 'kube-proxy' };
      p.meta.creationTimestamp = '2026-10-01T00:00:00Z';
      p.containerStatuses = [
        {
          name: 'kube-proxy',
          ready: true,
          restartCount: 2,
          state: { running: {} },
          lastState: { terminated: { reason: 'Error', exitCode: 255, finishedAt } },
        },
      ];
    },
    'kube-system',
  );
}

const failing = (at: string, to = 'svc/default/web:80'): Observation => ({
  at,
  from: 'internet',
  to,
  result: 'timeout',
});

function snap(extra: SnapshotInput = {}, svc = web()) {
  return snapshotOf({ services: [svc], ...extra, pods: [pod('web-abcde'), ...(extra.pods ?? [])] });
}

const edited = web((s) => {
  s.meta.managedFields = [
    { manager: 'kubectl-edit', operation: 'Update', time: '2026-11-22T09:41:00Z', fields: ['spec.ports'] },
  ];
});

checkTable(check, {
  invalid: [
    {
      name: 'a Service port edit 19 min before --at (inside 30 min)',
      snapshot: snap({}, edited),
      question: question('web', { at: FAIL }),
      hits: [
        {
          severity: 'warning',
          data: {
            at: FAIL,
            atSource: 'at',
            widened: false,
            changes: [
              {
                time: '2026-11-22T09:41:00Z',
                category: 'service-config',
                object: 'service/default/web',
                summary: 'kubectl-edit (Update) last changed spec.ports',
                windowMinutes: 30,
              },
            ],
          },
        },
      ],
    },
    {
      name: 'kube-proxy restarted 4 min before the newest failing observation (inside 5 min)',
      snapshot: snap({
        pods: [kubeProxy('2026-11-22T09:56:00Z')],
        observations: [
          failing('2026-11-22T09:00:00Z'),
          failing(FAIL),
          { ...failing('2026-11-22T11:00:00Z'), result: 'ok' },
        ],
      }),
      question: question('web'),
      now: new Date('2026-11-23T00:00:00Z'),
      hits: [
        {
          data: {
            at: FAIL,
            atSource: 'observation',
            changes: [
              {
                category: 'kube-proxy-restart',
                object: 'pod/kube-system/kube-proxy-x2abc',
                windowMinutes: 5,
              },
            ],
          },
        },
      ],
    },
    {
      name: 'a security group change 20 min before: nothing in the runbook windows, found after widening',
      snapshot: snap({
        cloud: {
          provider: 'generic',
          cluster: {},
          changes: [
            {
              time: '2026-11-22T09:40:00Z',
              resource: 'sg/sg-nodes',
              category: 'cloud-security',
              summary: 'inbound 30000-32767 removed',
            },
          ],
        },
      }),
      question: question('web', { at: '2026-11-22 18:00:00 +08:00' }),
      hits: [
        {
          data: {
            at: FAIL,
            widened: true,
            changes: [{ category: 'cloud-security', object: 'sg/sg-nodes', windowMinutes: 30 }],
          },
        },
      ],
    },
    {
      name: 'audit mode judges at a failing observation of this Service',
      snapshot: snap({
        nodes: [
          node('node-1', (n) => {
            n.conditions = [
              { type: 'NetworkUnavailable', status: 'True', lastTransitionTime: '2026-11-22T09:52:00Z' },
            ];
          }),
        ],
        observations: [failing(FAIL, '192.168.0.11:30080/tcp')],
      }),
      question: question('web'),
      mode: 'audit',
      hits: [
        { data: { atSource: 'observation', changes: [{ category: 'node-network', object: 'node/node-1' }] } },
      ],
    },
  ],
  valid: [
    {
      name: 'a kube-proxy restart 80 min before the failure is outside even its widened 10 min window',
      snapshot: snap({ pods: [kubeProxy('2026-11-22T08:40:00Z')] }),
      question: question('web', { at: FAIL }),
    },
    {
      name: 'a change after the failure cannot have caused it',
      snapshot: snap({ pods: [kubeProxy('2026-11-22T10:01:00Z')] }),
      question: question('web', { at: FAIL }),
    },
    {
      name: 'only controller events (symptoms) near the failure',
      snapshot: snap({
        events: [
          {
            kind: 'Event',
            meta: {
              name: 'web.1',
              namespace: 'default',
              labels: {},
              annotations: {},
              ownerReferences: [],
              managedFields: [],
            },
            involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
            reason: 'FailedToUpdateEndpoint',
            message: 'Failed to update endpoint default/web',
            type: 'Warning',
            count: 1,
            lastTimestamp: '2026-11-22T09:59:00Z',
          },
        ],
      }),
      question: question('web', { at: FAIL }),
    },
    {
      name: 'audit mode without --at or a failing observation has no failure to correlate',
      snapshot: snap({ pods: [kubeProxy('2026-11-22T09:59:00Z')] }),
      question: question('web'),
      now: new Date(FAIL),
      mode: 'audit',
    },
    {
      name: 'a security group of another Service’s load balancer changed',
      snapshot: snap({
        cloud: {
          provider: 'generic',
          cluster: {},
          securityGroups: [{ id: 'sg-lb9', attachedTo: ['lb/elb-9'], inbound: [] }],
          loadBalancers: [{ id: 'elb-9', addresses: [], owner: 'service/default/other', listeners: [] }],
          changes: [
            {
              time: '2026-11-22T09:55:00Z',
              resource: 'sg/sg-lb9',
              category: 'cloud-security',
              summary: 'rule removed',
            },
          ],
        },
      }),
      question: question('web', { at: FAIL }),
    },
  ],
});

describe('recent-change-correlated, beyond the table', () => {
  it('a bad --at is reported as an unknown, not a crash', () => {
    const r = runCheck(check, {
      name: '',
      snapshot: snap({}, edited),
      question: question('web', { at: 'yesterday' }),
    });
    expect(r.hits).toEqual([]);
    expect(r.unknowns).toHaveLength(1);
  });

  it('several changes: nearest first, confidence lower when widened', () => {
    const base = runCheck(check, {
      name: '',
      snapshot: snap({ pods: [kubeProxy('2026-11-22T09:58:00Z')] }, edited),
      question: question('web', { at: FAIL }),
    });
    expect(
      base.hits.map((h) => [h.confidence, (h.data.changes as { category: string }[]).map((c) => c.category)]),
    ).toEqual([[0.5, ['kube-proxy-restart', 'service-config']]]);
    const widened = runCheck(check, {
      name: '',
      snapshot: snap({ pods: [kubeProxy('2026-11-22T09:52:00Z')] }),
      question: question('web', { at: FAIL }),
    });
    expect(widened.hits.map((h) => [h.confidence, h.data.widened])).toEqual([[0.3, true]]);
  });
});
