import { NodeDumpParseError } from '../errors.js';
import { parseCidr } from '../ip.js';

// Reads `ip -o addr` (one address per line): "IDX: IFNAME FAMILY ADDR/PREFIX ...".
// kube-proxy's IPVS mode binds every ClusterIP, external IP and LB IP it serves to the dummy
// interface kube-ipvs0, so those addresses are local to the node.

export interface InterfaceAddress {
  index: number;
  iface: string;
  family: 'inet' | 'inet6';
  address: string;
  prefix: number;
  scope?: string;
  line: number;
}

export interface AddrDump {
  file: string;
  addresses: InterfaceAddress[];
}

export const IPVS_DUMMY_INTERFACE = 'kube-ipvs0';

export function parseIpAddr(text: string, file = 'ip-addr'): AddrDump {
  const addresses: InterfaceAddress[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\d+):\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+(\S+)(.*)$/.exec(line);
    if (!m)
      throw new NodeDumpParseError(
        file,
        i + 1,
        'not an "ip -o addr" line (want "N: IFACE inet ADDR/PREFIX ...")',
      );
    const [, idx, iface, family, cidr, rest] = m as unknown as [
      string,
      string,
      string,
      'inet' | 'inet6',
      string,
      string,
    ];
    const slash = cidr.indexOf('/');
    const address = slash < 0 ? cidr : cidr.slice(0, slash);
    const parsed = parseCidr(cidr);
    if (!parsed || (family === 'inet') !== (parsed.family === 4)) {
      throw new NodeDumpParseError(file, i + 1, `bad ${family} address "${cidr}"`);
    }
    const scope = /\bscope\s+(\S+)/.exec(rest)?.[1];
    addresses.push({
      index: Number(idx),
      iface,
      family,
      address,
      prefix: parsed.bits,
      ...(scope ? { scope } : {}),
      line: i + 1,
    });
  });
  return { file, addresses };
}

/** Every address on the node (what `-m addrtype --dst-type LOCAL` matches). */
export function localAddresses(dump: AddrDump): string[] {
  return [...new Set(dump.addresses.map((a) => a.address))];
}

/** The VIPs kube-proxy's IPVS mode bound to kube-ipvs0. */
export function ipvsDummyAddresses(dump: AddrDump): string[] {
  return dump.addresses.filter((a) => a.iface === IPVS_DUMMY_INTERFACE).map((a) => a.address);
}
