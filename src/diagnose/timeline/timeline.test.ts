import { describe, expect, it } from 'vitest';
import {
  meta,
  networkPolicy,
  node,
  pod,
  type SnapshotInput,
  service,
  snapshotOf,
} from '../../../test/support/builders.js';
import type { KubeEvent, Pod, Service } from '../../model/types.js';
import { buildTimeline, cloudChangeCategory, type Timeline } from './timeline.js';
import type { TimelineCategory } from './windows.js';

const AT = new Date('2026-11-22T10:00:00Z');

/** ISO time `minutes` (may be fractional via seconds) before AT, with an optional suffix precision. */
function minsBefore(minutes: number, extraSeconds = 0): string {
  return new Date(AT.getTime() - minutes * 60_000 - extraSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

function web(): Service {
  return service('web', (s) => {
    s.type = 'NodePort';
    s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
  });
}

function kubeProxyPod(name: string, finishedAt: string, mutate?: (p: Pod) => void): Pod {
  return pod(
    name,
    (p) => {
      p.meta.labels = { 'k8s-app': 'kube-proxy' };
      p.meta.ownerReferences = [{ kind: 'DaemonSet', name: 'kube-proxy' }];
      p.meta.creationTimestamp = '2026-10-01T00:00:00Z';
      p.hostNetwork = true;
      p.containerStatuses = [
        {
          name: 'kube-proxy',
          ready: true,
          restartCount: 1,
          state: { running: { startedAt: finishedAt } },
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt } },
        },
      ];
      mutate?.(p);
    },
    'kube-system',
  );
}

function cniPod(name: string, finishedAt: string, owner = 'calico-node'): Pod {
  return pod(
    name,
    (p) => {
      p.meta.labels = { 'k8s-app': owner };
      p.meta.ownerReferences = [{ kind: 'DaemonSet', name: owner }];
      p.meta.creationTimestamp = '2026-10-01T00:00:00Z';
      p.containerStatuses = [
        {
          name: owner,
          ready: true,
          restartCount: 3,
          state: { running: {} },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt } },
        },
      ];
    },
    'kube-system',
  );
}

function event(
  partial: Partial<KubeEvent> & Pick<KubeEvent, 'reason' | 'involvedObject'>,
  namespace = 'default',
): KubeEvent {
  return {
    kind: 'Event',
    meta: meta(`${partial.involvedObject.name}.${partial.reason.toLowerCase()}`, namespace),
    message: '',
    type: 'Warning',
    count: 1,
    ...partial,
  };
}

/** The snapshot parts that put one piece of evidence of `category` at `time`. */
const EVIDENCE: Record<TimelineCategory, (time: string) => SnapshotInput> = {
  firewall: (time) => ({
    networkPolicies: [
      networkPolicy('deny-all', (np) => {
        np.meta.creationTimestamp = time;
      }),
    ],
  }),
  'kube-proxy-restart': (time) => ({ pods: [kubeProxyPod('kube-proxy-x2abc', time)] }),
  'node-network': (time) => ({
    nodes: [
      node('node-1', (n) => {
        n.conditions = [
          { type: 'Ready', status: 'True', lastTransitionTime: '2026-10-01T00:00:00Z' },
          {
            type: 'NetworkUnavailable',
            status: 'True',
            reason: 'RouteCreationFailed',
            lastTransitionTime: time,
          },
        ];
      }),
    ],
  }),
  'service-config': (time) => ({
    audit: [
      {
        time,
        verb: 'patch',
        user: 'alice',
        objectRef: { kind: 'Service', resource: 'services', namespace: 'default', name: 'web' },
      },
    ],
  }),
  'cloud-security': (time) => ({
    cloud: {
      provider: 'generic',
      cluster: {},
      changes: [
        { time, resource: 'sg/sg-nodes', category: 'cloud-security', summary: 'inbound 30000-32767 removed' },
      ],
    },
  }),
  'cni-restart': (time) => ({ pods: [cniPod('calico-node-7x9kq', time)] }),
  event: (time) => ({
    events: [
      event({
        reason: 'FailedToUpdateEndpoint',
        involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
        eventTime: time,
      }),
    ],
  }),
};

const BASE: Record<TimelineCategory, number> = {
  firewall: 10,
  'kube-proxy-restart': 5,
  'node-network': 10,
  'service-config': 30,
  'cloud-security': 10,
  'cni-restart': 60,
  event: 10,
};
const WIDENED: Record<TimelineCategory, number> = {
  firewall: 30,
  'kube-proxy-restart': 10,
  'node-network': 30,
  'service-config': 60,
  'cloud-security': 30,
  'cni-restart': 120,
  event: 30,
};

