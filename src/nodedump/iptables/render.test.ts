import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Snapshot } from '../../model/snapshot.js';
import type { SnapshotData } from '../../model/types.js';
import {
  GOLDEN_LOCAL_ADDRESSES,
  GOLDEN_NODE,
  goldenData,
  goldenSnapshot,
} from '../fixtures/golden-cluster.js';
import { canonicalRuleset } from './canonical.js';
import { endpointChain, serviceChains } from './chains.js';
import { evaluateIptables } from './evaluate.js';
import { parseIptablesSave } from './parse.js';
import { renderKubeProxyIptables } from './render.js';

const golden = readFileSync(
  fileURLToPath(new URL('../fixtures/test-node.iptables', import.meta.url)),
  'utf8',
);

function render(change?: (d: SnapshotData) => void, opts = {}) {
  const d = goldenData();
  change?.(d);
  const r = renderKubeProxyIptables(new Snapshot(d), GOLDEN_NODE, opts);
  return { ...r, rs: parseIptablesSave(r.text, 'rendered') };
}

function rulesOf(rs: ReturnType<typeof parseIptablesSave>, table: string, chain: string): string[] {
  return (
    rs.tables
      .get(table)
      ?.chains.get(chain)
      ?.rules.map((r) => r.text) ?? []
  );
}

const trace = (rs: ReturnType<typeof parseIptablesSave>, src: string, dst: string, dport: number) =>
  evaluateIptables(rs, { src, dst, dport }, { localAddresses: GOLDEN_LOCAL_ADDRESSES });

