// Sweep: a LoadBalancer Service without CloudInventory, on nodes of each provider (providerID),
// with an IP or a DNS name in its status, eTP Cluster or Local, node or pod targets, asked by
// every client location. Whatever the path model concludes, an `unreachable` verdict must carry
// an error or warning finding that explains it.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/diagnose.js';
import type { Node, Service } from '../src/model/types.js';
import { node, pod, question, sliceFor, snapshotOf } from './support/builders.js';
import { lbService } from './support/cloud-fixtures.js';

const PROVIDER_IDS = [
  'aws:///eu-west-1a/i-0',
  'gce://proj/europe-west1-b/',
  'azure:///subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/',
  'qcloud:///800002/ins-',
  'huaweicloud://',
  '',
];
const CLIENTS = [
  'internet',
  'vpc',
  'pod-on-other-node',
  'pod-on-backend-node',
  'same-node-as-backend',
  'other-node',
];
const POD_TARGETS = {
  'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
  'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
};

function cluster(providerID: string, etp: Service['externalTrafficPolicy'], named: boolean, pods: boolean) {
  const s = lbService('web', (x) => {
    x.externalTrafficPolicy = etp;
    if (etp === 'Local') x.healthCheckNodePort = 32000;
    if (named) x.loadBalancerIngress = [{ hostname: 'a1b2c3-0123456789.elb.eu-west-1.amazonaws.com' }];
    if (pods) Object.assign(x.meta.annotations, POD_TARGETS);
  });
  const w = pod('web-1', (p) => (p.meta.labels = { app: 'web' }));
  const c = pod('client-1', (p) => {
    p.meta.labels = { app: 'client' };
    p.nodeName = 'node-2';
  });
  const withId = (n: Node) => {
    if (providerID) n.providerID = `${providerID}${n.meta.name}`;
  };
  return snapshotOf({
    services: [s],
    pods: [w, c],
    nodes: [node('node-1', withId), node('node-2', withId)],
    endpointSlices: [sliceFor(s, [w])],
  });
}

describe('LoadBalancer without inventory: an unreachable verdict is explained', () => {
  for (const id of PROVIDER_IDS)
    for (const etp of ['Cluster', 'Local'] as const)
      for (const named of [false, true])
        for (const pods of [false, true])
          it(`${id.split(':')[0] || 'no providerID'}, eTP ${etp}, ${named ? 'DNS name' : 'IP'}, ${pods ? 'pod' : 'node'} targets`, () => {
            const snap = cluster(id, etp, named, pods);
            for (const client of CLIENTS) {
              const r = diagnose(snap, question('web', { client, via: 'loadbalancer' }));
              if (r.verdict !== 'unreachable') continue;
              const why = r.findings.filter((f) => f.severity !== 'info').map((f) => f.id);
              expect(
                why,
                `${client}: ${r.paths.map((p) => `${p.outcome}: ${p.reason}`).join('; ')}`,
              ).not.toEqual([]);
            }
          });
});