function timelineWith(parts: SnapshotInput[], opts: Parameters<typeof buildTimeline>[3] = {}): Timeline {
  const merged: SnapshotInput = { services: [web()], pods: [pod('web-abcde')] };
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      const key = k as keyof SnapshotInput;
      const prev = merged[key];
      (merged as Record<string, unknown>)[key] =
        Array.isArray(prev) && Array.isArray(v) ? [...prev, ...v] : v;
    }
  }
  const snap = snapshotOf(merged);
  const svc = snap.service('default', 'web') as Service;
  return buildTimeline(snap, svc, AT, opts);
}

function entriesOf(t: Timeline, category: TimelineCategory) {
  return t.entries.filter((e) => e.category === category);
}

// Second precision for evidence that Kubernetes writes at second precision; the microsecond
// cases below use eventTime and audit stageTimestamp, which carry microseconds.
describe('runbook windows: both ends inclusive, to the second (just inside / just outside)', () => {
  for (const category of Object.keys(EVIDENCE) as TimelineCategory[]) {
    const minutes = BASE[category];
    it(`${category}: a change exactly ${minutes} min before the failure is suspect`, () => {
      const t = timelineWith([EVIDENCE[category](minsBefore(minutes))], { widen: false });
      expect(entriesOf(t, category).map((e) => e.suspect)).toEqual([true]);
    });
    it(`${category}: a change ${minutes} min 1 s before the failure is not`, () => {
      const t = timelineWith([EVIDENCE[category](minsBefore(minutes, 1))], { widen: false });
      expect(entriesOf(t, category).map((e) => e.suspect)).toEqual([false]);
    });
    it(`${category}: a change at the failure instant is suspect, one second after it is not`, () => {
      expect(
        entriesOf(timelineWith([EVIDENCE[category](minsBefore(0))], { widen: false }), category)[0]?.suspect,
      ).toBe(true);
      expect(
        entriesOf(timelineWith([EVIDENCE[category](minsBefore(0, -1))], { widen: false }), category)[0]
          ?.suspect,
      ).toBe(false);
    });
  }

  it('event eventTime: one microsecond outside the window is outside', () => {
    const inside = timelineWith([EVIDENCE.event('2026-11-22T09:50:00.000000Z')], { widen: false });
    const outside = timelineWith([EVIDENCE.event('2026-11-22T09:49:59.999999Z')], { widen: false });
    expect(entriesOf(inside, 'event')[0]?.suspect).toBe(true);
    expect(entriesOf(outside, 'event')[0]?.suspect).toBe(false);
  });

  it('audit stageTimestamp with an offset: one microsecond outside the 30 min window is outside', () => {
    const inside = timelineWith([EVIDENCE['service-config']('2026-11-22T17:30:00.000000+08:00')], {
      widen: false,
    });
    const outside = timelineWith([EVIDENCE['service-config']('2026-11-22T17:29:59.999999+08:00')], {
      widen: false,
    });
    expect(entriesOf(inside, 'service-config').map((e) => [e.time, e.suspect])).toEqual([
      ['2026-11-22T09:30:00Z', true],
    ]);
    expect(entriesOf(outside, 'service-config').map((e) => [e.time, e.suspect])).toEqual([
      ['2026-11-22T09:29:59.999999Z', false],
    ]);
  });
});