describe('chain names', () => {
  // Names printed by upstream's TestOverallIPTablesRules for the same Service ports.
  it.each([
    ['ns1/svc1:p80', 'tcp', 'KUBE-SVC-XPGD46QRK7WJZT7O'],
    ['ns2/svc2:p80', 'tcp', 'KUBE-SVC-GNZBNJ2PO5MGZ6GT'],
    ['ns5/svc5:p80', 'tcp', 'KUBE-SVC-NUKIZ6OKUXPJNT4C'],
  ])('%s/%s hashes to %s', (name, proto, chain) => {
    expect(serviceChains(name, proto).svc).toBe(chain);
  });
  it('endpoint chains hash the endpoint too', () => {
    expect(endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(endpointChain('ns4/svc4:p80', 'tcp', '10.180.0.5:80')).toBe('KUBE-SEP-C6EBXVWJJZMIWKLZ');
  });
});

describe('renderKubeProxyIptables', () => {
  it('renders the golden node rule for rule (as the kernel saved them)', () => {
    const r = render();
    expect(canonicalRuleset(r.rs)).toEqual(canonicalRuleset(parseIptablesSave(golden, 'golden')));
  });

  it("follows upstream's layout for an eTP Local LoadBalancer with source ranges", () => {
    const { rs } = render();
    const c = serviceChains('ns7/svc7:p80', 'tcp');
    expect(rulesOf(rs, 'nat', c.fw)).toEqual([
      `-A ${c.fw} -m comment --comment "ns7/svc7:p80 loadbalancer IP" -s 203.0.113.0/25 -j ${c.ext}`,
      `-A ${c.fw} -m comment --comment "other traffic to ns7/svc7:p80 will be dropped by KUBE-PROXY-FIREWALL"`,
    ]);
    expect(rulesOf(rs, 'nat', c.ext).at(-1)).toBe(`-A ${c.ext} -j ${c.svl}`);
    expect(rulesOf(rs, 'nat', c.svl)).toHaveLength(1);
    expect(rulesOf(rs, 'filter', 'KUBE-NODEPORTS')).toContain(
      '-A KUBE-NODEPORTS -m comment --comment "ns7/svc7:p80 health check node port" -m tcp -p tcp --dport 30007 -j ACCEPT',
    );
  });

  it('keeps KUBE-SERVICES ending with the KUBE-NODEPORTS jump', () => {
    const { rs } = render();
    expect(rulesOf(rs, 'nat', 'KUBE-SERVICES').at(-1)).toContain('-j KUBE-NODEPORTS');
  });

  it('masqueradeAll marks every ClusterIP packet', () => {
    const { rs } = render((d) => {
      d.kubeProxy = { ...d.kubeProxy!, masqueradeAll: true };
    });
    expect(trace(rs, '10.0.0.2', '172.30.0.41', 80).masquerade).toBe(true);
  });

  it('without a cluster CIDR there is no off-cluster masquerade rule and no pod short-circuit', () => {
    const { rs } = render((d) => {
      d.kubeProxy = { ...d.kubeProxy!, clusterCIDR: undefined };
    });
    expect(rulesOf(rs, 'nat', serviceChains('ns1/svc1:p80', 'tcp').svc)).toHaveLength(1);
    expect(trace(rs, '203.0.113.2', '172.30.0.41', 80).masquerade).toBe(false);
    // A pod to an eTP Local LB IP now lands on the local endpoints only.
    expect(trace(rs, '10.0.0.2', '192.168.0.2', 3007).endpoints).toEqual(['10.180.0.7:80']);
  });

  it('nodePortAddresses limits NodePorts to the matching node addresses', () => {
    const { rs } = render((d) => {
      d.kubeProxy = { ...d.kubeProxy!, nodePortAddresses: ['192.168.0.0/24'] };
    });
    expect(rulesOf(rs, 'nat', 'KUBE-SERVICES').at(-1)).toContain('-d 192.168.0.2 -j KUBE-NODEPORTS');
    expect(trace(rs, '203.0.113.2', '192.168.0.2', 3003).verdict).toBe('delivered');
    // The other local address is not captured: the packet reaches the node's own stack.
    expect(trace(rs, '203.0.113.2', '192.168.1.2', 3003)).toMatchObject({ verdict: 'local', endpoints: [] });
  });

  it('a masquerade bit other than 14 changes the mark everywhere', () => {
    const r = render((d) => {
      d.kubeProxy = { ...d.kubeProxy!, masqueradeBit: 12 };
    });
    expect(r.masqueradeMark).toBe('0x1000');
    expect(rulesOf(r.rs, 'nat', 'KUBE-MARK-MASQ')).toEqual(['-A KUBE-MARK-MASQ -j MARK --or-mark 0x1000']);
    expect(trace(r.rs, '203.0.113.2', '172.30.0.41', 80).masquerade).toBe(true);
  });

  it('an LB ingress with ipMode Proxy is not short-circuited', () => {
    const { rs } = render((d) => {
      d.services.find((s) => s.meta.name === 'svc5')!.loadBalancerIngress = [
        { ip: '5.6.7.8', ipMode: 'Proxy' },
      ];
    });
    expect(trace(rs, '203.0.113.2', '5.6.7.8', 80).verdict).toBe('unhandled');
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const { rs } = render((d) => {
      for (const e of d.endpointSlices.find((s) => s.serviceName === 'svc1')!.endpoints) {
        e.conditions = { ready: false, serving: true, terminating: true };
      }
    });
    expect(trace(rs, '10.0.0.2', '172.30.0.41', 80).endpoints).toEqual(['10.180.0.1:80']);
  });

  it('rejects ClusterIP traffic when the only endpoint is not ready and not serving', () => {
    const { rs } = render((d) => {
      for (const e of d.endpointSlices.find((s) => s.serviceName === 'svc1')!.endpoints) {
        e.conditions = { ready: false, serving: false, terminating: false };
      }
    });
    expect(trace(rs, '10.0.0.2', '172.30.0.41', 80).verdict).toBe('rejected');
  });

  it('iTP Local with an endpoint on this node uses only that endpoint', () => {
    const { rs } = render((d) => {
      d.endpointSlices
        .find((s) => s.serviceName === 'svc9')!
        .endpoints.push({
          addresses: ['10.180.0.14'],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: GOLDEN_NODE,
          hintsForZones: [],
          hintsForNodes: [],
        });
    });
    expect(trace(rs, '10.0.0.2', '172.30.0.49', 80).endpoints).toEqual(['10.180.0.14:80']);
  });

  it('topology hints keep traffic in the node zone', () => {
    const { rs } = render((d) => {
      d.nodes[0]!.meta.labels['topology.kubernetes.io/zone'] = 'zone-a';
      const s = d.services.find((x) => x.meta.name === 'svc8')!;
      s.meta.annotations['service.kubernetes.io/topology-mode'] = 'Auto';
      const eps = d.endpointSlices.find((x) => x.serviceName === 'svc8')!.endpoints;
      eps.forEach((e, i) => {
        e.hintsForZones = [i === 0 ? 'zone-a' : 'zone-b'];
      });
    });
    expect(
      evaluateIptables(
        rs,
        { src: '10.0.0.2', dst: '172.30.0.48', dport: 53, protocol: 'udp' },
        { localAddresses: [] },
      ).endpoints,
    ).toEqual(['10.180.0.10:53']);
  });

  it('drops rule comments on endpoint chains in large clusters (over 1000 endpoints)', () => {
    const { rs } = render((d) => {
      const s = d.endpointSlices.find((x) => x.serviceName === 'svc8')!;
      for (let i = 0; i < 1001; i++) {
        s.endpoints.push({
          addresses: [`10.181.${i >> 8}.${i & 255}`],
          conditions: { ready: true, serving: true, terminating: false },
          hintsForZones: [],
          hintsForNodes: [],
        });
      }
    });
    const sep = endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80');
    expect(rulesOf(rs, 'nat', sep)).toEqual([
      `-A ${sep} -s 10.180.0.1 -j KUBE-MARK-MASQ`,
      `-A ${sep} -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80`,
    ]);
  });

  it('ClientIP affinity sends a returning client to its endpoint, a new one to any', () => {
    const { rs } = render((d) => {
      d.endpointSlices
        .find((s) => s.serviceName === 'svc5')!
        .endpoints.push({
          addresses: ['10.180.0.6'],
          conditions: { ready: true, serving: true, terminating: false },
          hintsForZones: [],
          hintsForNodes: [],
        });
    });
    const pkt = { src: '203.0.113.2', dst: '5.6.7.8', dport: 80 };
    const local = { localAddresses: GOLDEN_LOCAL_ADDRESSES };
    expect(evaluateIptables(rs, pkt, local).endpoints).toEqual(['10.180.0.3:80', '10.180.0.6:80']);
    expect(evaluateIptables(rs, { ...pkt, affinityTo: '10.180.0.6:80' }, local).endpoints).toEqual([
      '10.180.0.6:80',
    ]);
  });

  it('skips headless and ExternalName Services', () => {
    const r = render((d) => {
      d.services.find((s) => s.meta.name === 'svc1')!.headless = true;
      d.services.find((s) => s.meta.name === 'svc1')!.clusterIP = 'None';
    });
    expect(r.services.some((s) => s.name === 'svc1')).toBe(false);
  });

  it('reports per Service port which chains exist and where they balance', () => {
    const s = renderKubeProxyIptables(goldenSnapshot(), GOLDEN_NODE).services.find((x) => x.name === 'svc7')!;
    expect(s).toMatchObject({
      usesClusterChain: true,
      usesLocalChain: true,
      usesExternalChain: true,
      usesFirewallChain: true,
      clusterEndpoints: ['10.180.0.7:80', '10.180.0.8:80'],
      localEndpoints: ['10.180.0.7:80'],
    });
  });
});

describe('properties of rendered rules', () => {
  it('a pod reaches exactly the usable endpoints of a ClusterIP, each with an equal share', () => {
    const endpoint = fc.record({
      host: fc.integer({ min: 1, max: 250 }),
      ready: fc.boolean(),
      terminating: fc.boolean(),
      local: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(endpoint, { maxLength: 12, selector: (e) => e.host }),
        fc.boolean(),
        (eps, itpLocal) => {
          const d = goldenData();
          const svc = d.services.find((s) => s.meta.name === 'svc1')!;
          svc.internalTrafficPolicy = itpLocal ? 'Local' : 'Cluster';
          d.endpointSlices.find((s) => s.serviceName === 'svc1')!.endpoints = eps.map((e) => ({
            addresses: [`10.190.0.${e.host}`],
            conditions: { ready: e.ready && !e.terminating, serving: e.ready, terminating: e.terminating },
            ...(e.local ? { nodeName: GOLDEN_NODE } : {}),
            hintsForZones: [],
            hintsForNodes: [],
          }));
          const r = renderKubeProxyIptables(new Snapshot(d), GOLDEN_NODE);
          const rules = parseIptablesSave(r.text, 'prop');
          const t = evaluateIptables(
            rules,
            { src: '10.0.0.2', dst: '172.30.0.41', dport: 80 },
            { localAddresses: [] },
          );
          // Which endpoints kube-proxy may use (pkg/proxy/topology.go): ready ones, else serving
          // terminating ones; under iTP Local only this node's.
          const pool = itpLocal ? eps.filter((e) => e.local) : eps;
          let usable = pool.filter((e) => e.ready && !e.terminating);
          if (usable.length === 0) usable = pool.filter((e) => e.ready && e.terminating);
          const anywhere = eps.some((e) => (e.ready && !e.terminating) || (e.ready && e.terminating));
          const want = usable.map((e) => `10.190.0.${e.host}:80`).sort();
          expect([...t.endpoints].sort()).toEqual(want);
          for (const ep of want) expect(t.probabilities[ep]).toBeCloseTo(1 / want.length, 9);
          const verdict = want.length > 0 ? 'delivered' : !anywhere ? 'rejected' : 'dropped';
          expect(t.verdict).toBe(verdict);
        },
      ),
      { numRuns: 200 },
    );
  });
});
