import { describe, expect, it } from 'vitest';
import {
  container,
  meta,
  notReady,
  pod,
  question,
  service,
  snapshotOf,
} from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { KubeEvent, Pod } from '../model/types.js';
import check, { loopbackBindings } from './app-bound-to-localhost.js';

const web = () => service('web');
const webPod = (mutate?: (p: Pod) => void) =>
  pod('web-1', (p) => {
    p.podIP = '10.244.1.20';
    p.podIPs = ['10.244.1.20'];
    mutate?.(p);
  });
const withArgs =
  (...args: string[]) =>
  (p: Pod) => {
    p.containers[0]!.args = args;
  };
const refusedProbe: KubeEvent = {
  kind: 'Event',
  meta: meta('web-1.1', 'default'),
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1' },
  reason: 'Unhealthy',
  message: 'Readiness probe failed: dial tcp 10.244.1.20:8080: connect: connection refused',
  type: 'Warning',
  count: 30,
};

checkTable(check, {
  valid: [
    {
      name: 'the app listens on all interfaces',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod(withArgs('--host', '0.0.0.0', '--port', '8080'))],
      }),
      question: question('web'),
    },
    {
      name: 'a sidecar that proxies to 127.0.0.1 is not a loopback bind',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod(withArgs('--upstream=http://127.0.0.1:8080/', '--secure-listen-address=0.0.0.0:8443'))],
      }),
      question: question('web'),
    },
    {
      name: 'a metrics port bound to loopback is not the targetPort',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod(withArgs('--metrics-bind-address=127.0.0.1:9090', '--listen=0.0.0.0:8080'))],
      }),
      question: question('web'),
    },
    {
      name: 'a sidecar client talking to 127.0.0.1 says nothing about the server container',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          webPod((p) => {
            p.containers.push(
              container('probe', (c) => {
                c.ports = [];
                c.command = ['sh', '-c', 'while true; do redis-cli --host 127.0.0.1 ping; sleep 5; done'];
              }),
            );
          }),
        ],
      }),
      question: question('web'),
    },
    {
      name: 'working at loopback with no refusal at the pod IP proves nothing',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod()],
        observations: [{ from: 'pod/default/web-1', to: '127.0.0.1:8080/tcp', result: 'ok' }],
      }),
      question: question('web'),
    },
  ],
  invalid: [
    {
      name: 'gunicorn bound to 127.0.0.1 and the readiness probe is refused',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          webPod((p) => {
            p.containers[0]!.command = ['gunicorn', '-b', '127.0.0.1:8080', 'app:app'];
            notReady(p);
          }),
        ],
        events: [refusedProbe],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: { pod: 'web-1', port: 8080, bindings: [{ flag: '-b', address: '127.0.0.1', port: 8080 }] },
        },
      ],
    },
    {
      name: 'works at 127.0.0.1 inside the container, refused at the pod IP (seed 000 item 1)',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod()],
        observations: [
          { from: 'pod/default/web-1', to: '127.0.0.1:8080/tcp', result: 'ok' },
          { from: 'pod/default/client', to: '10.244.1.20:8080/tcp', result: 'refused' },
        ],
      }),
      question: question('web'),
      hits: [{ severity: 'error', data: { pod: 'web-1', port: 8080, bindings: [] } }],
    },
    {
      name: 'a flask dev server flag alone is a warning',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod(withArgs('run', '--host=localhost', '--port=8080'))],
      }),
      question: question('web'),
      hits: [{ severity: 'warning', data: { bindings: [{ flag: '--host', address: 'localhost' }] } }],
    },
  ],
});

describe('loopbackBindings', () => {
  it.each([
    [['nginx', '-g', 'daemon off; listen 127.0.0.1:8080;'], 'listen'],
    [['uvicorn', 'main:app', '--host', '127.0.0.1', '--port', '8000'], '--host'],
    [['./server', 'LISTEN_ADDR=127.0.0.1:8080'], 'LISTEN_ADDR'],
    [['redis-server', '--bind', '127.0.0.1', '::1'], '--bind'],
  ])('%j binds via %s', (args, flag) => {
    const c = container('app', (x) => (x.args = args));
    expect(loopbackBindings(c).map((b) => b.flag)).toEqual([flag]);
  });
});
