// Seed facts that no other test pinned down: the exact fix commands and caveats each finding
// carries, and the externalTrafficPolicy / Endpoints-vs-EndpointSlice comparisons of seeds
// 001/004. docs/seed-coverage.md maps every seed fact to the test that asserts it; the rows
// marked "seed-coverage" point here.
import { describe, expect, it } from 'vitest';
import containerNotListening from '../src/checks/container-not-listening.js';
import etpInCluster from '../src/checks/etp-local-in-cluster-lb-access.js';
import etpNoLocal from '../src/checks/etp-local-no-local-endpoint.js';
import lbHealthCheckDisabled from '../src/checks/lb-health-check-disabled.js';
import lbHealthCheckFailing from '../src/checks/lb-health-check-failing.js';
import lbLoopback from '../src/checks/lb-loopback.js';
import { computePaths } from '../src/dataplane/paths.js';
import { diagnose } from '../src/diagnose/diagnose.js';
import { classifyObservation } from '../src/diagnose/observations.js';
import { backendsOf, endpointPortFor } from '../src/model/endpoints.js';
import type { Fix } from '../src/model/finding.js';
import type { Observation, Service, SnapshotData, TrafficPolicy } from '../src/model/types.js';
import { convertKube } from '../src/sources/kube.js';
import {
  endpointsFor,
  meta,
  networkPolicy,
  node,
  pod,
  question,
  service,
  sliceFor,
  snapshotOf,
} from './support/builders.js';
import { runCheck } from './support/check-table.js';
import { ask, firstLb, lbService, world } from './support/cloud-fixtures.js';
import { NODE_IP, seedCluster } from './support/seed-cluster.js';

const PATCH_ETP_CLUSTER = `kubectl patch service nginx -n default --type='merge' -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`;

/** The single hit of a check for a case, or a failed assertion. */
function onlyFix(check: Parameters<typeof runCheck>[0], c: Parameters<typeof runCheck>[1]): Fix {
  const { hits } = runCheck(check, c);
  expect(hits, 'the case must trigger exactly once').toHaveLength(1);
  return hits[0]!.fix;
}

const anyMatches = (list: string[] | undefined, re: RegExp) => (list ?? []).some((s) => re.test(s));

describe('seed 000 check item 1: container and container port', () => {
  const web = service('web');
  const webPod = pod('web-1', (p) => {
    p.podIP = '10.244.1.20';
    p.podIPs = ['10.244.1.20'];
  });
  const refused: Observation = {
    from: 'pod/default/client',
    to: '10.244.1.20:8080/tcp',
    result: 'refused',
    detail: 'curl: (7) Failed to connect to 10.244.1.20 port 8080: Connection refused',
  };
  it('a refusal at PodIP:port suggests calling 127.0.0.1:port from inside the container', () => {
    const fix = onlyFix(containerNotListening, {
      name: 'refused at the pod',
      snapshot: snapshotOf({ services: [web], pods: [webPod], observations: [refused] }),
      question: question('web'),
    });
    expect(fix.commands).toContain(
      `kubectl exec -n default web-1 -- sh -c 'curl -sv -m 3 http://127.0.0.1:8080/ || wget -qO- -T 3 http://127.0.0.1:8080/'`,
    );
  });
});

describe('seed 000 check item 1, common issues 2 and 3: the app answers, but wrongly', () => {
  it('a 404 from the app (no such path) is read as HTTP 404 and points at the container among the layers', () => {
    const c = classifyObservation('HTTP/1.1 404 Not Found');
    expect(c.result).toBe('http-404');
    expect(c.layers).toContain('container');
  });
  it('a 500 from the app (a bug in the service) points at the container first', () => {
    const c = classifyObservation('HTTP/1.1 500 Internal Server Error');
    expect(c.result).toBe('http-500');
    expect(c.layers[0]).toBe('container');
  });
});

