import { expect, it } from 'vitest';
import { meta, node, notReady, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import type { KubeEvent, Pod } from '../model/types.js';
import check from './endpoints-not-ready.js';

const web = () => service('web');

function probeEvent(podName: string, message: string, count = 12): KubeEvent {
  return {
    kind: 'Event',
    meta: meta(`${podName}.17a2b3c4d5e6f7a8`),
    involvedObject: { kind: 'Pod', namespace: 'default', name: podName, fieldPath: 'spec.containers{app}' },
    reason: 'Unhealthy',
    message,
    type: 'Warning',
    count,
    lastTimestamp: '2026-11-22T09:59:00Z',
    reporter: 'kubelet',
  };
}

const crashLooping = (p: Pod) => {
  notReady(p);
  p.containerStatuses = [
    {
      name: 'app',
      ready: false,
      restartCount: 7,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
      },
      lastState: { terminated: { reason: 'Error', exitCode: 1 } },
    },
  ];
};

const terminating = (p: Pod) => {
  notReady(p);
  p.meta.deletionTimestamp = '2026-11-22T09:59:30Z';
};

checkTable(check, {
  valid: [
    {
      name: 'an ExternalName Service (a DNS alias) is never judged by its selector or ports',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.type = 'ExternalName';
            s.externalName = 'web.example.com';
            s.clusterIP = '';
            s.clusterIPs = [];
            s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }];
          }),
        ],
        pods: [pod('web-1', (p) => notReady(p))],
        nodes: [node('node-1', (n) => (n.unschedulable = true))],
      }),
      question: question('web', { port: 80, protocol: 'UDP' }),
    },
    {
      name: 'every matching pod is ready',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-1'), pod('web-2')] }),
      question: question('web'),
    },
    {
      name: 'a pod terminating during a rollout while another endpoint is ready',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-7f9c2'), pod('web-5d8f7', terminating)] }),
      question: question('web'),
    },
    {
      name: 'a new pod still starting while the others serve',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-1'),
          pod('web-2', (p) => {
            notReady(p);
            p.containerStatuses = [
              {
                name: 'app',
                ready: false,
                restartCount: 0,
                state: { waiting: { reason: 'ContainerCreating' } },
                lastState: {},
              },
            ];
          }),
        ],
      }),
      question: question('web'),
    },
    {
      name: 'publishNotReadyAddresses sends traffic to unready pods on purpose',
      snapshot: snapshotOf({
        services: [service('web', (s) => (s.publishNotReadyAddresses = true))],
        pods: [pod('web-0', (p) => notReady(p))],
      }),
      question: question('web'),
    },
    {
      name: 'pods not collected: unknown, not a finding',
      snapshot: snapshotOf({ services: [web()], collected: { Pod: false } }),
      question: question('web'),
    },
    {
      name: 'no matching pods is another check',
      snapshot: snapshotOf({ services: [web()], pods: [] }),
      question: question('web'),
    },
  ],
  invalid: [
    {
      name: 'the readiness probe fails on every pod (from Events)',
      snapshot: snapshotOf({
        services: [web()],
        pods: [pod('web-1', (p) => notReady(p))],
        events: [probeEvent('web-1', 'Readiness probe failed: HTTP probe failed with statuscode: 503')],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: {
            ready: 0,
            notReady: 1,
            terminating: 0,
            readyEndpoints: 0,
            pods: [{ pod: 'web-1', phase: 'Running', reasons: [{ reason: 'ReadinessProbeFailed' }] }],
          },
        },
      ],
    },
    {
      name: 'the only container is in CrashLoopBackOff',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-1', crashLooping)] }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: {
            pods: [
              {
                pod: 'web-1',
                reasons: [
                  {
                    reason: 'CrashLoopBackOff',
                    container: 'app',
                    detail: 'last exit Error (code 1), 7 restarts',
                  },
                ],
              },
            ],
          },
        },
      ],
    },
    {
      name: 'the pod is Pending because no node fits',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-1', (p) => {
            notReady(p);
            p.phase = 'Pending';
            delete p.nodeName;
            p.containerStatuses = [];
            p.conditions = [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/3 nodes are available: 3 Insufficient memory.',
              },
            ];
          }),
        ],
      }),
      question: question('web'),
      hits: [
        {
          data: {
            pods: [
              {
                pod: 'web-1',
                phase: 'Pending',
                reasons: [
                  { reason: 'Unschedulable', detail: '0/3 nodes are available: 3 Insufficient memory.' },
                ],
              },
            ],
          },
        },
      ],
    },
    {
      name: 'one of two pods cannot pull its image: a warning, the other still serves',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-1'),
          pod('web-2', (p) => {
            notReady(p);
            p.containerStatuses = [
              {
                name: 'app',
                ready: false,
                restartCount: 0,
                state: {
                  waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:1.277"' },
                },
                lastState: {},
              },
            ];
          }),
        ],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'warning',
          data: {
            ready: 1,
            notReady: 1,
            pods: [{ pod: 'web-2', reasons: [{ reason: 'ImagePullBackOff', container: 'app' }] }],
          },
        },
      ],
    },
    {
      name: 'a readiness gate that its controller never set',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-1', (p) => {
            p.ready = false;
            p.readinessGates = ['target-health.elbv2.k8s.aws/k8s-default-web'];
            p.conditions = [
              { type: 'ContainersReady', status: 'True' },
              { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady' },
            ];
          }),
        ],
      }),
      question: question('web'),
      hits: [
        {
          data: {
            pods: [
              {
                pod: 'web-1',
                reasons: [
                  {
                    reason: 'ReadinessGate',
                    detail: 'target-health.elbv2.k8s.aws/k8s-default-web is not set',
                  },
                ],
              },
            ],
          },
        },
      ],
    },
    {
      name: 'an init container crash-looping keeps the pod from starting',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-1', (p) => {
            notReady(p);
            p.phase = 'Pending';
            p.initContainerStatuses = [
              {
                name: 'migrate',
                ready: false,
                restartCount: 4,
                state: { waiting: { reason: 'CrashLoopBackOff' } },
                lastState: { terminated: { reason: 'Error', exitCode: 2 } },
              },
            ];
            p.containerStatuses = [
              {
                name: 'app',
                ready: false,
                restartCount: 0,
                state: { waiting: { reason: 'PodInitializing' } },
                lastState: {},
              },
            ];
          }),
        ],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: {
            pods: [
              {
                pod: 'web-1',
                phase: 'Pending',
                reasons: [
                  {
                    reason: 'Init:CrashLoopBackOff',
                    container: 'migrate',
                    detail: 'last exit Error (code 2), 4 restarts',
                  },
                ],
              },
            ],
          },
        },
      ],
    },
    {
      name: 'every pod is terminating but still serving: kube-proxy falls back to them, a warning',
      snapshot: snapshotOf({
        services: [web()],
        pods: [pod('web-5d8f7', (p) => (p.meta.deletionTimestamp = '2026-11-22T09:59:30Z'))],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'warning',
          data: { ready: 0, terminating: 1, readyEndpoints: 0, servingTerminating: 1 },
        },
      ],
    },
    {
      name: 'every pod is terminating and no new one is ready (a rollout gone wrong)',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-5d8f7', terminating)] }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: {
            ready: 0,
            notReady: 0,
            terminating: 1,
            servingTerminating: 0,
            pods: [{ pod: 'web-5d8f7', reasons: [{ reason: 'Terminating' }] }],
          },
        },
      ],
    },
  ],
});

it('endpoints-not-ready: pods not collected is recorded as unknown', () => {
  const { unknowns } = runCheck(check, {
    name: 'unknown',
    snapshot: snapshotOf({ services: [web()], collected: { Pod: false } }),
    question: question('web'),
  });
  expect(unknowns).toHaveLength(1);
});
