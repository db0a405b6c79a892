// Address helpers shared by the cloud model (security groups, routes, NAT). Pure.
import ipaddr from 'ipaddr.js';

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parse "10.0.0.0/16" or a bare address (as a host route). undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const a = ipaddr.parse(text);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    const a = ipaddr.parse(text);
    // An IPv4-mapped IPv6 address is the IPv4 address for matching purposes.
    if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress())
      return (a as ipaddr.IPv6).toIPv4Address();
    return a;
  } catch {
    return undefined;
  }
}

export function isIp(text: string): boolean {
  return ipaddr.isValid(text);
}

/** Whether `ip` lies inside `cidr` (false across address families). */
export function cidrContains(cidr: string | Cidr, ip: string): boolean {
  const c = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const a = parseIp(ip);
  if (!c || !a || a.kind() !== c[0].kind()) return false;
  return a.match(c);
}

export function isAnyCidr(text: string): boolean {
  return text === '0.0.0.0/0' || text === '::/0' || text === 'any' || text === '*' || text === 'all';
}

/** RFC 1918, CGNAT (used by clouds for LB/health-check sources), link-local and ULA ranges. */
export function isPrivateRange(text: string): boolean {
  const c = parseCidr(text);
  if (!c) return false;
  const range = c[0].range();
  return ['private', 'carrierGradeNat', 'linkLocal', 'uniqueLocal', 'loopback'].includes(range);
}

export function isPublicAddress(ip: string): boolean {
  const a = parseIp(ip);
  return a !== undefined && a.range() === 'unicast';
}