describe('widening when no change is found in any runbook window', () => {
  for (const category of (Object.keys(EVIDENCE) as TimelineCategory[]).filter((c) => c !== 'event')) {
    const w = WIDENED[category];
    it(`${category}: only a change just outside ${BASE[category]} min → widened to ${w} min, and it is suspect`, () => {
      const t = timelineWith([EVIDENCE[category](minsBefore(BASE[category], 1))]);
      expect(t.widened).toBe(true);
      expect(t.windows.find((x) => x.category === category)?.minutes).toBe(w);
      expect(entriesOf(t, category).map((e) => e.suspect)).toEqual([true]);
    });
    it(`${category}: exactly ${w} min before is inside the widened window, ${w} min 1 s is outside`, () => {
      const at = timelineWith([EVIDENCE[category](minsBefore(w))]);
      const out = timelineWith([EVIDENCE[category](minsBefore(w, 1))]);
      expect([at.widened, entriesOf(at, category)[0]?.suspect]).toEqual([true, true]);
      expect([out.widened, entriesOf(out, category)[0]?.suspect]).toEqual([true, false]);
    });
  }

  it('a change inside any runbook window prevents widening for every category', () => {
    // the kube-proxy restart is 20 min old (outside 5 and 10); the SG change is 5 min old (inside 10)
    const t = timelineWith([
      EVIDENCE['kube-proxy-restart'](minsBefore(7)),
      EVIDENCE['cloud-security'](minsBefore(5)),
    ]);
    expect(t.widened).toBe(false);
    expect(t.entries.filter((e) => e.suspect).map((e) => e.category)).toEqual(['cloud-security']);
    expect(t.windows.map((w) => [w.category, w.minutes, w.suspects])).toEqual([
      ['firewall', 10, 0],
      ['kube-proxy-restart', 5, 0],
      ['node-network', 10, 0],
      ['service-config', 30, 0],
      ['cloud-security', 10, 1],
      ['cni-restart', 60, 0],
      ['event', 10, 0],
    ]);
  });

  it('controller events alone do not count as a change found: the windows still widen', () => {
    const t = timelineWith([EVIDENCE.event(minsBefore(2)), EVIDENCE['kube-proxy-restart'](minsBefore(8))]);
    expect(t.widened).toBe(true);
    expect(t.entries.filter((e) => e.suspect).map((e) => e.category)).toEqual([
      'kube-proxy-restart',
      'event',
    ]);
  });

  it('widen: false keeps the runbook windows', () => {
    const t = timelineWith([EVIDENCE['kube-proxy-restart'](minsBefore(8))], { widen: false });
    expect([t.widened, t.entries.some((e) => e.suspect)]).toEqual([false, false]);
  });
});