describe('seed 000 check item 3: layer-4 health check disabled', () => {
  const NO_NEW_GROUPS = /fails to add new backend server groups/;
  it('the listener finding warns that new backend server groups cannot be added', () => {
    const fix = onlyFix(lbHealthCheckDisabled, {
      name: 'listener off',
      snapshot: world((w) => {
        const hc = firstLb(w).listeners[0]?.healthCheck;
        if (hc) hc.enabled = false;
      }),
      question: ask('loadbalancer'),
    });
    expect(fix.caveats).toHaveLength(1);
    expect(anyMatches(fix.caveats, NO_NEW_GROUPS)).toBe(true);
    expect(fix.commands).toEqual([
      'kubectl annotate service web -n default kubernetes.io/elb.health-check-flag=on --overwrite',
    ]);
  });
  it('the annotation-only finding carries the same warning', () => {
    const fix = onlyFix(lbHealthCheckDisabled, {
      name: 'annotation off',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => (s.meta.annotations = { 'kubernetes.io/elb.health-check-flag': 'off' })),
        ];
        delete w.cloud;
      }),
      question: ask('loadbalancer'),
    });
    expect(anyMatches(fix.caveats, NO_NEW_GROUPS)).toBe(true);
  });
});

describe('seeds 001/004: externalTrafficPolicy Cluster vs Local (Table 1)', () => {
  const nodePortWorld = (etp: TrafficPolicy) =>
    seedCluster({
      network: 'vpc',
      mode: 'iptables',
      version: 'v1.25.5',
      kind: 'nodeport',
      mutateService: (s) => (s.externalTrafficPolicy = etp),
    });
  const viaNode = (etp: TrafficPolicy, ip: string) => {
    const snap = nodePortWorld(etp);
    const svc = snap.service('default', 'nginx') as Service;
    return computePaths(
      snap,
      svc,
      question('nginx', { client: 'internet', via: 'nodeport', address: { ip, port: 30000 } }),
    );
  };
  const deliveredStepRules = (ip: string, etp: TrafficPolicy) =>
    viaNode(etp, ip).flatMap((t) =>
      t.outcome === 'delivered' ? (t.hops.at(-1)?.steps ?? []).map((s) => s.rule) : [],
    );

  const nodes = Object.entries(NODE_IP);
  it.each(nodes)('Cluster: %s answers on its NodePort and the backend sees a node address', (_n, ip) => {
    const traces = viaNode('Cluster', ip);
    expect(traces.map((t) => t.outcome)).toEqual(['delivered']);
    expect(deliveredStepRules(ip, 'Cluster')).toContain('masquerade');
  });
  it('Cluster: a node without the pod forwards to another node (the next hop is not the entry node)', () => {
    const traces = viaNode('Cluster', NODE_IP['node-2']);
    const ats = traces[0]?.hops.map((h) => h.at) ?? [];
    expect(ats).toContain('node/node-2');
    expect(ats.at(-1)).toBe('pod/default/nginx-7d9c4');
  });
  it('Local: the node running the pod answers and the backend sees the client address', () => {
    expect(viaNode('Local', NODE_IP['node-1']).map((t) => t.outcome)).toEqual(['delivered']);
    const rules = deliveredStepRules(NODE_IP['node-1'], 'Local');
    expect(rules).toContain('source kept');
    expect(rules).not.toContain('masquerade');
  });
  it.each([
    ['node-2', NODE_IP['node-2']],
    ['node-3', NODE_IP['node-3']],
  ])('Local: %s has no pod, so its NodePort does not answer', (_n, ip) => {
    const traces = viaNode('Local', ip);
    expect(traces.map((t) => t.outcome)).toEqual(['dropped']);
    expect(traces[0]?.findingIds).toContain('etp-local-no-local-endpoint');
  });
  it('an unset externalTrafficPolicy reads as Cluster', () => {
    const { object } = convertKube(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'nginx-nodeport', namespace: 'default' },
        spec: {
          type: 'NodePort',
          selector: { app: 'nginx' },
          ports: [{ name: 'service', port: 80, targetPort: 80, nodePort: 30000, protocol: 'TCP' }],
        },
      },
      'Service',
    );
    expect((object as Service).externalTrafficPolicy).toBe('Cluster');
  });
});

