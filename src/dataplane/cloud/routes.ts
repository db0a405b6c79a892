// Custom VPC routes: longest-prefix match over the inventory's route tables.
// Simplification: every table is consulted as if associated with the sender's subnet (the
// inventory rarely says which subnet a node is in); routes of several tables compete by prefix.
import type { CloudInventory, Route } from '../../model/types.js';
import { cidrContains, parseCidr } from './addr.js';

export interface RouteMatch {
  route: Route;
  prefixLength: number;
}

/** The most specific custom route covering `ip`, if any. */
export function longestPrefixMatch(inv: CloudInventory | undefined, ip: string): RouteMatch | undefined {
  let best: RouteMatch | undefined;
  for (const route of inv?.routes ?? []) {
    const c = parseCidr(route.destination);
    if (!c || !cidrContains(c, ip)) continue;
    if (!best || c[1] > best.prefixLength) best = { route, prefixLength: c[1] };
  }
  return best;
}

export const BLACKHOLE_HOPS = new Set(['blackhole', 'drop', 'null', 'none', 'discard']);

export function isBlackhole(route: Route): boolean {
  return BLACKHOLE_HOPS.has(route.nextHop.toLowerCase());
}
