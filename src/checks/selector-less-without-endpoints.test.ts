import { expect, it } from 'vitest';
import { endpointsFor, meta, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import type { EndpointSlice, Service } from '../model/types.js';
import check from './selector-less-without-endpoints.js';

const db = () => service('db', (s) => delete s.selector);

/** A hand-made EndpointSlice, as a user writes it for an external database. */
function manualSlice(svc: Service, addresses: string[], labelled = true): EndpointSlice {
  return {
    kind: 'EndpointSlice',
    meta: meta(
      `${svc.meta.name}-1`,
      svc.meta.namespace,
      labelled ? { 'kubernetes.io/service-name': svc.meta.name } : {},
    ),
    ...(labelled ? { serviceName: svc.meta.name } : {}),
    addressType: 'IPv4',
    endpoints: addresses.map((ip) => ({
      addresses: [ip],
      conditions: { ready: true, serving: true, terminating: false },
      hintsForZones: [],
      hintsForNodes: [],
    })),
    ports: [{ name: '', protocol: 'TCP', port: 5432 }],
  };
}

checkTable(check, {
  valid: [
    {
      name: 'a Service with a selector is left to the selector checks',
      snapshot: snapshotOf({ services: [service('web')], pods: [] }),
      question: question('web'),
    },
    {
      name: 'an ExternalName Service needs no endpoints',
      snapshot: snapshotOf({
        services: [
          service('ext', (s) => {
            s.type = 'ExternalName';
            s.externalName = 'db.example.com';
            delete s.selector;
          }),
        ],
      }),
      question: question('ext'),
    },
    {
      name: 'a selector-less Service with a manual EndpointSlice carrying the service-name label',
      snapshot: (() => {
        const svc = db();
        return snapshotOf({ services: [svc], endpointSlices: [manualSlice(svc, ['192.168.5.20'])] });
      })(),
      question: question('db'),
    },
    {
      name: 'a selector-less Service with a legacy Endpoints object only',
      snapshot: (() => {
        const svc = db();
        return snapshotOf({
          services: [svc],
          endpoints: [
            endpointsFor(svc, [], (e) => {
              e.subsets = [
                {
                  addresses: [{ ip: '192.168.5.20' }],
                  notReadyAddresses: [],
                  ports: [{ name: '', protocol: 'TCP', port: 5432 }],
                },
              ];
            }),
          ],
          collected: { EndpointSlice: false, Endpoints: true },
        });
      })(),
      question: question('db'),
    },
    {
      name: 'neither EndpointSlices nor Endpoints collected: unknown, not a finding',
      snapshot: snapshotOf({ services: [db()], collected: { EndpointSlice: false } }),
      question: question('db'),
    },
  ],
  invalid: [
    {
      name: 'no selector and nothing else',
      snapshot: snapshotOf({ services: [db()] }),
      question: question('db'),
      hits: [
        {
          data: { service: 'default/db', slices: 0, endpointsObject: false, addresses: 0 },
          subject: { kind: 'Service', namespace: 'default', name: 'db' },
        },
      ],
    },
    {
      name: 'a manual EndpointSlice that lists no endpoint',
      snapshot: (() => {
        const svc = db();
        return snapshotOf({ services: [svc], endpointSlices: [manualSlice(svc, [])] });
      })(),
      question: question('db'),
      hits: [{ data: { slices: 1, addresses: 0 } }],
    },
    {
      name: 'a manual EndpointSlice without the kubernetes.io/service-name label is invisible to kube-proxy',
      snapshot: (() => {
        const svc = db();
        return snapshotOf({ services: [svc], endpointSlices: [manualSlice(svc, ['192.168.5.20'], false)] });
      })(),
      question: question('db'),
      hits: [{ data: { slices: 0 } }],
    },
    {
      name: 'an empty legacy Endpoints object',
      snapshot: (() => {
        const svc = db();
        return snapshotOf({
          services: [svc],
          endpoints: [endpointsFor(svc, [])],
          collected: { EndpointSlice: false, Endpoints: true },
        });
      })(),
      question: question('db'),
      hits: [{ data: { slices: 0, endpointsObject: true } }],
    },
    {
      name: 'an empty selector counts as no selector',
      snapshot: snapshotOf({ services: [service('db', (s) => (s.selector = {}))] }),
      question: question('db'),
      hits: [{ data: { service: 'default/db' } }],
    },
  ],
});

it('selector-less-without-endpoints: missing endpoint kinds are recorded as unknown', () => {
  const { unknowns } = runCheck(check, {
    name: 'unknown',
    snapshot: snapshotOf({ services: [db()], collected: { EndpointSlice: false } }),
    question: question('db'),
  });
  expect(unknowns).toHaveLength(1);
});
