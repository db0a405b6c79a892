// AWS load balancers are known by DNS name: a CloudInventory can list them under `hostnames`,
// and a Service whose status holds only that name is followed through the inventory LB.
import { describe, expect, it } from 'vitest';
import { loadBalancerByAddress, loadBalancersForService } from '../src/dataplane/cloud/loadBalancers.js';
import { computePaths } from '../src/dataplane/paths.js';
import { inferVia } from '../src/diagnose/diagnose.js';
import { isSvcdoctorError } from '../src/errors.js';
import type { CloudInventory } from '../src/model/types.js';
import { parseCloudInventory } from '../src/sources/formats.js';
import { node, pod, question, service, snapshotOf } from './support/builders.js';

const NAME = 'a1b2c3-1234567890.elb.eu-west-1.amazonaws.com';

function inventory(): CloudInventory {
  return parseCloudInventory(
    {
      apiVersion: 'svcdoctor/v1alpha1',
      kind: 'CloudInventory',
      provider: 'eks',
      loadBalancers: [
        {
          id: 'nlb-1',
          kind: 'nlb',
          scheme: 'public',
          hostnames: [NAME],
          listeners: [
            {
              protocol: 'TCP',
              port: 80,
              healthCheck: { enabled: true, protocol: 'TCP', port: 30080 },
              backends: [{ target: 'node/node-1', address: '192.168.0.11', port: 30080, health: 'healthy' }],
            },
          ],
        },
      ],
    },
    { file: 'cloud.yaml' },
  );
}

describe('load balancers named by DNS', () => {
  it('the inventory accepts hostnames and refuses a malformed one', () => {
    expect(inventory().loadBalancers?.[0]?.hostnames).toEqual([NAME]);
    let error: unknown;
    try {
      parseCloudInventory(
        { kind: 'CloudInventory', provider: 'eks', loadBalancers: [{ id: 'x', hostnames: ['not a name'] }] },
        { file: 'cloud.yaml' },
        () => 7,
      );
    } catch (e) {
      error = e;
    }
    expect(isSvcdoctorError(error) && error.message).toMatch(
      /^cloud\.yaml:7: loadBalancers\[0\]\.hostnames\[0\]/,
    );
  });

  it('an inventory LB is found by its name, case-insensitively', () => {
    expect(loadBalancerByAddress(inventory(), NAME.toUpperCase())?.id).toBe('nlb-1');
    expect(loadBalancerByAddress(inventory(), 'other.example.com')).toBeUndefined();
  });

  it('a Service whose status holds only the name is followed through that LB', () => {
    const svc = service('web', (s) => {
      s.type = 'LoadBalancer';
      s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
      s.loadBalancerIngress = [{ hostname: NAME }];
    });
    const snap = snapshotOf({
      services: [svc],
      pods: [pod('web-1')],
      nodes: [node('node-1', (n) => (n.providerID = 'aws:///eu-west-1a/i-0abc'))],
      cloud: inventory(),
    });
    expect(loadBalancersForService(snap.data.cloud, svc).map((l) => l.id)).toEqual(['nlb-1']);
    const q = inferVia(svc, question(svc, { client: 'internet' }), snap);
    const paths = computePaths(snap, svc, q);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.some((p) => p.hops.some((h) => h.at === 'lb/nlb-1'))).toBe(true);
    expect(paths.every((p) => p.outcome === 'delivered')).toBe(true);
  });
});
