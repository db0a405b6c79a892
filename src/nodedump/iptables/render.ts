import { backendsOf } from '../../model/endpoints.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { KubeProxyConfig, Node, Service, ServicePort } from '../../model/types.js';
import { cidrContains, isIPv4, parseAddr, parseCidr } from '../ip.js';
import { endpointChain, type ServiceChains, serviceChains, servicePortName } from './chains.js';

// What kube-proxy's iptables proxier programs on one node, as iptables-save would print it.
// A port of syncProxyRules (pkg/proxy/iptables/proxier.go) and CategorizeEndpoints
// (pkg/proxy/topology.go) for IPv4, written independently of src/dataplane so the two can be
// compared. Services are emitted in namespace/name/port order (upstream iterates a Go map, so
// its order is arbitrary); per-chain rule order is upstream's.

export interface RenderOptions {
  /** Overrides snapshot.data.kubeProxy. */
  kubeProxy?: Partial<KubeProxyConfig>;
  /** iptables.localhostNodePorts (default true). */
  localhostNodePorts?: boolean;
  /** Whether the node's iptables supports MASQUERADE --random-fully (default true). */
  randomFully?: boolean;
  /** Whether nfacct counters could be created (kernel xt_nfacct); adds -m nfacct rules. Default false. */
  nfacct?: boolean;
  /** nf_conntrack_tcp_be_liberal=1 removes the INVALID drop rule. Default false. */
  conntrackTCPLiberal?: boolean;
  /** Addresses of the node's interfaces, for nodePortAddresses CIDRs (default: the Node's addresses). */
  interfaceAddresses?: readonly string[];
}

export interface RenderedService {
  namespace: string;
  name: string;
  /** "ns/name:port" */
  portName: string;
  protocol: string;
  clusterIP: string;
  port: number;
  nodePort?: number;
  chains: ServiceChains;
  /** Which of the chains exist in the rendered rules. */
  usesClusterChain: boolean;
  usesLocalChain: boolean;
  usesExternalChain: boolean;
  usesFirewallChain: boolean;
  hasEndpoints: boolean;
  /** IP:port of the endpoints each policy chain balances over. */
  clusterEndpoints: string[];
  localEndpoints: string[];
  /** endpoint IP:port -> KUBE-SEP chain */
  endpointChains: Record<string, string>;
}

export interface RenderResult {
  text: string;
  services: RenderedService[];
  nodeIP?: string;
  masqueradeMark: string;
}

interface Ep {
  ip: string;
  str: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  local: boolean;
  zoneHints: string[];
  chain: string;
}

const LARGE_CLUSTER_ENDPOINTS = 1000;

function q(s: string): string {
  return `"${s}"`;
}

/** proxier.go computeProbability: fmt.Sprintf("%0.10f", 1.0/float64(n)). */
function probability(n: number): string {
  return (1 / n).toFixed(10);
}

function nodeIPOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  for (const t of ['InternalIP', 'ExternalIP']) {
    const a = node.addresses.find((x) => x.type === t && isIPv4(x.address));
    if (a) return a.address;
  }
  return undefined;
}

interface LocalDetector {
  ifLocal: string[];
  ifNotLocal: string[];
}

function localDetector(cfg: Partial<KubeProxyConfig>, node: Node | undefined): LocalDetector | undefined {
  const mode = cfg.detectLocalMode ?? '';
  let cidr: string | undefined;
  if (mode === '' || mode === 'ClusterCIDR') {
    cidr = (cfg.clusterCIDR ?? '')
      .split(',')
      .map((s) => s.trim())
      .find((c) => c && isIPv4(c.split('/')[0] ?? ''));
  } else if (mode === 'NodeCIDR') {
    cidr = node?.podCIDRs.find((c) => isIPv4(c.split('/')[0] ?? ''));
  }
  // BridgeInterface / InterfaceNamePrefix need settings our model does not carry.
  if (!cidr) return undefined;
  return { ifLocal: ['-s', cidr], ifNotLocal: ['!', '-s', cidr] };
}

function canUseTopology(svc: Service, eps: Ep[], zone: string | undefined): boolean {
  const mode =
    svc.meta.annotations['service.kubernetes.io/topology-mode'] ??
    svc.meta.annotations['service.kubernetes.io/topology-aware-hints'] ??
    '';
  if (mode !== 'Auto' && mode !== 'auto' && !svc.trafficDistribution) return false;
  if (!zone) return false;
  let hasForZone = false;
  for (const ep of eps) {
    if (!ep.ready) continue;
    if (ep.zoneHints.length === 0) return false;
    if (ep.zoneHints.includes(zone)) hasForZone = true;
  }
  return hasForZone;
}