describe('seed 001: Service types', () => {
  it('a ClusterIP is reachable only inside the cluster: an internet client has no path to it', () => {
    const svc = service('web');
    const snap = world((w) => (w.services = [svc]));
    const traces = computePaths(snap, svc, question('web', { client: 'internet', via: 'clusterip' }));
    expect(traces.map((t) => t.outcome)).toEqual(['unhandled']);
    const inside = computePaths(
      snap,
      svc,
      question('web', { client: 'pod-on-other-node', via: 'clusterip' }),
    );
    expect(inside.map((t) => t.outcome)).toEqual(['delivered']);
  });
});

describe('seeds 001/004 note: every pod of a multi-pod workload must be reachable', () => {
  const svc = service('web');
  const pods = [1, 2].map((i) =>
    pod(`web-${i}`, (p) => {
      p.meta.labels = { app: 'web', idx: String(i) };
      p.nodeName = `node-${i}`;
      p.podIP = `10.244.${i}.10`;
      p.podIPs = [p.podIP];
    }),
  );
  const nodes = [node('node-1'), node('node-2'), node('node-3')];
  const inCluster = question('web', { client: 'pod-on-other-node', via: 'clusterip' });
  const at = { now: new Date('2026-11-22T10:00:00Z') };
  it('one unreachable pod of two makes access partial and names why', () => {
    const denyOne = networkPolicy('deny-2', (np) => {
      np.podSelector = { matchLabels: { idx: '2' }, matchExpressions: [] };
    });
    const r = diagnose(
      snapshotOf({ services: [svc], pods, nodes, networkPolicies: [denyOne] }),
      inCluster,
      at,
    );
    expect(r.verdict).toBe('partial');
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['network-policy-denies', 'warning']]);
  });
  it('with every pod reachable the same workload is reachable', () => {
    expect(diagnose(snapshotOf({ services: [svc], pods, nodes }), inCluster, at).verdict).toBe('reachable');
  });
});

describe('seeds 001/004: fixes for in-cluster access with externalTrafficPolicy Local', () => {
  const cce = (network: 'vpc' | 'eni' = 'vpc', provider: 'cce' | 'tke' = 'cce') =>
    seedCluster({ network, mode: 'ipvs', version: 'v1.25.5', kind: 'dedicated-lb', provider });
  const fromBackendNode = question('nginx', { client: 'pod-on-backend-node', via: 'loadbalancer' });

  it('the fix recommends the ClusterIP / DNS name first, then the exact eTP Cluster patch, then pass-through', () => {
    const fix = onlyFix(etpInCluster, { name: 'cce', snapshot: cce(), question: fromBackendNode });
    expect(fix.commands[0]).toMatch(/nginx\.default\.svc:80/);
    expect(fix.commands[0]).toMatch(/10\.247\.76\.156/);
    expect(fix.commands[1]).toBe(PATCH_ETP_CLUSTER);
    expect(fix.commands[2]).toBe(
      'kubectl annotate service nginx -n default kubernetes.io/elb.pass-through="true" --overwrite',
    );
  });
  it.each([
    ['eTP Cluster loses the client source IP', /source IP/],
    ['pass-through is not supported on v1.15 or earlier', /v1\.15 or earlier/],
    ['IPVS: Services on one LB must share the pass-through setting', /IPVS.*same load balancer/],
    [
      "dedicated LB + pass-through: the LB private IP stays unreachable from the backend's node",
      /dedicated LB.*private IP.*unreachable/,
    ],
    ['eTP Local sets elb.pass-through to onlyLocal', /onlyLocal/],
  ])('CCE caveat: %s', (_name, re) => {
    const fix = onlyFix(etpInCluster, { name: 'cce', snapshot: cce(), question: fromBackendNode });
    expect(anyMatches(fix.caveats, re)).toBe(true);
  });
  it('CCE Turbo (ENI): node-level affinity only with hostNetwork backends; not said for a VPC cluster', () => {
    const turbo = onlyFix(etpInCluster, { name: 'eni', snapshot: cce('eni'), question: fromBackendNode });
    expect(anyMatches(turbo.caveats, /hostNetwork/)).toBe(true);
    const vpc = onlyFix(etpInCluster, { name: 'vpc', snapshot: cce('vpc'), question: fromBackendNode });
    expect(anyMatches(vpc.caveats, /hostNetwork/)).toBe(false);
  });
  it('a node without the pod: the fix is the exact eTP Cluster patch, with the source-IP caveat', () => {
    const fix = onlyFix(etpNoLocal, {
      name: 'no local endpoint',
      snapshot: seedCluster({ network: 'vpc', mode: 'iptables', version: 'v1.25.5', kind: 'nodeport' }),
      question: question('nginx', {
        client: 'internet',
        via: 'nodeport',
        address: { ip: NODE_IP['node-2'], port: 30000 },
      }),
    });
    expect(fix.commands).toContain(PATCH_ETP_CLUSTER);
    expect(anyMatches(fix.caveats, /source IP/)).toBe(true);
  });
});

