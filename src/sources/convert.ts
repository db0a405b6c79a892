// Raw objects (from files or from the API) → SnapshotData. One code path for every source,
// so live reads and collected bundles are diagnosed identically.
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { SvcdoctorError } from '../errors.js';
import { emptySnapshotData } from '../model/snapshot.js';
import type {
  CollectableKind,
  KubeProxyConfig,
  NodeDumpFiles,
  Origin,
  ProxyMode,
  SnapshotData,
} from '../model/types.js';
import { auditEntryOf } from './audit.js';
import type { BundleItem } from './documents.js';
import { parseCloudInventory, parseObservations } from './formats.js';
import { convertKube, KUBE_KINDS, type KubeObject } from './kube.js';
import { formatPath, isObject, type Path } from './reader.js';

export type { BundleItem } from './documents.js';

export const SVCDOCTOR_API = 'svcdoctor/v1alpha1';

export interface BuildOptions {
  nodeDumps?: { node: string; kind: 'iptables' | 'ipvs' | 'addr' | 'nft'; text: string; file: string }[];
  /** Kinds the source listed (live/collect), even when the list was empty. */
  listedKinds?: CollectableKind[];
}

const KIND_TO_COLLECTABLE: Record<string, CollectableKind> = {
  Service: 'Service',
  Pod: 'Pod',
  Node: 'Node',
  EndpointSlice: 'EndpointSlice',
  Endpoints: 'Endpoints',
  Namespace: 'Namespace',
  Event: 'Event',
  NetworkPolicy: 'NetworkPolicy',
  Ingress: 'Ingress',
  IngressClass: 'IngressClass',
  Deployment: 'Workload',
  DaemonSet: 'Workload',
  StatefulSet: 'Workload',
  ReplicaSet: 'Workload',
  ConfigMap: 'ConfigMap',
  Lease: 'Lease',
  ServiceCIDR: 'ServiceCIDR',
};

function where(item: BundleItem, p: Path = []): string {
  const line = item.lineOf(p) ?? item.origin.line;
  return `${item.origin.file}${line ? `:${line}` : ''}`;
}

function proxyMode(v: unknown): ProxyMode | undefined {
  if (v === '' || v === undefined || v === null) return 'iptables'; // Linux default
  return v === 'iptables' || v === 'ipvs' || v === 'nftables' || v === 'kernelspace' ? v : undefined;
}

/** kube-system/kube-proxy ConfigMap → KubeProxyConfiguration essentials. */
export function parseKubeProxyConfig(text: string, origin?: Origin): KubeProxyConfig | undefined {
  let cfg: unknown;
  try {
    cfg = parseYaml(text);
  } catch {
    return undefined;
  }
  if (!isObject(cfg)) return undefined;
  const ipt = isObject(cfg.iptables) ? cfg.iptables : {};
  const ipvs = isObject(cfg.ipvs) ? cfg.ipvs : {};
  const nodePortAddresses = Array.isArray(cfg.nodePortAddresses)
    ? cfg.nodePortAddresses.filter((s) => typeof s === 'string')
    : [];
  return {
    mode: proxyMode(cfg.mode),
    clusterCIDR: typeof cfg.clusterCIDR === 'string' && cfg.clusterCIDR ? cfg.clusterCIDR : undefined,
    nodePortAddresses,
    masqueradeAll: ipt.masqueradeAll === true,
    masqueradeBit: typeof ipt.masqueradeBit === 'number' ? ipt.masqueradeBit : 14,
    detectLocalMode:
      typeof cfg.detectLocalMode === 'string' && cfg.detectLocalMode ? cfg.detectLocalMode : undefined,
    ipvsScheduler: typeof ipvs.scheduler === 'string' && ipvs.scheduler ? ipvs.scheduler : undefined,
    ...(origin ? { origin } : {}),
  };
}

