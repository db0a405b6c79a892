import ipaddr from 'ipaddr.js';
import type { IPFamily } from '../../model/types.js';

export type Addr = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [Addr, number];

/**
 * Parses an address the way kube-proxy's ParseIPSloppy does: leading zeros in IPv4 octets are
 * decimal (legacy API data like "172.30.0.041"), IPv4-mapped IPv6 is unwrapped. Returns
 * undefined for anything that is not an address.
 */
export function parseIP(text: string): Addr | undefined {
  const hit = parsed.get(text);
  if (hit !== undefined || parsed.has(text)) return hit;
  const a = parseUncached(text);
  // Bounded memo: traces parse the same Service and node addresses again and again.
  if (parsed.size > 100_000) parsed.clear();
  parsed.set(text, a);
  return a;
}

const parsed = new Map<string, Addr | undefined>();

function parseUncached(text: string): Addr | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const octets = s.split('.').map((o) => Number.parseInt(o, 10));
    if (octets.some((o) => o > 255)) return undefined;
    return ipaddr.IPv4.parse(octets.join('.'));
  }
  if (!ipaddr.IPv6.isValid(s)) return undefined;
  const v6 = ipaddr.IPv6.parse(s);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

/** Canonical text of an address ("" when unparsable), so index keys never differ by spelling. */
export function canonicalIP(text: string): string {
  return parseIP(text)?.toString() ?? '';
}

export function familyOf(addr: Addr): IPFamily {
  return addr.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
}

export function familyOfText(text: string): IPFamily | undefined {
  const a = parseIP(text);
  return a ? familyOf(a) : undefined;
}

/** Parses "a.b.c.d/n" (tolerating the whitespace and leading zeros kube-proxy tolerates). */
export function parseCIDR(text: string): Cidr | undefined {
  const s = text.trim();
  const slash = s.indexOf('/');
  if (slash < 0) {
    const a = parseIP(s);
    return a ? [a, a.kind() === 'ipv4' ? 32 : 128] : undefined;
  }
  const a = parseIP(s.slice(0, slash));
  const bits = Number.parseInt(s.slice(slash + 1), 10);
  if (!a || Number.isNaN(bits)) return undefined;
  if (bits < 0 || bits > (a.kind() === 'ipv4' ? 32 : 128)) return undefined;
  return [a, bits];
}

export function cidrText(c: Cidr): string {
  return `${c[0].toString()}/${c[1]}`;
}

export function cidrContains(c: Cidr, addr: Addr): boolean {
  if (c[0].kind() !== addr.kind()) return false;
  // ipaddr.js types match() per family; the kind check above makes the cast safe.
  return (addr as ipaddr.IPv4).match(c as [ipaddr.IPv4, number]);
}

export function anyContains(cidrs: readonly Cidr[], addr: Addr): boolean {
  for (const c of cidrs) if (cidrContains(c, addr)) return true;
  return false;
}

export function isLoopback(addr: Addr): boolean {
  return addr.range() === 'loopback';
}

/** "ip:port", with brackets for IPv6 as Go's net.JoinHostPort writes it. */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Orders "ip:port" strings numerically by address, then port (the order traces print in). */
export function compareHostPort(a: string, b: string): number {
  const pa = splitHostPort(a);
  const pb = splitHostPort(b);
  const aa = parseIP(pa.ip);
  const ab = parseIP(pb.ip);
  if (aa && ab) {
    if (aa.kind() !== ab.kind()) return aa.kind() === 'ipv4' ? -1 : 1;
    const ba = aa.toByteArray();
    const bb = ab.toByteArray();
    for (let i = 0; i < ba.length; i++) {
      const d = (ba[i] ?? 0) - (bb[i] ?? 0);
      if (d !== 0) return d;
    }
  } else if (pa.ip !== pb.ip) {
    return pa.ip < pb.ip ? -1 : 1;
  }
  return pa.port - pb.port;
}

export function splitHostPort(hp: string): { ip: string; port: number } {
  const m = /^\[(.*)\]:(\d+)$/.exec(hp) ?? /^(.*):(\d+)$/.exec(hp);
  if (!m) return { ip: hp, port: 0 };
  return { ip: m[1] ?? '', port: Number(m[2]) };
}