function categorize(
  eps: Ep[],
  usesCluster: boolean,
  usesLocal: boolean,
  useTopology: boolean,
  zone: string | undefined,
): { cluster: Ep[]; local: Ep[]; all: Ep[]; hasAny: boolean } {
  let cluster: Ep[] = [];
  let local: Ep[] = [];
  let hasAny = false;
  if (usesCluster) {
    cluster = eps.filter(
      (e) => e.ready && (!useTopology || (zone !== undefined && e.zoneHints.includes(zone))),
    );
    // No ready endpoint anywhere: fall back to serving-and-terminating ones (topology ignored).
    if (cluster.length === 0) cluster = eps.filter((e) => e.serving && e.terminating);
    if (cluster.length > 0) hasAny = true;
  }
  if (!usesLocal) return { cluster, local, all: cluster, hasAny };
  let localReady = false;
  let localTerminating = false;
  for (const e of eps) {
    if (e.ready) {
      hasAny = true;
      if (e.local) localReady = true;
    } else if (e.serving && e.terminating) {
      hasAny = true;
      if (e.local) localTerminating = true;
    }
  }
  if (localReady) local = eps.filter((e) => e.local && e.ready);
  else if (localTerminating) local = eps.filter((e) => e.local && e.serving && e.terminating);
  if (!usesCluster) return { cluster, local, all: local, hasAny };
  const merged = new Map<string, Ep>();
  for (const e of cluster) merged.set(e.str, e);
  for (const e of local) merged.set(e.str, e);
  return { cluster, local, all: [...merged.values()], hasAny };
}

class Lines {
  readonly lines: string[] = [];
  write(...parts: (string | string[])[]): void {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out = out === '' ? p : `${out} ${p}`;
      else for (const w of p) out = out === '' ? w : `${out} ${w}`;
    }
    this.lines.push(out);
  }
}

