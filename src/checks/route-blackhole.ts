import {
  isBlackhole,
  lbEligibleNodes,
  listenerBackends,
  loadBalancersForService,
  longestPrefixMatch,
} from '../dataplane/cloud/index.js';
import { isExternalClient } from '../dataplane/cloud/question.js';
import { backendsOf } from '../model/endpoints.js';
import type { Snapshot } from '../model/snapshot.js';
import { refOf } from '../model/snapshot.js';
import type { Route } from '../model/types.js';
import { defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  route: { table: string; destination: string; nextHop: string };
  problem: 'blackhole' | 'wrong-next-hop';
  addresses: string[];
  expectedNextHop?: string;
}

/** The node a next hop names (node/NAME or a node address); undefined for gateways, ENIs, peers. */
function nextHopNode(snapshot: Snapshot, hop: string): string | undefined {
  if (hop.startsWith('node/')) return hop.slice(5);
  return snapshot.nodeByAddress(hop)?.meta.name;
}

export default defineCheck<Data>({
  id: 'route-blackhole',
  severity: 'error',
  layer: 'route',
  confidence: 0.8,
  title: (d) =>
    d.problem === 'blackhole'
      ? `Route ${d.route.destination} in ${d.route.table} black-holes traffic to ${d.addresses.join(', ')}`
      : `Route ${d.route.destination} in ${d.route.table} sends traffic for ${d.addresses.join(', ')} to ${d.route.nextHop}, not ${d.expectedNextHop}`,
  docs: {
    what: "A custom VPC route is the most specific match for an address on the Service's path (a backend pod or a node) and either drops it (blackhole next hop) or sends it to the wrong node.",
    why: "In VPC-routed clusters each node's pod CIDR is a VPC route to that node; a stale or hand-made route that is more specific, points to a deleted instance, or to another node sends packets nowhere — the node port or pod times out from some places and not others (seed 000 check item 2: a custom route is incorrectly configured for the node).",
    confirm:
      'In the console: VPC → route tables → the route for the pod CIDR / node address; its next hop should be the node that owns the pod CIDR (kubectl get node NAME -o jsonpath={.spec.podCIDR}).',
    fix: 'Delete the wrong route or change its next hop to the node that owns the CIDR (console: route table → edit route).',
  },
  source: ['seed 000 check item 2 (custom route incorrectly configured for the node)'],
  run({ snapshot, service, question, mode }) {
    if (!service) return [];
    const inv = snapshot.data.cloud;
    if (!inv?.routes || inv.routes.length === 0) return [];
    // Addresses on the path and the node each one belongs to.
    const owners = new Map<string, string | undefined>();
    for (const b of backendsOf(snapshot, service).backends)
      if (b.ready || b.serving) owners.set(b.ip, b.nodeName);
    const external = mode === 'audit' || isExternalClient(question) || question.address !== undefined;
    if (external && (service.type === 'NodePort' || service.type === 'LoadBalancer')) {
      const addressed = question.address ? snapshot.nodeByAddress(question.address.ip) : undefined;
      const lbNodes = loadBalancersForService(inv, service)
        .flatMap((lb) => lb.listeners.flatMap(listenerBackends))
        .map((b) => (b.target.startsWith('node/') ? snapshot.node(b.target.slice(5)) : undefined));
      const nodes = addressed ? [addressed] : lbNodes.some((n) => n) ? lbNodes : lbEligibleNodes(snapshot);
      for (const n of nodes) if (n?.internalIPs[0]) owners.set(n.internalIPs[0], n.meta.name);
    }
    const byRoute = new Map<Route, { problem: Data['problem']; addresses: string[]; expected?: string }>();
    for (const [ip, owner] of owners) {
      const m = longestPrefixMatch(inv, ip);
      if (!m) continue;
      let problem: Data['problem'] | undefined;
      if (isBlackhole(m.route)) problem = 'blackhole';
      else {
        const hopNode = nextHopNode(snapshot, m.route.nextHop);
        if (hopNode && owner && hopNode !== owner) problem = 'wrong-next-hop';
      }
      if (!problem) continue;
      const entry = byRoute.get(m.route) ?? {
        problem,
        addresses: [],
        ...(owner && problem === 'wrong-next-hop' ? { expected: `node/${owner}` } : {}),
      };
      entry.addresses.push(ip);
      byRoute.set(m.route, entry);
    }
    const hits = [];
    for (const [route, e] of byRoute) {
      hits.push({
        subject: refOf(service),
        data: {
          route: { table: route.table, destination: route.destination, nextHop: route.nextHop },
          problem: e.problem,
          addresses: e.addresses,
          ...(e.expected ? { expectedNextHop: e.expected } : {}),
        },
        evidence: [
          `${route.table}: ${route.destination} → ${route.nextHop} is the longest match for ${e.addresses.join(', ')}`,
          e.problem === 'blackhole'
            ? 'the next hop drops the traffic'
            : `the address belongs to ${e.expected}`,
        ],
        fix: {
          summary:
            e.problem === 'blackhole'
              ? `Delete route ${route.destination} from ${route.table} or give it a live next hop (console: VPC → route tables → ${route.table} → edit).`
              : `Change the next hop of ${route.destination} in ${route.table} to ${e.expected} (console: VPC → route tables → ${route.table} → edit route).`,
          commands: [
            'kubectl get nodes -o custom-columns=NAME:.metadata.name,IP:.status.addresses[0].address,PODCIDR:.spec.podCIDR',
          ],
        },
      });
    }
    return hits;
  },
});
