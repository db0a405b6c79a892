import ipaddr from 'ipaddr.js';

/** A parsed CIDR, compiled for fast matching. IPv4 uses 32-bit integers; IPv6 falls back to ipaddr.js. */
export type Cidr =
  | { family: 4; base: number; mask: number; bits: number; text: string }
  | { family: 6; addr: ipaddr.IPv6; bits: number; text: string };

/** Dotted-quad to unsigned 32-bit integer, or undefined when not a plain IPv4 address. */
export function ipv4ToInt(s: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return value * 256 + part;
}

export function intToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses "1.2.3.4", "1.2.3.0/24", "1.2.3.4/255.255.255.0", "fd00::/64". Undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const len = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = ipv4ToInt(addr);
  if (v4 !== undefined) {
    let bits = 32;
    if (len !== undefined) {
      if (/^\d{1,2}$/.test(len)) bits = Number(len);
      else {
        const m = ipv4ToInt(len);
        if (m === undefined) return undefined;
        // A dotted mask must be contiguous ones from the left.
        const ones = 32 - Math.log2((~m >>> 0) + 1);
        if (!Number.isInteger(ones) || maskOf(ones) !== m) return undefined;
        bits = ones;
      }
      if (bits > 32) return undefined;
    }
    const mask = maskOf(bits);
    return { family: 4, base: (v4 & mask) >>> 0, mask, bits, text };
  }
  if (!addr.includes(':') || !ipaddr.IPv6.isValid(addr)) return undefined;
  let bits = 128;
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len)) return undefined;
    bits = Number(len);
    if (bits > 128) return undefined;
  }
  return { family: 6, addr: ipaddr.IPv6.parse(addr), bits, text };
}

/** An address compiled once per packet, so rule matching does no parsing. */
export type Addr = { family: 4; n: number; text: string } | { family: 6; addr: ipaddr.IPv6; text: string };

export function parseAddr(text: string): Addr | undefined {
  const v4 = ipv4ToInt(text);
  if (v4 !== undefined) return { family: 4, n: v4, text };
  if (text.includes(':') && ipaddr.IPv6.isValid(text))
    return { family: 6, addr: ipaddr.IPv6.parse(text), text };
  return undefined;
}

export function cidrContains(c: Cidr, a: Addr): boolean {
  if (c.family === 4) return a.family === 4 && (a.n & c.mask) >>> 0 === c.base;
  return a.family === 6 && a.addr.match(c.addr, c.bits);
}

export function isIPv4(text: string): boolean {
  return ipv4ToInt(text) !== undefined;
}

/** Canonical text of an address (lower-case, compressed IPv6), for set membership. */
export function canonicalIP(text: string): string {
  if (ipv4ToInt(text) !== undefined) return text;
  try {
    return ipaddr.parse(text).toString();
  } catch {
    return text;
  }
}