/** Renders what kube-proxy (iptables mode, IPv4) would program on `nodeName`. */
export function renderKubeProxyIptables(
  snapshot: Snapshot,
  nodeName: string,
  opts: RenderOptions = {},
): RenderResult {
  const cfg: Partial<KubeProxyConfig> = { ...(snapshot.data.kubeProxy ?? {}), ...(opts.kubeProxy ?? {}) };
  const node = snapshot.node(nodeName);
  const nodeIP = nodeIPOf(node);
  const zone = node?.meta.labels['topology.kubernetes.io/zone'];
  const detector = localDetector(cfg, node);
  const masqueradeAll = cfg.masqueradeAll ?? false;
  const mark = `0x${(1 << (cfg.masqueradeBit ?? 14)).toString(16).padStart(4, '0')}`;
  const nodePortAddresses = (cfg.nodePortAddresses ?? []).filter(
    (a) => a === 'primary' || isIPv4(a.split('/')[0] ?? ''),
  );
  const matchAll = nodePortAddresses.length === 0;
  const npCidrs = nodePortAddresses.filter((a) => a !== 'primary').map((a) => parseCidr(a));
  const loopback = parseAddr('127.0.0.1')!;
  let localhostNodePorts = opts.localhostNodePorts ?? true;
  if (!matchAll && !npCidrs.some((c) => c && cidrContains(c, loopback))) localhostNodePorts = false;
  const nfacct = opts.nfacct ?? false;

  const filterChains = [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL',
  ];
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const filterRules = new Lines();
  const natRules = new Lines();

  natRules.write('-A', 'KUBE-POSTROUTING', '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  natRules.write('-A', 'KUBE-POSTROUTING', '-j', 'MARK', '--xor-mark', mark);
  natRules.write(
    '-A',
    'KUBE-POSTROUTING',
    '-m',
    'comment',
    '--comment',
    q('kubernetes service traffic requiring SNAT'),
    '-j',
    'MASQUERADE',
    opts.randomFully === false ? [] : ['--random-fully'],
  );
  natRules.write('-A', 'KUBE-MARK-MASQ', '-j', 'MARK', '--or-mark', mark);
  if (localhostNodePorts) {
    filterChains.push('KUBE-FIREWALL');
    filterRules.write(
      '-A',
      'KUBE-FIREWALL',
      '-m',
      'comment',
      '--comment',
      q('block incoming localnet connections'),
      '-d',
      '127.0.0.0/8',
      '!',
      '-s',
      '127.0.0.0/8',
      '-m',
      'conntrack',
      '!',
      '--ctstate',
      'RELATED,ESTABLISHED,DNAT',
      '-j',
      'DROP',
    );
  }

  // Gather service ports and their endpoints first: large-cluster mode depends on the total.
  interface Work {
    svc: Service;
    port: ServicePort;
    name: string;
    proto: string;
    chains: ServiceChains;
    eps: Ep[];
  }
  const work: Work[] = [];
  const key = (s: Service) => `${s.meta.namespace}/${s.meta.name}`;
  const services = [...snapshot.services].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let totalEndpoints = 0;
  for (const svc of services) {
    if (svc.type === 'ExternalName' || svc.headless || !svc.clusterIP || svc.clusterIP === 'None') continue;
    if (!isIPv4(svc.clusterIP)) continue; // this renderer covers the IPv4 proxier
    const backends = backendsOf(snapshot, svc).backends;
    const hintsByIP = zoneHints(snapshot, svc);
    for (const port of svc.ports) {
      const name = servicePortName(svc.meta.namespace, svc.meta.name, port.name);
      const proto = port.protocol.toLowerCase();
      const byStr = new Map<string, Ep>();
      for (const b of backends) {
        const ep = b.ports.find((p) => p.name === port.name && p.protocol === port.protocol);
        if (!ep || ep.port === undefined || !isIPv4(b.ip)) continue;
        const str = `${b.ip}:${ep.port}`;
        if (byStr.has(str)) continue;
        const hints = hintsByIP.get(b.ip) ?? [];
        byStr.set(str, {
          ip: b.ip,
          str,
          ready: b.ready,
          serving: b.serving,
          terminating: b.terminating,
          local: b.nodeName === nodeName,
          zoneHints: hints,
          chain: endpointChain(name, proto, str),
        });
      }
      const eps = [...byStr.values()].sort((a, b) => (a.str < b.str ? -1 : a.str > b.str ? 1 : 0));
      totalEndpoints += eps.length;
      work.push({ svc, port, name, proto, chains: serviceChains(name, proto), eps });
    }
  }
  const largeCluster = totalEndpoints > LARGE_CLUSTER_ENDPOINTS;
  const withComment = (args: string[], comment: string): string[] =>
    largeCluster ? args : [...args, '-m', 'comment', '--comment', comment];

  const rendered: RenderedService[] = [];
  for (const { svc, port, name, proto, chains, eps } of work) {
    const nodePort = svc.type === 'NodePort' || svc.type === 'LoadBalancer' ? (port.nodePort ?? 0) : 0;
    const externalIPs = svc.externalIPs.filter(isIPv4);
    const lbVIPs =
      svc.type === 'LoadBalancer'
        ? svc.loadBalancerIngress
            .filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== 'Proxy')
            .map((i) => i.ip as string)
        : [];
    const sourceRanges = svc.loadBalancerSourceRanges
      .map((r) => r.trim())
      .filter((r) => {
        const c = parseCidr(r);
        return c !== undefined && c.family === 4 && r.includes('/');
      });
    const externallyAccessible = nodePort !== 0 || lbVIPs.length > 0 || externalIPs.length > 0;
    const internalPolicyLocal = svc.internalTrafficPolicy === 'Local';
    const externalPolicyLocal =
      (svc.type === 'NodePort' || svc.type === 'LoadBalancer') && svc.externalTrafficPolicy === 'Local';
    const usesClusterEndpoints = !internalPolicyLocal || externallyAccessible;
    const usesLocalEndpoints = internalPolicyLocal || (externalPolicyLocal && externallyAccessible);
    const useTopology = usesClusterEndpoints && canUseTopology(svc, eps, zone);
    const cat = categorize(eps, usesClusterEndpoints, usesLocalEndpoints, useTopology, zone);
    const hasEndpoints = cat.hasAny;

    const clusterPolicyChain = chains.svc;
    const usesClusterPolicyChain = cat.cluster.length > 0 && usesClusterEndpoints;
    const localPolicyChain = chains.svl;
    const usesLocalPolicyChain = cat.local.length > 0 && usesLocalEndpoints;

    let internalPolicyChain = clusterPolicyChain;
    let hasInternalEndpoints = hasEndpoints;
    if (internalPolicyLocal) {
      internalPolicyChain = localPolicyChain;
      if (cat.local.length === 0) hasInternalEndpoints = false;
    }
    const internalTrafficChain = internalPolicyChain;
    let externalPolicyChain = clusterPolicyChain;
    let hasExternalEndpoints = hasEndpoints;
    if (externalPolicyLocal) {
      externalPolicyChain = localPolicyChain;
      if (cat.local.length === 0) hasExternalEndpoints = false;
    }
    const externalTrafficChain = chains.ext;
    const usesExternalTrafficChain = hasEndpoints && externallyAccessible;
    let loadBalancerTrafficChain = externalTrafficChain;
    const usesFWChain = hasEndpoints && lbVIPs.length > 0 && sourceRanges.length > 0;
    if (usesFWChain) loadBalancerTrafficChain = chains.fw;

    let internalFilterTarget = '';
    let internalFilterComment = '';
    let externalFilterTarget = '';
    let externalFilterComment = '';
    if (!hasEndpoints) {
      internalFilterTarget = 'REJECT';
      internalFilterComment = q(`${name} has no endpoints`);
      externalFilterTarget = 'REJECT';
      externalFilterComment = internalFilterComment;
    } else {
      if (!hasInternalEndpoints) {
        internalFilterTarget = 'DROP';
        internalFilterComment = q(`${name} has no local endpoints`);
      }
      if (!hasExternalEndpoints) {
        externalFilterTarget = 'DROP';
        externalFilterComment = q(`${name} has no local endpoints`);
      }
    }
    const protoArgs = ['-m', proto, '-p', proto];
    const sPort = String(port.port);
    // The shape of every rule that matches this Service port at one address.
    const toPort = (rules: Lines, chain: string, comment: string, ip: string, target: string) =>
      rules.write(
        '-A',
        chain,
        '-m',
        'comment',
        '--comment',
        comment,
        protoArgs,
        '-d',
        ip,
        '--dport',
        sPort,
        '-j',
        target,
      );

    if (hasInternalEndpoints) {
      toPort(natRules, 'KUBE-SERVICES', q(`${name} cluster IP`), svc.clusterIP, internalTrafficChain);
    } else {
      toPort(filterRules, 'KUBE-SERVICES', internalFilterComment, svc.clusterIP, internalFilterTarget);
    }
    for (const ip of externalIPs) {
      if (hasEndpoints) {
        toPort(natRules, 'KUBE-SERVICES', q(`${name} external IP`), ip, externalTrafficChain);
      }
      if (!hasExternalEndpoints) {
        toPort(filterRules, 'KUBE-EXTERNAL-SERVICES', externalFilterComment, ip, externalFilterTarget);
      }
    }
    for (const ip of lbVIPs) {
      if (hasEndpoints) {
        toPort(natRules, 'KUBE-SERVICES', q(`${name} loadbalancer IP`), ip, loadBalancerTrafficChain);
      }
      if (usesFWChain) {
        toPort(
          filterRules,
          'KUBE-PROXY-FIREWALL',
          q(`${name} traffic not accepted by ${chains.fw}`),
          ip,
          'DROP',
        );
      }
    }
    if (!hasExternalEndpoints) {
      for (const ip of lbVIPs) {
        toPort(filterRules, 'KUBE-EXTERNAL-SERVICES', externalFilterComment, ip, externalFilterTarget);
      }
    }
    if (nodePort !== 0) {
      if (hasEndpoints) {
        if (localhostNodePorts && nfacct) {
          natRules.write(
            '-A',
            'KUBE-NODEPORTS',
            '-m',
            'comment',
            '--comment',
            name,
            protoArgs,
            '-d',
            '127.0.0.0/8',
            '--dport',
            String(nodePort),
            '-m',
            'nfacct',
            '--nfacct-name',
            'localhost_nps_accepted_pkts',
            '-j',
            externalTrafficChain,
          );
        }
        natRules.write(
          '-A',
          'KUBE-NODEPORTS',
          '-m',
          'comment',
          '--comment',
          name,
          protoArgs,
          '--dport',
          String(nodePort),
          '-j',
          externalTrafficChain,
        );
      }
      if (!hasExternalEndpoints) {
        filterRules.write(
          '-A',
          'KUBE-EXTERNAL-SERVICES',
          '-m',
          'comment',
          '--comment',
          externalFilterComment,
          '-m',
          'addrtype',
          '--dst-type',
          'LOCAL',
          protoArgs,
          '--dport',
          String(nodePort),
          '-j',
          externalFilterTarget,
        );
      }
    }
    if (svc.healthCheckNodePort && svc.healthCheckNodePort !== 0) {
      filterRules.write(
        '-A',
        'KUBE-NODEPORTS',
        '-m',
        'comment',
        '--comment',
        q(`${name} health check node port`),
        '-m',
        'tcp',
        '-p',
        'tcp',
        '--dport',
        String(svc.healthCheckNodePort),
        '-j',
        'ACCEPT',
      );
    }

    if (hasInternalEndpoints) {
      const args = [
        '-m',
        'comment',
        '--comment',
        q(`${name} cluster IP`),
        ...protoArgs,
        '-d',
        svc.clusterIP,
        '--dport',
        sPort,
      ];
      if (masqueradeAll) natRules.write('-A', internalTrafficChain, args, '-j', 'KUBE-MARK-MASQ');
      else if (detector)
        natRules.write('-A', internalTrafficChain, args, detector.ifNotLocal, '-j', 'KUBE-MARK-MASQ');
    }
    if (usesExternalTrafficChain) {
      natChains.push(externalTrafficChain);
      if (!externalPolicyLocal) {
        natRules.write(
          '-A',
          externalTrafficChain,
          '-m',
          'comment',
          '--comment',
          q(`masquerade traffic for ${name} external destinations`),
          '-j',
          'KUBE-MARK-MASQ',
        );
      } else {
        if (detector) {
          natRules.write(
            '-A',
            externalTrafficChain,
            '-m',
            'comment',
            '--comment',
            q(`pod traffic for ${name} external destinations`),
            detector.ifLocal,
            '-j',
            clusterPolicyChain,
          );
        }
        natRules.write(
          '-A',
          externalTrafficChain,
          '-m',
          'comment',
          '--comment',
          q(`masquerade LOCAL traffic for ${name} external destinations`),
          '-m',
          'addrtype',
          '--src-type',
          'LOCAL',
          '-j',
          'KUBE-MARK-MASQ',
        );
        natRules.write(
          '-A',
          externalTrafficChain,
          '-m',
          'comment',
          '--comment',
          q(`route LOCAL traffic for ${name} external destinations`),
          '-m',
          'addrtype',
          '--src-type',
          'LOCAL',
          '-j',
          clusterPolicyChain,
        );
      }
      if (hasExternalEndpoints) natRules.write('-A', externalTrafficChain, '-j', externalPolicyChain);
    }
    if (usesFWChain) {
      natChains.push(chains.fw);
      const args = ['-A', chains.fw, '-m', 'comment', '--comment', q(`${name} loadbalancer IP`)];
      let allowFromNode = false;
      const nodeAddr = nodeIP ? parseAddr(nodeIP) : undefined;
      for (const r of sourceRanges) {
        natRules.write(args, '-s', r, '-j', externalTrafficChain);
        const c = parseCidr(r);
        if (c && nodeAddr && cidrContains(c, nodeAddr)) allowFromNode = true;
      }
      if (allowFromNode) for (const ip of lbVIPs) natRules.write(args, '-s', ip, '-j', externalTrafficChain);
      natRules.write(
        '-A',
        chains.fw,
        '-m',
        'comment',
        '--comment',
        q(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`),
      );
    }
    const affinity = svc.sessionAffinity === 'ClientIP';
    const sticky = String(svc.sessionAffinityTimeoutSeconds ?? 10800);
    const writeServiceToEndpoint = (chain: string, endpoints: Ep[]): void => {
      if (affinity) {
        for (const ep of endpoints) {
          natRules.write(
            withComment(['-A', chain], q(`${name} -> ${ep.str}`)),
            '-m',
            'recent',
            '--name',
            ep.chain,
            '--rcheck',
            '--seconds',
            sticky,
            '--reap',
            '-j',
            ep.chain,
          );
        }
      }
      endpoints.forEach((ep, i) => {
        const args = withComment(['-A', chain], q(`${name} -> ${ep.str}`));
        if (i < endpoints.length - 1) {
          args.push(
            '-m',
            'statistic',
            '--mode',
            'random',
            '--probability',
            probability(endpoints.length - i),
          );
        }
        natRules.write(args, '-j', ep.chain);
      });
    };
    if (usesClusterPolicyChain) {
      natChains.push(clusterPolicyChain);
      writeServiceToEndpoint(clusterPolicyChain, cat.cluster);
    }
    if (usesLocalPolicyChain) {
      natChains.push(localPolicyChain);
      writeServiceToEndpoint(localPolicyChain, cat.local);
    }
    const endpointChains: Record<string, string> = {};
    for (const ep of cat.all) {
      natChains.push(ep.chain);
      endpointChains[ep.str] = ep.chain;
      const args = withComment(['-A', ep.chain], name);
      natRules.write(args, '-s', ep.ip, '-j', 'KUBE-MARK-MASQ');
      const dnat = [...args];
      if (affinity) dnat.push('-m', 'recent', '--name', ep.chain, '--set');
      natRules.write(dnat, ...protoArgs, '-j', 'DNAT', '--to-destination', ep.str);
    }
    rendered.push({
      namespace: svc.meta.namespace,
      name: svc.meta.name,
      portName: name,
      protocol: proto,
      clusterIP: svc.clusterIP,
      port: port.port,
      ...(nodePort ? { nodePort } : {}),
      chains,
      usesClusterChain: usesClusterPolicyChain,
      usesLocalChain: usesLocalPolicyChain,
      usesExternalChain: usesExternalTrafficChain,
      usesFirewallChain: usesFWChain,
      hasEndpoints,
      clusterEndpoints: usesClusterPolicyChain ? cat.cluster.map((e) => e.str) : [],
      localEndpoints: usesLocalPolicyChain ? cat.local.map((e) => e.str) : [],
      endpointChains,
    });
  }

  const npComment = q('kubernetes service nodeports; NOTE: this must be the last rule in this chain');
  if (matchAll) {
    const dest = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    if (!localhostNodePorts) dest.push('!', '-d', '127.0.0.0/8');
    natRules.write(
      '-A',
      'KUBE-SERVICES',
      '-m',
      'comment',
      '--comment',
      npComment,
      dest,
      '-j',
      'KUBE-NODEPORTS',
    );
  } else {
    const addrs = new Set<string>();
    const ifaceAddrs = opts.interfaceAddresses ?? node?.addresses.map((a) => a.address) ?? [];
    for (const entry of nodePortAddresses) {
      if (entry === 'primary') {
        if (nodeIP) addrs.add(nodeIP);
        continue;
      }
      const c = parseCidr(entry);
      for (const a of ifaceAddrs) {
        const pa = parseAddr(a);
        if (c && pa && cidrContains(c, pa)) addrs.add(a);
      }
      if (c && cidrContains(c, loopback) && localhostNodePorts) addrs.add('127.0.0.1');
    }
    for (const ip of addrs) {
      if (ip.startsWith('127.') && !localhostNodePorts) continue;
      natRules.write(
        '-A',
        'KUBE-SERVICES',
        '-m',
        'comment',
        '--comment',
        npComment,
        '-d',
        ip,
        '-j',
        'KUBE-NODEPORTS',
      );
    }
  }
  if (!opts.conntrackTCPLiberal) {
    filterRules.write(
      '-A',
      'KUBE-FORWARD',
      '-m',
      'conntrack',
      '--ctstate',
      'INVALID',
      nfacct ? ['-m', 'nfacct', '--nfacct-name', 'ct_state_invalid_dropped_pkts'] : [],
      '-j',
      'DROP',
    );
  }
  filterRules.write(
    '-A',
    'KUBE-FORWARD',
    '-m',
    'comment',
    '--comment',
    q('kubernetes forwarding rules'),
    '-m',
    'mark',
    '--mark',
    `${mark}/${mark}`,
    '-j',
    'ACCEPT',
  );
  filterRules.write(
    '-A',
    'KUBE-FORWARD',
    '-m',
    'comment',
    '--comment',
    q('kubernetes forwarding conntrack rule'),
    '-m',
    'conntrack',
    '--ctstate',
    'RELATED,ESTABLISHED',
    '-j',
    'ACCEPT',
  );

  const text = assemble(filterChains, filterRules.lines, natChains, natRules.lines, localhostNodePorts);
  return { text, services: rendered, ...(nodeIP ? { nodeIP } : {}), masqueradeMark: mark };
}

/** Zone hints per endpoint address (first address, as kube-proxy reads slices). */
function zoneHints(snapshot: Snapshot, svc: Service): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of snapshot.endpointSlicesFor(svc.meta.namespace, svc.meta.name)) {
    for (const e of s.endpoints) {
      const ip = e.addresses[0];
      if (ip && !out.has(ip)) out.set(ip, e.hintsForZones);
    }
  }
  return out;
}

// The jump rules kube-proxy keeps in the built-in chains (iptablesJumpChains). Each is
// prepended, so the last one ensured ends up first; kubelet's KUBE-FIREWALL jumps predate them.
const JUMPS: { table: string; chain: string; target: string; comment: string; extra: string[] }[] = [
  {
    table: 'filter',
    chain: 'INPUT',
    target: 'KUBE-EXTERNAL-SERVICES',
    comment: 'kubernetes externally-visible service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    target: 'KUBE-EXTERNAL-SERVICES',
    comment: 'kubernetes externally-visible service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    chain: 'INPUT',
    target: 'KUBE-NODEPORTS',
    comment: 'kubernetes health check service ports',
    extra: [],
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    target: 'KUBE-SERVICES',
    comment: 'kubernetes service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    chain: 'OUTPUT',
    target: 'KUBE-SERVICES',
    comment: 'kubernetes service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    target: 'KUBE-FORWARD',
    comment: 'kubernetes forwarding rules',
    extra: [],
  },
  {
    table: 'filter',
    chain: 'INPUT',
    target: 'KUBE-PROXY-FIREWALL',
    comment: 'kubernetes load balancer firewall',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    chain: 'OUTPUT',
    target: 'KUBE-PROXY-FIREWALL',
    comment: 'kubernetes load balancer firewall',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    target: 'KUBE-PROXY-FIREWALL',
    comment: 'kubernetes load balancer firewall',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'nat',
    chain: 'OUTPUT',
    target: 'KUBE-SERVICES',
    comment: 'kubernetes service portals',
    extra: [],
  },
  {
    table: 'nat',
    chain: 'PREROUTING',
    target: 'KUBE-SERVICES',
    comment: 'kubernetes service portals',
    extra: [],
  },
  {
    table: 'nat',
    chain: 'POSTROUTING',
    target: 'KUBE-POSTROUTING',
    comment: 'kubernetes postrouting rules',
    extra: [],
  },
];

function builtinRules(table: string, kubeletFirewall: boolean): string[] {
  const out: string[] = [];
  const chains =
    table === 'filter' ? ['INPUT', 'FORWARD', 'OUTPUT'] : ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
  for (const chain of chains) {
    const jumps = JUMPS.filter((j) => j.table === table && j.chain === chain).reverse();
    for (const j of jumps)
      out.push(
        ['-A', chain, ...j.extra, '-m', 'comment', '--comment', q(j.comment), '-j', j.target].join(' '),
      );
    if (table === 'filter' && kubeletFirewall && (chain === 'INPUT' || chain === 'OUTPUT'))
      out.push(`-A ${chain} -j KUBE-FIREWALL`);
  }
  return out;
}

/** Groups rules by chain, as iptables-save prints a table. */
function assemble(
  filterChains: string[],
  filterRules: string[],
  natChains: string[],
  natRules: string[],
  kubeletFirewall: boolean,
): string {
  const table = (name: string, builtins: string[], chains: string[], rules: string[]): string[] => {
    const unique = [...new Set(chains)];
    const byChain = new Map<string, string[]>(unique.map((c) => [c, []]));
    for (const r of rules) {
      const chain = r.split(' ', 2)[1] ?? '';
      let list = byChain.get(chain);
      if (!list) {
        // A rule for a chain never declared: kube-proxy's restore would fail; show it anyway.
        list = [];
        byChain.set(chain, list);
        unique.push(chain);
      }
      list.push(r);
    }
    return [
      `*${name}`,
      ...builtins.map((b) => `:${b} ACCEPT [0:0]`),
      ...unique.map((c) => `:${c} - [0:0]`),
      ...builtinRules(name, kubeletFirewall),
      ...unique.flatMap((c) => byChain.get(c) ?? []),
      'COMMIT',
    ];
  };
  return `${[
    ...table('filter', ['INPUT', 'FORWARD', 'OUTPUT'], filterChains, filterRules),
    ...table('nat', ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], natChains, natRules),
  ].join('\n')}\n`;
}
