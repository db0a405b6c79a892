import { createHash } from 'node:crypto';
import type { Protocol } from '../../model/types.js';
import { base32 } from '../../util/base32.js';

// Chain names exactly as kube-proxy derives them, so a simulated trace can be matched line by
// line against a node's iptables-save output.

const memo = new Map<string, string>();

function hash(text: string): string {
  const hit = memo.get(text);
  if (hit) return hit;
  const h = base32(createHash('sha256').update(text).digest());
  // Bounded: traces of the same Services hash the same names again and again.
  if (memo.size > 100_000) memo.clear();
  memo.set(text, h);
  return h;
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

// nftables chain names are limited to 256 characters; kube-proxy keeps the hashed base to 240.
const CHAIN_BASE_MAX = 240;

function hashAndTruncate(name: string): string {
  const full = `${hash(name).slice(0, 8)}-${name}`;
  return full.length > CHAIN_BASE_MAX ? `${full.slice(0, CHAIN_BASE_MAX - 3)}...` : full;
}

/** servicePortChainNameBase: "HASH-ns/name/proto/port" */
export function nftablesChainBase(
  namespace: string,
  name: string,
  portName: string,
  protocol: Protocol,
): string {
  return hashAndTruncate(nftBase(namespace, name, portName, protocol));
}

/** servicePortEndpointChainNameBase for an "ip:port" or "[ip6]:port" endpoint. */
export function nftablesEndpointChainBase(
  namespace: string,
  name: string,
  portName: string,
  protocol: Protocol,
  ip: string,
  port: number,
): string {
  // IPv6 colons are not allowed in chain names; kube-proxy writes them as dots.
  return hashAndTruncate(
    `${nftBase(namespace, name, portName, protocol)}__${ip.replaceAll(':', '.')}/${port}`,
  );
}

export function nftablesChains(namespace: string, name: string, portName: string, protocol: Protocol) {
  const base = nftablesChainBase(namespace, name, portName, protocol);
  return {
    service: `service-${base}`,
    local: `local-${base}`,
    external: `external-${base}`,
    firewall: `firewall-${base}`,
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
  return `endpoint-${nftablesEndpointChainBase(namespace, name, portName, protocol, ip, port)}`;
}