/** TKE, VPC network, a private CLB in front of the Service (seed 003's L4 loopback). */
const tke = (
  o: {
    version?: string;
    etp?: TrafficPolicy;
    annotations?: Record<string, string>;
    data?: (d: Partial<SnapshotData>) => void;
  } = {},
) =>
  seedCluster({
    provider: 'tke',
    network: 'vpc',
    mode: 'ipvs',
    version: o.version ?? 'v1.20.6-tke.5',
    kind: 'dedicated-lb',
    mutateService: (s) => {
      s.externalTrafficPolicy = o.etp ?? 'Cluster';
      if (s.externalTrafficPolicy === 'Cluster') delete s.healthCheckNodePort;
      s.meta.annotations = {
        'service.kubernetes.io/qcloud-loadbalancer-internal-subnetid': 'subnet-1',
        ...o.annotations,
      };
    },
    mutateData: (d) => {
      const lb = d.cloud?.loadBalancers?.[0];
      if (lb) lb.kind = 'clb';
      o.data?.(d);
    },
  });

/** A private CLB Ingress (layer 7) routing web.example.com to the nginx Service's node ports. */
const withL7Ingress = (d: Partial<SnapshotData>) => {
  d.ingresses = [
    {
      kind: 'Ingress',
      meta: meta('web'),
      rules: [
        {
          host: 'web.example.com',
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx', port: { number: 80 } } } },
          ],
        },
      ],
      tls: [],
      loadBalancerIngress: [{ ip: '192.168.0.150' }],
    },
  ];
  d.cloud?.loadBalancers?.push({
    id: 'lb-l7',
    kind: 'clb',
    scheme: 'private',
    addresses: ['192.168.0.150'],
    owner: 'ingress/default/web',
    listeners: [
      {
        protocol: 'HTTP',
        port: 80,
        rules: [
          {
            host: 'web.example.com',
            path: '/',
            backends:
              d.nodes?.map((n) => ({
                target: `node/${n.meta.name}`,
                address: n.internalIPs[0] as string,
                port: 30000,
              })) ?? [],
          },
        ],
      },
    ],
  });
};

