import ipaddr from 'ipaddr.js';

/** Whether `ip` lies in `cidr`. Invalid input or a family mismatch is simply "no". IPv4-mapped IPv6 is unwrapped. */
export function ipInCidr(ip: string, cidr: string): boolean {
  try {
    let addr = ipaddr.parse(ip);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
      addr = (addr as ipaddr.IPv6).toIPv4Address();
    const [net, bits] = ipaddr.parseCIDR(cidr);
    if (addr.kind() !== net.kind()) return false;
    return addr.match([net, bits]);
  } catch {
    return false;
  }
}

export function isValidIP(ip: string): boolean {
  return ipaddr.isValid(ip);
}