/** The cluster domain from a Corefile's `kubernetes DOMAIN ...` plugin line. */
export function clusterDomainFromCorefile(corefile: string): string | undefined {
  const m = /^\s*kubernetes\s+([^\s{]+)/m.exec(corefile);
  return m?.[1];
}

/**
 * Convert raw items into SnapshotData. Bad objects are collected (file:line: what is wrong)
 * and thrown together as one SvcdoctorError, so the user fixes everything in one pass.
 */
export function buildSnapshotData(items: BundleItem[], options: BuildOptions = {}): SnapshotData {
  const data = emptySnapshotData();
  const problems: string[] = [];
  const seen = new Map<string, BundleItem>();
  const collected = data.collected;
  const forbiddenKinds = new Set<CollectableKind>();
  for (const k of options.listedKinds ?? []) collected[k] = true;

  for (const item of items) {
    const raw = item.raw;
    if (raw === null || raw === undefined) continue;
    if (!isObject(raw)) {
      problems.push(`${where(item)}: expected a Kubernetes object (a mapping with apiVersion and kind)`);
      continue;
    }
    const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
    const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
    if (!kind) {
      problems.push(`${where(item, ['kind'])}: object has no kind`);
      continue;
    }
    if (apiVersion.startsWith('audit.k8s.io/')) {
      if (kind === 'Event') {
        // Only completed, successful writes are changes (see auditEntryOf); bad times are problems.
        try {
          const e = auditEntryOf(raw, item.origin);
          if (e) data.audit.push(e);
        } catch (err) {
          if (err instanceof SvcdoctorError) problems.push(...err.problems);
          else throw err;
        }
      }
      continue;
    }
    if (apiVersion === SVCDOCTOR_API) {
      try {
        if (kind === 'CloudInventory') {
          if (data.cloud)
            problems.push(`${where(item)}: a second CloudInventory (only one is allowed per bundle)`);
          else data.cloud = parseCloudInventory(raw, item.origin, (p) => item.lineOf(p));
          collected.CloudInventory = true;
        } else if (kind === 'Observations') {
          data.observations.push(...parseObservations(raw, item.origin, (p) => item.lineOf(p)));
          collected.Observations = true;
        } else if (kind === 'CollectManifest') {
          applyManifest(raw, data, forbiddenKinds);
        } else {
          data.ignoredKinds[`${apiVersion}/${kind}`] = (data.ignoredKinds[`${apiVersion}/${kind}`] ?? 0) + 1;
        }
      } catch (e) {
        if (e instanceof SvcdoctorError) problems.push(...e.problems);
        else throw e;
      }
      continue;
    }
    if (!KUBE_KINDS.has(kind)) {
      data.ignoredKinds[kind] = (data.ignoredKinds[kind] ?? 0) + 1;
      continue;
    }
    const { object, problems: fieldProblems } = convertKube(raw, kind, item.origin);
    if (fieldProblems.length || !object) {
      const name = isObject(raw.metadata) && typeof raw.metadata.name === 'string' ? raw.metadata.name : '?';
      for (const fp of fieldProblems)
        problems.push(`${where(item, fp.path)}: ${kind} ${name}: ${formatPath(fp.path)}: ${fp.message}`);
      continue;
    }
    const key = `${kind}/${object.meta.namespace}/${object.meta.name}`;
    const prev = seen.get(key);
    if (prev) {
      if (!isDeepStrictEqual(prev.raw, raw)) {
        const a = where(prev);
        problems.push(
          `${where(item)}: ${kind} ${object.meta.namespace ? `${object.meta.namespace}/` : ''}${object.meta.name} is defined twice with different content (also at ${a})`,
        );
      }
      continue;
    }
    seen.set(key, item);
    const ck = KIND_TO_COLLECTABLE[kind];
    if (ck) collected[ck] = true;
    add(data, object);
  }
  // A kind the collecting user was refused in some scope is incomplete, whatever was read of it.
  for (const k of forbiddenKinds) collected[k] = false;
  if (problems.length)
    throw new SvcdoctorError('SVCDOCTOR_INPUT_INVALID', problems[0] as string, {
      problems,
      hint: 'fix these objects (or leave them out of the bundle) and run again',
    });

  for (const d of options.nodeDumps ?? []) {
    let entry = data.nodeDumps.find((n) => n.node === d.node);
    if (!entry) {
      entry = { node: d.node } as NodeDumpFiles;
      data.nodeDumps.push(entry);
    }
    entry[d.kind] = { text: d.text, file: d.file };
    collected.NodeDump = true;
  }
  deriveClusterConfig(data);
  return data;
}

function add(data: SnapshotData, o: KubeObject): void {
  switch (o.kind) {
    case 'Service':
      data.services.push(o);
      break;
    case 'Pod':
      data.pods.push(o);
      break;
    case 'Node':
      data.nodes.push(o);
      break;
    case 'EndpointSlice':
      data.endpointSlices.push(o);
      break;
    case 'Endpoints':
      data.endpoints.push(o);
      break;
    case 'Namespace':
      data.namespaces.push(o);
      break;
    case 'Event':
      data.events.push(o);
      break;
    case 'NetworkPolicy':
      data.networkPolicies.push(o);
      break;
    case 'Ingress':
      data.ingresses.push(o);
      break;
    case 'IngressClass':
      data.ingressClasses.push(o);
      break;
    case 'ConfigMap':
      data.configMaps.push(o);
      break;
    case 'Lease':
      data.leases.push(o);
      break;
    case 'ServiceCIDR':
      data.serviceCIDRs.push(o);
      break;
    default:
      data.workloads.push(o);
  }
}

function applyManifest(
  raw: Record<string, unknown>,
  data: SnapshotData,
  forbiddenKinds: Set<CollectableKind>,
): void {
  if (typeof raw.collectedAt === 'string') data.takenAt = raw.collectedAt;
  if (Array.isArray(raw.collected))
    for (const k of raw.collected) if (typeof k === 'string') data.collected[k as CollectableKind] = true;
  // Kinds the collector left objects out of (unconvertible ones): incomplete, like forbidden ones.
  if (Array.isArray(raw.incomplete))
    for (const k of raw.incomplete) if (typeof k === 'string') forbiddenKinds.add(k as CollectableKind);
  if (Array.isArray(raw.forbidden))
    for (const f of raw.forbidden) {
      if (!isObject(f) || typeof f.kind !== 'string') continue;
      forbiddenKinds.add(f.kind as CollectableKind);
      data.warnings.push({
        code: 'SVCDOCTOR_FORBIDDEN',
        message: `${f.kind}: the collecting user was not allowed to list it`,
        ...(typeof f.rule === 'string' ? { hint: f.rule } : {}),
      });
    }
}

/** Cluster-level configuration that lives inside ConfigMaps. */
function deriveClusterConfig(data: SnapshotData): void {
  for (const cm of data.configMaps) {
    if (cm.meta.namespace !== 'kube-system') continue;
    if (cm.meta.name === 'kube-proxy' || cm.meta.name === 'kube-proxy-config') {
      const text = cm.data['config.conf'] ?? cm.data.config ?? cm.data['kube-proxy-config.yaml'];
      if (text) {
        const cfg = parseKubeProxyConfig(text, cm.meta.origin);
        if (cfg) data.kubeProxy = cfg;
        else
          data.warnings.push({
            code: 'SVCDOCTOR_KUBE_PROXY_CONFIG',
            message: 'kube-system/kube-proxy ConfigMap: config.conf is not valid YAML; proxy mode unknown',
            ...(cm.meta.origin ? { origin: cm.meta.origin } : {}),
          });
      }
    }
    if (cm.meta.name === 'coredns' && cm.data.Corefile) {
      data.dns = {
        clusterDomain: clusterDomainFromCorefile(cm.data.Corefile) ?? 'cluster.local',
        corefile: cm.data.Corefile,
        ...(cm.meta.origin ? { origin: cm.meta.origin } : {}),
      };
    }
  }
}
