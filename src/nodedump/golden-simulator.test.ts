import { describe, expect, it } from 'vitest';
import { proxyPacket } from '../dataplane/kubeproxy/index.js';
import { Snapshot } from '../model/snapshot.js';
import { GOLDEN_LOCAL_ADDRESSES, GOLDEN_NODE, goldenData } from './fixtures/golden-cluster.js';
import { GOLDEN_FLOWS } from './fixtures/golden-flows.js';

// Issue 10's acceptance: the golden kube-proxy node's iptables-save, read by the evaluator,
// answers every packet-flow case the way the table says (iptables/evaluate.test.ts); here the
// data-path simulator, reading only the API objects behind that node, must give the same
// answers, so the two independent implementations of kube-proxy agree.

const data = goldenData();
// The simulator knows the node's addresses from the Node object; give it those of `ip -o addr`.
data.nodes[0]!.addresses = GOLDEN_LOCAL_ADDRESSES.map((address) => ({ type: 'InternalIP', address }));
const snapshot = new Snapshot(data);

describe('golden node: the simulator agrees with the real rules', () => {
  for (const c of GOLDEN_FLOWS) {
    it(c.name, () => {
      const p = c.packet;
      const hostOrigin = p.src.startsWith('127.') || GOLDEN_LOCAL_ADDRESSES.includes(p.src);
      const r = proxyPacket(snapshot, GOLDEN_NODE, {
        src: p.src,
        dst: p.dst,
        dport: p.dport,
        protocol: p.protocol === 'udp' ? 'UDP' : 'TCP',
        hook: hostOrigin ? 'output' : 'prerouting',
      });
      const steps = r.steps.map((s) => `${s.rule ?? ''} ${s.detail}`).join('\n');
      expect({ verdict: r.verdict, endpoints: r.endpoints, masq: r.masquerade }, steps).toEqual({
        verdict: c.verdict,
        endpoints: [...(c.endpoints ?? [])].sort(),
        masq: c.masq ?? false,
      });
    });
  }
});
