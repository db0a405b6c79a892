// Matrix columns for load balancers that publish a DNS name instead of an IP (every AWS ELB/NLB):
// the LB is provisioned, so it gets its column, public or internal by the provider's scheme.
import { describe, expect, it } from 'vitest';
import { node, pod, sliceFor, snapshotOf } from '../../test/support/builders.js';
import { lbService } from '../../test/support/cloud-fixtures.js';
import type { Node, Service } from '../model/types.js';
import { matrix } from './matrix.js';

const aws = (n: Node) => (n.providerID = `aws:///eu-west-1a/i-0${n.meta.name}`);

function cluster(annotations: Record<string, string>, ingress: Service['loadBalancerIngress']) {
  const s = lbService('web', (x) => {
    x.loadBalancerIngress = ingress;
    Object.assign(x.meta.annotations, annotations);
  });
  const w = pod('web-1', (p) => (p.meta.labels = { app: 'web' }));
  return {
    snapshot: snapshotOf({
      services: [s],
      pods: [w],
      nodes: [node('node-1', aws), node('node-2', aws)],
      endpointSlices: [sliceFor(s, [w])],
    }),
    svc: s,
  };
}

const NLB = 'a1b2c3-0123456789.elb.eu-west-1.amazonaws.com';
const table: {
  name: string;
  annotations: Record<string, string>;
  ingress: Service['loadBalancerIngress'];
  columns: string[];
  internet?: string;
}[] = [
  {
    name: 'an internet-facing NLB known by its DNS name is a public LB column, reachable from the internet',
    annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
    ingress: [{ hostname: NLB }],
    columns: ['lb-public'],
    internet: 'reachable',
  },
  {
    name: 'an internal NLB (aws-load-balancer-internal) known by its DNS name is a private LB column only',
    annotations: {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
    },
    ingress: [{ hostname: `internal-${NLB}` }],
    columns: ['lb-private'],
  },
  {
    name: 'no address and no name yet: no LB column',
    annotations: {},
    ingress: [],
    columns: [],
  },
];

describe('matrix: DNS-named load balancers', () => {
  it.each(table)('$name', (c) => {
    const { snapshot, svc } = cluster(c.annotations, c.ingress);
    const m = matrix(snapshot, svc);
    expect(m.columns.filter((k) => k.startsWith('lb-'))).toEqual(c.columns);
    if (c.internet) {
      const cell = m.cells.find((x) => x.clientLocation === 'internet' && x.column === 'lb-public');
      expect(cell?.verdict).toBe(c.internet);
    }
  });
});
