import { createHash } from 'node:crypto';
import type { Protocol } from '../../model/types.js';

// Chain names exactly as kube-proxy derives them, so a simulated trace can be matched line by
// line against a node's iptables-save output.

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function hash(text: string): string {
  return base32(createHash('sha256').update(text).digest());
}

/** ServicePortName.String(): "ns/name" or "ns/name:port". */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

function proto(p: Protocol): string {
  return p.toLowerCase();
}

export function iptablesChains(spn: string, protocol: Protocol) {
  const h = hash(spn + proto(protocol)).slice(0, 16);
  return {
    svc: `KUBE-SVC-${h}`,
    svl: `KUBE-SVL-${h}`,
    fw: `KUBE-FW-${h}`,
    ext: `KUBE-EXT-${h}`,
  };
}

export function iptablesEndpointChain(spn: string, protocol: Protocol, endpoint: string): string {
  return `KUBE-SEP-${hash(spn + proto(protocol) + endpoint).slice(0, 16)}`;
}

/** nftables chain base "ns/name/tcp/port" (pkg/proxy/nftables servicePortChainNameBase). */
function nftBase(namespace: string, name: string, portName: string, protocol: Protocol): string {
  return `${namespace}/${name}/${proto(protocol)}/${portName}`;
}

function hashAndTruncate(name: string): string {
  const full = `${hash(name).slice(0, 8)}-${name}`;
  return full.length > 200 ? `${full.slice(0, 197)}...` : full;
}

export function nftablesChains(namespace: string, name: string, portName: string, protocol: Protocol) {
  const base = nftBase(namespace, name, portName, protocol);
  return {
    service: `service-${hashAndTruncate(base)}`,
    local: `local-${hashAndTruncate(base)}`,
    external: `external-${hashAndTruncate(base)}`,
    firewall: `firewall-${hashAndTruncate(base)}`,
  };
}

export function nftablesEndpointChain(
  namespace: string,
  name: string,
  portName: string,
  protocol: Protocol,
  ip: string,
  port: number,
): string {
  // IPv6 colons are not allowed in chain names; kube-proxy writes them as dots.
  const ep = `${ip.replaceAll(':', '.')}/${port}`;
  return `endpoint-${hashAndTruncate(`${nftBase(namespace, name, portName, protocol)}__${ep}`)}`;
}