describe('seed 003: CLB loopback', () => {
  const viaLb = (client: 'pod-on-other-node' | 'pod-on-backend-node') =>
    question('nginx', { client, via: 'loadbalancer' });

  it('L4: the fix uses the Service DNS name, offers a CoreDNS rewrite and the exact prevent-loopback annotation', () => {
    const fix = onlyFix(lbLoopback, { name: 'l4', snapshot: tke(), question: viaLb('pod-on-other-node') });
    expect(fix.commands[0]).toMatch(/http:\/\/nginx\.default\.svc\.cluster\.local:80/);
    expect(anyMatches(fix.commands, /rewrite name \S+ nginx\.default\.svc\.cluster\.local$/)).toBe(true);
    expect(fix.commands).toContain(
      'kubectl annotate service nginx -n default service.cloud.tencent.com/prevent-loopback="true" --overwrite',
    );
  });
  it.each(['v1.20.6-tke.12', 'v1.18.4-tke.20', 'v1.16.3-tke.25', 'v1.14.3-tke.24', 'v1.12.4-tke.30'])(
    'L4 caveat names the kube-proxy build %s that supports prevent-loopback',
    (v) => {
      const fix = onlyFix(lbLoopback, { name: 'l4', snapshot: tke(), question: viaLb('pod-on-other-node') });
      expect(anyMatches(fix.caveats, new RegExp(v.replaceAll('.', '\\.')))).toBe(true);
    },
  );
  it('L4 caveat: the CLB health check must come from a non-VIP source in 100.64', () => {
    const fix = onlyFix(lbLoopback, { name: 'l4', snapshot: tke(), question: viaLb('pod-on-other-node') });
    expect(anyMatches(fix.caveats, /100\.64\./)).toBe(true);
  });
  it('caveat: anti-affinity alone is not enough without externalTrafficPolicy Local', () => {
    const fix = onlyFix(lbLoopback, { name: 'l4', snapshot: tke(), question: viaLb('pod-on-other-node') });
    expect(anyMatches(fix.caveats, /anti-affinity.*externalTrafficPolicy Local/)).toBe(true);
  });

  const builds: [string, string, boolean][] = [
    ['v1.20.6-tke.12', 'v1.20.6-tke.11', true],
    ['v1.18.4-tke.20', 'v1.18.4-tke.19', true],
    ['v1.16.3-tke.25', 'v1.16.3-tke.24', true],
    ['v1.14.3-tke.24', 'v1.14.3-tke.23', true],
    ['v1.12.4-tke.30', 'v1.12.4-tke.29', true],
  ];
  it.each(builds)(
    'prevent-loopback with kube-proxy %s ends the loopback; with %s it does not',
    (fixed, older) => {
      const annotations = { 'service.cloud.tencent.com/prevent-loopback': 'true' };
      const ok = runCheck(lbLoopback, {
        name: 'fixed',
        snapshot: tke({ version: fixed, annotations }),
        question: viaLb('pod-on-other-node'),
      });
      expect(ok.hits).toEqual([]);
      const bad = runCheck(lbLoopback, {
        name: 'older',
        snapshot: tke({ version: older, annotations }),
        question: viaLb('pod-on-other-node'),
      });
      expect(bad.hits.map((h) => h.data.layer)).toEqual(['L4']);
    },
  );
  it('a later minor version than the listed builds also supports prevent-loopback', () => {
    const { hits } = runCheck(lbLoopback, {
      name: 'v1.22',
      snapshot: tke({
        version: 'v1.22.5-tke.1',
        annotations: { 'service.cloud.tencent.com/prevent-loopback': 'true' },
      }),
      question: viaLb('pod-on-other-node'),
    });
    expect(hits).toEqual([]);
  });

  it('anti-affinity + externalTrafficPolicy Local: a client on another node than the server does not loop', () => {
    const snap = tke({ etp: 'Local' });
    expect(
      runCheck(lbLoopback, { name: 'a', snapshot: snap, question: viaLb('pod-on-other-node') }).hits,
    ).toEqual([]);
    expect(
      runCheck(etpInCluster, { name: 'a', snapshot: snap, question: viaLb('pod-on-other-node') }).hits,
    ).toEqual([]);
  });
  it('externalTrafficPolicy Local without anti-affinity: a client on the server node still fails', () => {
    const snap = tke({ etp: 'Local' });
    const ids = [lbLoopback, etpInCluster].flatMap((c) =>
      runCheck(c, { name: 'b', snapshot: snap, question: viaLb('pod-on-backend-node') }).hits.map(() => c.id),
    );
    // Seed 003 calls this a loopback; which of the two checks names it depends on how the data
    // path attributes the drop (lb-loopback today), so either is accepted, but one must fire.
    expect(ids).toHaveLength(1);
    expect(['lb-loopback', 'etp-local-in-cluster-lb-access']).toContain(ids[0]);
    const svc = snap.service('default', 'nginx') as Service;
    const traces = computePaths(snap, svc, viaLb('pod-on-backend-node'));
    expect(traces.some((t) => t.outcome !== 'delivered')).toBe(true);
  });

  it('L4 on a one-node cluster: the CLB has no other node to pick, so access fails outright (error, not intermittent)', () => {
    const one = tke({
      data: (d) => {
        d.nodes = d.nodes?.filter((n) => n.meta.name === 'node-1');
        for (const l of d.cloud?.loadBalancers?.[0]?.listeners ?? [])
          l.backends = (l.backends ?? []).filter((b) => b.target === 'node/node-1');
      },
    });
    const { hits } = runCheck(lbLoopback, {
      name: 'one node',
      snapshot: one,
      question: viaLb('pod-on-backend-node'),
    });
    expect(hits.map((h) => [h.data.layer, h.data.intermittent, h.severity ?? lbLoopback.severity])).toEqual([
      ['L4', false, 'error'],
    ]);
  });

  it('private Ingress, anti-affinity + externalTrafficPolicy Local: the CLB only uses the server node, so only a client there loops', () => {
    const snap = tke({ etp: 'Local', data: withL7Ingress });
    const svc = snap.service('default', 'nginx') as Service;
    const away = question('nginx', { client: 'pod-on-other-node', via: 'ingress' });
    expect(runCheck(lbLoopback, { name: 'away', snapshot: snap, question: away }).hits).toEqual([]);
    expect(computePaths(snap, svc, away).map((t) => t.outcome)).toEqual(['delivered']);
    const together = question('nginx', { client: 'pod-on-backend-node', via: 'ingress' });
    expect(
      runCheck(lbLoopback, { name: 'together', snapshot: snap, question: together }).hits.map(
        (h) => h.data.layer,
      ),
    ).toEqual(['L7']);
  });
  const l7 = () => tke({ data: withL7Ingress });
  const viaIngress = question('nginx', { client: 'pod-on-other-node', via: 'ingress' });
  it('L7: the fix enables TkeServiceConfig for the Ingress and keepalive per listener', () => {
    const fix = onlyFix(lbLoopback, { name: 'l7', snapshot: l7(), question: viaIngress });
    expect(fix.commands).toContain(
      'kubectl annotate ingress INGRESS -n default ingress.cloud.tencent.com/tke-service-config-auto="true" --overwrite',
    );
    expect(anyMatches(fix.commands, /spec\.loadBalancer\.l7Listeners\[\]\.keepaliveEnable: 1/)).toBe(true);
    expect(anyMatches(fix.commands, /INGRESS-auto-ingress-config/)).toBe(true);
    expect(fix.commands).not.toContain(
      'kubectl annotate service nginx -n default service.cloud.tencent.com/prevent-loopback="true" --overwrite',
    );
  });
  it('L7 caveats: allow 100.127.0.0/16 and read the client address from X-Forwarded-For', () => {
    const fix = onlyFix(lbLoopback, { name: 'l7', snapshot: l7(), question: viaIngress });
    expect(anyMatches(fix.caveats, /100\.127\.0\.0\/16/)).toBe(true);
    expect(anyMatches(fix.caveats, /X-Forwarded-For/)).toBe(true);
  });
  it('L7 on a one-node cluster: the CLB has no other node to retry, so the Ingress is unreachable (error)', () => {
    const one = tke({
      data: (d) => {
        d.nodes = d.nodes?.filter((n) => n.meta.name === 'node-1');
        withL7Ingress(d);
      },
    });
    const { hits } = runCheck(lbLoopback, {
      name: 'one node l7',
      snapshot: one,
      question: question('nginx', { client: 'pod-on-backend-node', via: 'ingress' }),
    });
    expect(hits.map((h) => [h.data.layer, h.data.intermittent, h.severity ?? lbLoopback.severity])).toEqual([
      ['L7', false, 'error'],
    ]);
  });
  const direct = () =>
    seedCluster({
      provider: 'tke',
      network: 'eni',
      mode: 'ipvs',
      version: 'v1.20.6-tke.5',
      kind: 'dedicated-lb',
      mutateService: (s) => {
        s.externalTrafficPolicy = 'Cluster';
        delete s.healthCheckNodePort;
        s.meta.annotations = {
          'service.kubernetes.io/qcloud-loadbalancer-internal-subnetid': 'subnet-1',
          'service.cloud.tencent.com/direct-access': 'true',
        };
      },
      mutateData: (d) => {
        const lb = d.cloud?.loadBalancers?.[0];
        if (!lb) return;
        lb.kind = 'clb';
        const l = lb.listeners[0];
        if (l) l.backends = [{ target: 'pod/default/nginx-7d9c4', address: '10.244.1.10', port: 80 }];
      },
    });
  it('VPC-CNI direct access with anti-affinity: a client pod on another node does not loop', () => {
    expect(
      runCheck(lbLoopback, { name: 'direct', snapshot: direct(), question: viaLb('pod-on-other-node') }).hits,
    ).toEqual([]);
    expect(
      runCheck(lbLoopback, {
        name: 'direct',
        snapshot: direct(),
        question: viaLb('pod-on-backend-node'),
      }).hits.map((h) => h.data.intermittent),
    ).toEqual([false]);
  });

  it('L7 with several nodes: the CLB tries another node, so the loopback is intermittent (slow, not dead)', () => {
    const { hits } = runCheck(lbLoopback, { name: 'l7', snapshot: l7(), question: viaIngress });
    expect(hits.map((h) => [h.data.layer, h.data.intermittent])).toEqual([['L7', true]]);
  });
});

