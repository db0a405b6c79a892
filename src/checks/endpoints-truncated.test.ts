import {
  endpointsFor,
  node,
  pod,
  question,
  service,
  sliceFor,
  snapshotOf,
} from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { EndpointAddress, EndpointSlice, Service } from '../model/types.js';
import check from './endpoints-truncated.js';

const big = () => service('big');
const addresses = (n: number): EndpointAddress[] =>
  Array.from({ length: n }, (_, i) => ({
    ip: `10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`,
  }));

/** The Endpoints object as the endpoints controller writes it for n backends. */
function legacy(svc: Service, n: number, annotated: boolean) {
  return endpointsFor(svc, [], (e) => {
    e.subsets = [
      { addresses: addresses(n), notReadyAddresses: [], ports: [{ name: '', protocol: 'TCP', port: 8080 }] },
    ];
    e.truncated = annotated;
    if (annotated) e.meta.annotations['endpoints.kubernetes.io/over-capacity'] = 'truncated';
  });
}

/** EndpointSlices of 100 endpoints each, as the endpointslice controller shards them. */
function slices(svc: Service, n: number): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  for (let i = 0; i < n; i += 100)
    out.push(
      sliceFor(svc, [], (s) => {
        s.meta.name = `${svc.meta.name}-${i / 100}`;
        s.endpoints = addresses(Math.min(100, n - i)).map((a) => ({
          addresses: [a.ip],
          conditions: { ready: true, serving: true, terminating: false },
          hintsForZones: [],
          hintsForNodes: [],
        }));
      }),
    );
  return out;
}

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
        pods: [pod('web-1')],
        nodes: [node('node-1', (n) => (n.unschedulable = true))],
      }),
      question: question('web', { port: 80, protocol: 'UDP' }),
    },
    {
      name: 'a small Service',
      snapshot: snapshotOf({ services: [service('web')], pods: [pod('web-1')] }),
      question: question('web'),
    },
    {
      name: 'exactly 1000 addresses fit',
      snapshot: (() => {
        const svc = big();
        return snapshotOf({
          services: [svc],
          endpoints: [legacy(svc, 1000, false)],
          endpointSlices: slices(svc, 1000),
          collected: { Endpoints: true },
        });
      })(),
      question: question('big'),
    },
    {
      name: '900 endpoints across 9 slices, Endpoints not collected',
      snapshot: (() => {
        const svc = big();
        return snapshotOf({ services: [svc], endpointSlices: slices(svc, 900) });
      })(),
      question: question('big'),
    },
    {
      name: 'neither kind collected: unknown, not a finding',
      snapshot: snapshotOf({ services: [big()], collected: { EndpointSlice: false } }),
      question: question('big'),
    },
  ],
  invalid: [
    {
      name: 'the controller annotated the Endpoints object as truncated',
      snapshot: (() => {
        const svc = big();
        return snapshotOf({
          services: [svc],
          endpoints: [legacy(svc, 1000, true)],
          endpointSlices: slices(svc, 1500),
          collected: { Endpoints: true },
        });
      })(),
      question: question('big'),
      hits: [{ data: { endpointsAddresses: 1000, sliceEndpoints: 1500, annotated: true, limit: 1000 } }],
    },
    {
      name: 'slices hold 1200 endpoints and Endpoints was not collected',
      snapshot: (() => {
        const svc = big();
        return snapshotOf({ services: [svc], endpointSlices: slices(svc, 1200) });
      })(),
      question: question('big'),
      hits: [{ severity: 'warning', data: { sliceEndpoints: 1200, annotated: false } }],
    },
    {
      name: 'a hand-written Endpoints object over the limit (no slices collected)',
      snapshot: (() => {
        const svc = service('ext', (s) => delete s.selector);
        return snapshotOf({
          services: [svc],
          endpoints: [legacy(svc, 1001, false)],
          collected: { EndpointSlice: false, Endpoints: true },
        });
      })(),
      question: question('ext'),
      hits: [{ data: { endpointsAddresses: 1001, annotated: false } }],
    },
  ],
});