describe('evidence sources', () => {
  it('kube-proxy restart: the entry names the pod, its restart count and exit', () => {
    const t = timelineWith([EVIDENCE['kube-proxy-restart'](minsBefore(3))]);
    const e = entriesOf(t, 'kube-proxy-restart');
    expect(e.map((x) => [x.object, x.source, x.suspect])).toEqual([
      ['pod/kube-system/kube-proxy-x2abc', 'pod-status', true],
    ]);
  });

  it('kube-proxy pod recreated by a DaemonSet rollout: creationTimestamp dates it', () => {
    const p = kubeProxyPod('kube-proxy-9zzzz', minsBefore(2), (x) => {
      x.meta.creationTimestamp = minsBefore(2);
      x.containerStatuses = [
        { name: 'kube-proxy', ready: true, restartCount: 0, state: { running: {} }, lastState: {} },
      ];
    });
    const t = timelineWith([{ pods: [p] }]);
    expect(entriesOf(t, 'kube-proxy-restart').map((x) => [x.time, x.source, x.suspect])).toEqual([
      [minsBefore(2), 'creation', true],
    ]);
  });

  it('CNI agents in their own namespaces are recognised (flannel, cilium) and operators are not', () => {
    const flannel = pod(
      'kube-flannel-ds-abcde',
      (p) => {
        p.meta.labels = { app: 'flannel' };
        p.meta.creationTimestamp = minsBefore(20);
      },
      'kube-flannel',
    );
    const cilium = pod(
      'cilium-qwert',
      (p) => {
        p.meta.labels = { 'k8s-app': 'cilium' };
        p.meta.creationTimestamp = minsBefore(30);
      },
      'kube-system',
    );
    const operator = pod(
      'cilium-operator-5d8f9c7b6d-abcde',
      (p) => {
        p.meta.labels = { 'io.cilium/app': 'operator', name: 'cilium-operator' };
        p.meta.creationTimestamp = minsBefore(30);
      },
      'kube-system',
    );
    const t = timelineWith([{ pods: [flannel, cilium, operator] }]);
    expect(entriesOf(t, 'cni-restart').map((x) => x.object)).toEqual([
      'pod/kube-system/cilium-qwert',
      'pod/kube-flannel/kube-flannel-ds-abcde',
    ]);
  });

  it('Service managedFields: spec changes are dated, status writes and the creation entry are not repeated', () => {
    const svc = web();
    svc.meta.creationTimestamp = '2026-01-01T00:00:00Z';
    svc.meta.managedFields = [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        time: '2026-01-01T00:00:00Z',
        fields: ['spec.ports'],
      },
      { manager: 'kubectl-edit', operation: 'Update', time: minsBefore(12), fields: ['spec.ports'] },
      {
        manager: 'cloud-controller',
        operation: 'Update',
        time: minsBefore(1),
        subresource: 'status',
        fields: ['status.loadBalancer'],
      },
      { manager: 'kubectl-label', operation: 'Update', time: minsBefore(1), fields: ['metadata.labels'] },
    ];
    const snap = snapshotOf({ services: [svc] });
    const t = buildTimeline(snap, svc, AT, { lookbackMinutes: 600_000 });
    expect(entriesOf(t, 'service-config').map((x) => [x.source, x.time, x.suspect])).toEqual([
      ['creation', '2026-01-01T00:00:00Z', false],
      ['managed-fields', minsBefore(12), true],
    ]);
  });

  it('service controller events about spec changes are service-config, the rest are events', () => {
    const t = timelineWith([
      {
        events: [
          event({
            reason: 'ExternalTrafficPolicy',
            type: 'Normal',
            message: 'Cluster -> Local',
            involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
            lastTimestamp: minsBefore(4),
          }),
          event({
            reason: 'SyncLoadBalancerFailed',
            involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
            lastTimestamp: minsBefore(3),
          }),
        ],
      },
    ]);
    expect(t.entries.map((e) => [e.category, e.suspect])).toEqual([
      ['service-config', true],
      ['event', true],
    ]);
  });

  it('a repeated event that went on after the failure is placed at its first occurrence before it', () => {
    const t = timelineWith([
      {
        events: [
          event({
            reason: 'FailedToUpdateEndpoint',
            count: 7,
            involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
            firstTimestamp: minsBefore(3),
            lastTimestamp: minsBefore(-5),
          }),
        ],
      },
    ]);
    expect(entriesOf(t, 'event').map((e) => [e.time, e.suspect])).toEqual([[minsBefore(3), true]]);
  });

  it('an events.k8s.io series: eventTime (first, µs) before the failure wins over a lastObservedTime after it', () => {
    const t = timelineWith([
      {
        events: [
          event({
            reason: 'FailedToUpdateEndpoint',
            count: 3,
            involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
            eventTime: '2026-11-22T09:57:00.123456Z',
            lastTimestamp: '2026-11-22T10:04:00Z',
          }),
        ],
      },
    ]);
    expect(entriesOf(t, 'event').map((e) => [e.time, e.suspect])).toEqual([
      ['2026-11-22T09:57:00.123456Z', true],
    ]);
  });

  it('an event entirely after the failure is placed at its earliest time and is not suspect', () => {
    const t = timelineWith([
      {
        events: [
          event({
            reason: 'NodeNotReady',
            involvedObject: { kind: 'Node', name: 'node-1' },
            firstTimestamp: '2026-11-22T10:01:00Z',
            lastTimestamp: '2026-11-22T10:03:00Z',
          }),
        ],
        nodes: [node('node-1')],
      },
    ]);
    expect(entriesOf(t, 'node-network').map((e) => [e.time, e.suspect])).toEqual([
      ['2026-11-22T10:01:00Z', false],
    ]);
  });

  it('a NetworkPolicy that selects no backend is not listed', () => {
    const np = networkPolicy('other', (x) => {
      x.podSelector = { matchLabels: { app: 'db' }, matchExpressions: [] };
      x.meta.creationTimestamp = minsBefore(2);
    });
    const t = timelineWith([{ networkPolicies: [np] }]);
    expect(entriesOf(t, 'firewall')).toEqual([]);
  });

  it('a cloud change to a security group attached only to another Service’s LB is not listed', () => {
    const t = timelineWith([
      {
        cloud: {
          provider: 'generic',
          cluster: {},
          securityGroups: [{ id: 'sg-other', attachedTo: ['lb/elb-9'], inbound: [] }],
          loadBalancers: [{ id: 'elb-9', addresses: [], owner: 'service/default/other', listeners: [] }],
          changes: [
            {
              time: minsBefore(2),
              resource: 'sg/sg-other',
              category: 'security-group',
              summary: 'rule removed',
            },
            {
              time: minsBefore(3),
              resource: 'fw/allow-nodeports',
              category: 'firewall',
              summary: 'rule deleted',
            },
          ],
        },
      },
    ]);
    expect(t.entries.map((e) => [e.object, e.category])).toEqual([['fw/allow-nodeports', 'firewall']]);
  });

  it('node joins and Ready transitions are node-network evidence', () => {
    const n = node('node-2', (x) => {
      x.meta.creationTimestamp = minsBefore(9);
      x.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: minsBefore(8) }];
    });
    const t = timelineWith([{ nodes: [n] }]);
    expect(entriesOf(t, 'node-network').map((e) => [e.summary, e.suspect])).toEqual([
      ['node registered', true],
      ['Ready became True', true],
    ]);
  });

  it('a node whose address no longer matches its pods’ hostIP is named in notes (undatable change)', () => {
    const n = node('node-1'); // InternalIP 192.168.0.11
    const moved = pod('web-abcde', (p) => {
      p.hostIP = '192.168.0.99';
    });
    const snap = snapshotOf({ services: [web()], pods: [moved], nodes: [n] });
    const t = buildTimeline(snap, snap.service('default', 'web') as Service, AT);
    expect(t.notes.filter((x) => x.startsWith('node/node-1: 1 pod(s)')).length).toBe(1);
    const same = snapshotOf({ services: [web()], pods: [pod('web-abcde')], nodes: [node('node-1')] });
    expect(
      buildTimeline(same, same.service('default', 'web') as Service, AT).notes.some((x) =>
        x.startsWith('node/'),
      ),
    ).toBe(false);
  });

  it('a node whose InternalIP is on no interface of its `ip -o addr` dump is named in notes', () => {
    const addr = (ip: string) => ({
      node: 'node-1',
      addr: {
        file: 'node-1.addr',
        text: `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n2: eth0    inet ${ip}/24 brd 192.168.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n`,
      },
    });
    const moved = snapshotOf({
      services: [web()],
      nodes: [node('node-1')],
      nodeDumps: [addr('192.168.0.77')],
    });
    const same = snapshotOf({
      services: [web()],
      nodes: [node('node-1')],
      nodeDumps: [addr('192.168.0.11')],
    });
    const notesOf = (s: typeof moved) =>
      buildTimeline(s, s.service('default', 'web') as Service, AT).notes.filter((n) =>
        n.startsWith('node/node-1:'),
      );
    expect(notesOf(moved)).toHaveLength(1);
    expect(notesOf(same)).toEqual([]);
  });

  it('a Service without selector: hand edits of its Endpoints are service-config, also from the audit log', () => {
    const svc = web();
    delete svc.selector;
    const ep = {
      kind: 'Endpoints' as const,
      meta: {
        ...meta('web'),
        managedFields: [
          { manager: 'kubectl-edit', operation: 'Update', time: minsBefore(6), fields: ['subsets'] },
        ],
      },
      subsets: [],
      truncated: false,
    };
    const snap = snapshotOf({
      services: [svc],
      endpoints: [ep],
      audit: [
        {
          time: minsBefore(6),
          verb: 'update',
          user: 'bob',
          objectRef: { kind: 'Endpoints', resource: 'endpoints', namespace: 'default', name: 'web' },
        },
      ],
    });
    const t = buildTimeline(snap, svc, AT);
    expect(entriesOf(t, 'service-config').map((e) => [e.object, e.source, e.suspect])).toEqual([
      ['endpoints/default/web', 'audit', true],
      ['endpoints/default/web', 'managed-fields', true],
    ]);
    // the same audit entry for a selector Service is controller churn, not listed
    const withSelector = snapshotOf({ services: [web()], audit: snap.data.audit });
    expect(entriesOf(buildTimeline(withSelector, web(), AT), 'service-config')).toEqual([]);
  });

  it('an unreadable timestamp in the snapshot is skipped and named in notes', () => {
    const t = timelineWith([EVIDENCE['kube-proxy-restart']('last tuesday')]);
    expect(entriesOf(t, 'kube-proxy-restart')).toEqual([]);
    expect(
      t.notes.some((n) => n.includes('lastState.terminated.finishedAt') && n.includes('last tuesday')),
    ).toBe(true);
  });

  it('many unreadable timestamps: five are named, the rest counted', () => {
    const pods = Array.from({ length: 8 }, (_, i) => kubeProxyPod(`kube-proxy-bad${i}x`, 'soon'));
    const t = timelineWith([{ pods }]);
    expect(t.notes.filter((n) => n.includes('"soon"')).length).toBe(5);
    expect(t.notes).toContain('3 more unreadable timestamps skipped');
  });

  it('entries older than the lookback are left out and counted in notes', () => {
    const t = timelineWith([EVIDENCE['kube-proxy-restart'](minsBefore(100))], { lookbackMinutes: 60 });
    expect(entriesOf(t, 'kube-proxy-restart')).toEqual([]);
    expect(t.notes.some((n) => /^2 older entries/.test(n))).toBe(true);
  });
});

describe('cloud change categories', () => {
  it.each([
    ['cloud-security', 'sg/x', 'cloud-security'],
    ['security-group', 'sg/x', 'cloud-security'],
    ['', 'acl/acl-1', 'cloud-security'],
    ['network-acl', 'x', 'cloud-security'],
    ['', 'fw/allow-nodeports', 'firewall'],
    ['firewall', 'x', 'firewall'],
    ['', 'rtb/rtb-1', 'node-network'],
    ['route', 'x', 'node-network'],
    ['', 'lb/elb-1', 'cloud-security'],
  ] as const)('%s %s → %s', (category, resource, expected) => {
    expect(cloudChangeCategory({ time: '', resource, category, summary: '' })).toBe(expected);
  });
});
