import { createHash } from 'node:crypto';
import { base32 } from '../../util/base32.js';

// kube-proxy's per-Service chain names (pkg/proxy/iptables/proxier.go): the first 16 characters
// of base32(sha256(servicePortName + protocol)), behind a prefix; endpoint chains also hash the
// endpoint's "IP:port". servicePortName is "namespace/name" plus ":portName" when the port is named;
// protocol is lower-case.

function hash16(input: string): string {
  return base32(createHash('sha256').update(input).digest()).slice(0, 16);
}

/** "ns/name:port" (":port" only when the Service port is named), as proxy.ServicePortName.String(). */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

export interface ServiceChains {
  svc: string;
  svl: string;
  ext: string;
  fw: string;
}

export function serviceChains(svcPortName: string, protocol: string): ServiceChains {
  const h = hash16(svcPortName + protocol.toLowerCase());
  return { svc: `KUBE-SVC-${h}`, svl: `KUBE-SVL-${h}`, ext: `KUBE-EXT-${h}`, fw: `KUBE-FW-${h}` };
}

export function endpointChain(svcPortName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(svcPortName + protocol.toLowerCase() + endpoint)}`;
}

const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'];

export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}
