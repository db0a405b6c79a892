import { meta, node, notReady, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { KubeEvent, Observation, Pod } from '../model/types.js';
import check from './container-not-listening.js';

const web = () => service('web');
const webPod = (mutate?: (p: Pod) => void) =>
  pod('web-1', (p) => {
    p.podIP = '10.244.1.20';
    p.podIPs = ['10.244.1.20'];
    mutate?.(p);
  });

function probeEvent(message: string, podName = 'web-1'): KubeEvent {
  return {
    kind: 'Event',
    meta: meta(`${podName}.17a`, 'default'),
    involvedObject: { kind: 'Pod', namespace: 'default', name: podName },
    reason: 'Unhealthy',
    message,
    type: 'Warning',
    count: 12,
  };
}

const obs = (to: string, result: Observation['result'], detail?: string): Observation => ({
  from: 'pod/default/client',
  to,
  result,
  ...(detail ? { detail } : {}),
});

checkTable(check, {
  valid: [
    {
      name: 'a ready pod and no refusal anywhere',
      snapshot: snapshotOf({ services: [web()], pods: [webPod()] }),
      question: question('web'),
    },
    {
      name: 'a refusal at another port of the pod is not the targetPort',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod()],
        observations: [obs('10.244.1.20:9090/tcp', 'refused')],
      }),
      question: question('web'),
    },
    {
      name: 'a probe that answered with HTTP 500 means the port is open',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod(notReady)],
        events: [probeEvent('Readiness probe failed: HTTP probe failed with statuscode: 500')],
      }),
      question: question('web'),
    },
    {
      name: 'a refusal at the ClusterIP with no ready endpoints is kube-proxy rejecting, not the container',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.clusterIP = '10.96.5.5';
            s.clusterIPs = ['10.96.5.5'];
          }),
        ],
        pods: [webPod(notReady)],
        observations: [obs('10.96.5.5:80/tcp', 'refused')],
      }),
      question: question('web'),
    },
    {
      name: 'a probe refusal followed by a success at the same pod and port (the app has started since)',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod()],
        events: [
          probeEvent('Readiness probe failed: dial tcp 10.244.1.20:8080: connect: connection refused'),
        ],
        observations: [obs('10.244.1.20:8080/tcp', 'ok')],
      }),
      question: question('web'),
    },
    {
      name: 'a refusal at a node port is not evidence: kube-proxy itself refuses with eTP Local',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.type = 'NodePort';
            s.externalTrafficPolicy = 'Local';
            s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
          }),
        ],
        pods: [webPod()],
        nodes: [node('node-2')],
        observations: [obs('192.168.0.12:30080/tcp', 'refused')],
      }),
      question: question('web'),
    },
    {
      name: 'a timeout at the pod is not a refusal',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod()],
        observations: [obs('10.244.1.20:8080/tcp', 'timeout')],
      }),
      question: question('web'),
    },
  ],
  invalid: [
    {
      name: 'the user saw "connection refused" at PodIP:targetPort',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod()],
        observations: [
          obs(
            '10.244.1.20:8080/tcp',
            'refused',
            'curl: (7) Failed to connect to 10.244.1.20 port 8080: Connection refused',
          ),
        ],
      }),
      question: question('web'),
      hits: [
        {
          data: { pods: ['web-1'], port: 8080, viaService: false },
          subject: { kind: 'Pod', namespace: 'default', name: 'web-1' },
        },
      ],
    },
    {
      name: 'the readiness probe is refused at the targetPort',
      snapshot: snapshotOf({
        services: [web()],
        pods: [webPod(notReady)],
        events: [
          probeEvent('Readiness probe failed: dial tcp 10.244.1.20:8080: connect: connection refused'),
        ],
      }),
      question: question('web'),
      hits: [{ data: { pods: ['web-1'], port: 8080, refusals: [{ source: 'probe', port: 8080 }] } }],
    },
    {
      name: 'an HTTP liveness probe is refused at a named targetPort',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }];
          }),
        ],
        pods: [
          webPod((p) => {
            p.containers[0]!.ports = [{ name: 'http', containerPort: 3000, protocol: 'TCP' }];
          }),
        ],
        events: [
          probeEvent(
            'Liveness probe failed: Get "http://10.244.1.20:3000/healthz": dial tcp 10.244.1.20:3000: connect: connection refused',
          ),
        ],
      }),
      question: question('web'),
      hits: [{ data: { port: 3000 } }],
    },
    {
      name: 'refused through the ClusterIP while endpoints are ready',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.clusterIP = '10.96.5.5';
            s.clusterIPs = ['10.96.5.5'];
          }),
        ],
        pods: [webPod()],
        observations: [obs('10.96.5.5:80/tcp', 'refused')],
      }),
      question: question('web'),
      hits: [{ data: { viaService: true, port: 8080 } }],
    },
  ],
});