describe('seed 001: Endpoints vs EndpointSlice', () => {
  const svc = service('web');
  const pods = [1, 2, 3].map((i) =>
    pod(`web-${i}`, (p) => {
      p.podIP = `10.244.1.${i}`;
      p.podIPs = [p.podIP];
    }),
  );
  it('EndpointSlices are the source of truth when both exist', () => {
    const snap = snapshotOf({
      services: [svc],
      pods,
      endpointSlices: [sliceFor(svc, pods.slice(0, 2))],
      endpoints: [endpointsFor(svc, pods)],
      autoSlices: false,
    });
    const set = backendsOf(snap, svc);
    expect(set.source).toBe('EndpointSlice');
    expect(set.backends.map((b) => b.ip)).toEqual(['10.244.1.1', '10.244.1.2']);
  });
  it('a cluster without EndpointSlices (before v1.21 they may be off) falls back to Endpoints', () => {
    const snap = snapshotOf({
      services: [svc],
      pods,
      endpoints: [endpointsFor(svc, pods)],
      autoSlices: false,
    });
    const set = backendsOf(snap, svc);
    expect(set.source).toBe('Endpoints');
    expect(set.backends.map((b) => b.ip)).toEqual(['10.244.1.1', '10.244.1.2', '10.244.1.3']);
  });
  it('one Service sharded over several slices is read as one set', () => {
    const snap = snapshotOf({
      services: [svc],
      pods,
      endpointSlices: [
        sliceFor(svc, pods.slice(0, 2), (s) => (s.meta = meta('web-abc', 'default', s.meta.labels))),
        sliceFor(svc, pods.slice(2), (s) => (s.meta = meta('web-def', 'default', s.meta.labels))),
      ],
      autoSlices: false,
    });
    const set = backendsOf(snap, svc);
    expect(set.backends.map((b) => [b.ip, b.sliceName])).toEqual([
      ['10.244.1.1', 'web-abc'],
      ['10.244.1.2', 'web-abc'],
      ['10.244.1.3', 'web-def'],
    ]);
  });
  it('slices are per port set: a backend serves a Service port only if its slice lists that port', () => {
    const two = service('web', (s) => {
      s.ports = [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'metrics', protocol: 'TCP', port: 9100, targetPort: 9100 },
      ];
    });
    const httpSlice = sliceFor(two, pods.slice(0, 2), (s) => {
      s.meta = meta('web-http', 'default', s.meta.labels);
      s.ports = [{ name: 'http', protocol: 'TCP', port: 8080 }];
    });
    const metricsSlice = sliceFor(two, pods.slice(2), (s) => {
      s.meta = meta('web-metrics', 'default', s.meta.labels);
      s.ports = [{ name: 'metrics', protocol: 'TCP', port: 9100 }];
    });
    const snap = snapshotOf({
      services: [two],
      pods,
      endpointSlices: [httpSlice, metricsSlice],
      autoSlices: false,
    });
    const backends = backendsOf(snap, two).backends;
    expect(backends.filter((b) => endpointPortFor(b, 'http')).map((b) => b.ip)).toEqual([
      '10.244.1.1',
      '10.244.1.2',
    ]);
    expect(backends.filter((b) => endpointPortFor(b, 'metrics')).map((b) => b.ip)).toEqual(['10.244.1.3']);
  });
  it('an FQDN slice is not a backend (kube-proxy serves IPv4/IPv6 slices only)', () => {
    const snap = snapshotOf({
      services: [svc],
      pods,
      endpointSlices: [
        sliceFor(svc, pods.slice(0, 1)),
        sliceFor(svc, pods.slice(1, 2), (s) => {
          s.meta = meta('web-fqdn', 'default', s.meta.labels);
          s.addressType = 'FQDN';
        }),
      ],
      autoSlices: false,
    });
    expect(backendsOf(snap, svc).backends.map((b) => b.ip)).toEqual(['10.244.1.1']);
  });
});

