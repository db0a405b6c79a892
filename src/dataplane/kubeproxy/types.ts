import type { Step } from '../../model/trace.js';
import type { Protocol, ProxyMode } from '../../model/types.js';

export interface Packet {
  src: string;
  dst: string;
  dport: number;
  protocol: Protocol;
  /** 'prerouting': arrived at the node (from a local pod, another node, an LB or outside);
   *  'output': sent by a host-network process on this node */
  hook: 'prerouting' | 'output';
}

export type ProxyVerdict = 'delivered' | 'local' | 'rejected' | 'dropped' | 'unhandled';

export interface ProxyResult {
  verdict: ProxyVerdict;
  /** "ip:port" DNAT targets the packet may go to (sorted). */
  endpoints: string[];
  masquerade: boolean;
  /** Each step names the upstream chain/rule (or IPVS/nftables object) that decided it. */
  steps: Step[];
  mode: ProxyMode;
  service?: { namespace: string; name: string; port: string };
  notes: string[];
}

export interface ProxyOptions {
  /** Overrides the mode found in the snapshot (kube-proxy ConfigMap / CloudInventory). */
  mode?: ProxyMode;
  /** iptables.localhostNodePorts; upstream default true (IPv4 only, needs route_localnet). */
  localhostNodePorts?: boolean;
  /** kube-proxy version ("v1.20.6-tke.12"); otherwise taken from the snapshot when known. */
  kubeProxyVersion?: string;
}
