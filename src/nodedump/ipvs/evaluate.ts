import { canonicalIP } from '../ip.js';
import { type IpvsDump, type VirtualService, vsKey } from './parse.js';

// Where IPVS sends a new connection: the virtual service for (protocol, VIP, port), then its real
// servers. Weight 0 servers are quiesced (no new connections); "rr" ignores weights, the weighted
// schedulers share by weight. Masquerading in IPVS mode is done by kube-proxy's iptables rules
// (KUBE-POSTROUTING with ipsets), which this evaluator does not see.

export interface IpvsPacket {
  dst: string;
  dport: number;
  protocol?: 'tcp' | 'udp' | 'sctp';
}

export interface IpvsTrace {
  verdict: 'delivered' | 'rejected' | 'unhandled';
  endpoints: string[];
  probabilities: Record<string, number>;
  service?: {
    protocol: string;
    address: string;
    port: number;
    scheduler: string;
    line: number;
    persistent?: number;
  };
  /** Real servers present but not eligible (weight 0). */
  quiesced: string[];
}

export interface IpvsIndex {
  dump: IpvsDump;
  byKey: Map<string, VirtualService>;
}

export function indexIpvs(dump: IpvsDump): IpvsIndex {
  const byKey = new Map<string, VirtualService>();
  for (const s of dump.services) if (s.protocol !== 'FWM') byKey.set(vsKey(s.protocol, s.address, s.port), s);
  return { dump, byKey };
}

const ep = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

export function evaluateIpvs(index: IpvsIndex, pkt: IpvsPacket): IpvsTrace {
  const proto = (pkt.protocol ?? 'tcp').toUpperCase();
  const vs = index.byKey.get(vsKey(proto, canonicalIP(pkt.dst), pkt.dport));
  if (!vs) return { verdict: 'unhandled', endpoints: [], probabilities: {}, quiesced: [] };
  const eligible = vs.realServers.filter((r) => r.weight > 0);
  const quiesced = vs.realServers.filter((r) => r.weight <= 0).map((r) => ep(r.address, r.port));
  const weighted = vs.scheduler !== 'rr';
  const total = eligible.reduce((s, r) => s + (weighted ? r.weight : 1), 0);
  const probabilities: Record<string, number> = {};
  const endpoints: string[] = [];
  for (const r of eligible) {
    const k = ep(r.address, r.port);
    if (!(k in probabilities)) endpoints.push(k);
    probabilities[k] = (probabilities[k] ?? 0) + (weighted ? r.weight : 1) / total;
  }
  return {
    // A VIP with no eligible real server is still bound on kube-ipvs0: the node answers with a reset.
    verdict: endpoints.length ? 'delivered' : 'rejected',
    endpoints,
    probabilities,
    service: {
      protocol: vs.protocol,
      address: vs.address,
      port: vs.port,
      scheduler: vs.scheduler,
      line: vs.line,
      ...(vs.persistent !== undefined ? { persistent: vs.persistent } : {}),
    },
    quiesced,
  };
}