describe('seed 003: CLB health checks in TKE IPVS mode', () => {
  const tkeIpvs = (annotations: Record<string, string>, version: string) =>
    world((w) => {
      w.services = [lbService('web', (s) => (s.meta.annotations = annotations))];
      if (w.cloud) w.cloud.cluster.kubeProxy = { mode: 'ipvs', version };
      const lb = firstLb(w);
      lb.scheme = 'private';
      for (const b of lb.listeners[0]?.backends ?? []) b.health = 'unhealthy';
    }, 'tke');
  it('without prevent-loopback every probe from the VIP loops back: the cause is clb-loopback', () => {
    const { hits } = runCheck(lbHealthCheckFailing, {
      name: 'old',
      snapshot: tkeIpvs({}, 'v1.18.4-tke.20'),
      question: ask('loadbalancer', 'vpc'),
    });
    expect(hits.map((h) => h.data.cause)).toEqual(['clb-loopback']);
    expect(hits[0]?.fix.commands).toContain(
      'kubectl annotate service web -n default service.cloud.tencent.com/prevent-loopback=true --overwrite',
    );
  });
  it('an old kube-proxy: the fix shows the DaemonSet image and moves it to the fixed build of its minor line', () => {
    const { hits } = runCheck(lbHealthCheckFailing, {
      name: 'old build',
      snapshot: tkeIpvs({}, 'v1.18.4-tke.5'),
      question: ask('loadbalancer', 'vpc'),
    });
    expect(hits).toHaveLength(1);
    const commands = hits[0]?.fix.commands ?? [];
    expect(commands).toContain(
      "kubectl -n kube-system get daemonset kube-proxy -o jsonpath='{.spec.template.spec.containers[0].image}'",
    );
    expect(
      commands.filter((c) => c.startsWith('kubectl -n kube-system set image daemonset/kube-proxy ')),
    ).toEqual([
      'kubectl -n kube-system set image daemonset/kube-proxy kube-proxy=REGISTRY/kube-proxy:v1.18.4-tke.20  # keep the registry of the current image; v1.18.4-tke.20 or a later build',
    ]);
  });
  it('a kube-proxy that already has the fix is not told to change its image', () => {
    const { hits } = runCheck(lbHealthCheckFailing, {
      name: 'fixed build, no annotation',
      snapshot: tkeIpvs({}, 'v1.18.4-tke.20'),
      question: ask('loadbalancer', 'vpc'),
    });
    expect(hits.map((h) => h.data.cause)).toEqual(['clb-loopback']);
    expect((hits[0]?.fix.commands ?? []).some((c) => c.includes('set image'))).toBe(false);
  });
  it('with prevent-loopback and a fixed kube-proxy the probes come from 100.64: failing members have another cause', () => {
    const { hits } = runCheck(lbHealthCheckFailing, {
      name: 'fixed',
      snapshot: tkeIpvs({ 'service.cloud.tencent.com/prevent-loopback': 'true' }, 'v1.18.4-tke.20'),
      question: ask('loadbalancer', 'vpc'),
    });
    expect(hits.map((h) => h.data.cause)).not.toContain('clb-loopback');
  });
  it('prevent-loopback on a kube-proxy build before the fix still loops', () => {
    const { hits } = runCheck(lbHealthCheckFailing, {
      name: 'too old',
      snapshot: tkeIpvs({ 'service.cloud.tencent.com/prevent-loopback': 'true' }, 'v1.18.4-tke.19'),
      question: ask('loadbalancer', 'vpc'),
    });
    expect(hits.map((h) => h.data.cause)).toEqual(['clb-loopback']);
  });
});
