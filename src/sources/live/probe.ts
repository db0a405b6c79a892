// Active probes (`diagnose --probe`, opt-in): one short-lived pod tries the addresses a client
// would use — ClusterIP, DNS name, Pod IP:targetPort, NodePort on its own and another node, the
// LB address — and its results come back as Observations. The pod is the only thing svcdoctor
// ever writes: it is labelled, bounded by activeDeadlineSeconds, and deleted on success,
// failure, timeout and interruption; a later run deletes leftovers of runs that were killed.
//
// The pod reports through its termination message (pod status), so reading the result needs
// only `get pods`, not `pods/log`.

import { randomBytes } from 'node:crypto';
import { SvcdoctorError } from '../../errors.js';
import { formatClient, type Question } from '../../model/question.js';
import { Snapshot } from '../../model/snapshot.js';
import type { Observation, ObservationResult, Service, SnapshotData } from '../../model/types.js';
import { KubeClient, type KubeClientOptions, statusMessage } from './client.js';
import { type KubeconfigOptions, type LoadedKubeconfig, loadKubeconfig } from './kubeconfig.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'svcdoctor';
const RUN_LABEL = 'svcdoctor.io/probe-run';
const EXPIRES_ANNOTATION = 'svcdoctor.io/expires-at';
export const DEFAULT_PROBE_IMAGE = 'busybox:1.36';
/** Results travel in the termination message, which the kubelet caps at 4096 bytes (~140 per line). */
export const MAX_TARGETS = 24;

export interface ProbeTarget {
  /** Observation.to: `IP:PORT/tcp` or a DNS name. */
  to: string;
  type: 'tcp' | 'dns';
  host: string;
  port?: number;
  /** What this address is, for the detail line (clusterip, nodeport-own-node, ...). */
  label: string;
}

export interface ProbeOptions extends KubeconfigOptions, KubeClientOptions {
  loaded?: LoadedKubeconfig;
  namespace: string;
  targets: ProbeTarget[];
  image?: string;
  /** Run the pod on this node (reproduces "same node" / "other node" cases). */
  node?: string;
  /** Probe from the node's network namespace (client node/NAME). */
  hostNetwork?: boolean;
  /** Seconds each connection attempt may take. */
  connectTimeoutSeconds?: number;
  /** Seconds the whole probe may take, pod start included; also the pod's activeDeadlineSeconds. */
  deadlineSeconds?: number;
  pollMs?: number;
  /** Observation.from for the results (default: the probe pod, or node/NAME with hostNetwork). */
  from?: string;
  /** Aborting (Ctrl-C) stops waiting; the pod is deleted before runProbe rejects. */
  signal?: AbortSignal;
}

export interface ProbeRun {
  observations: Observation[];
  pod: string;
  node?: string;
  /** Leftover probe pods of earlier runs that were deleted first. */
  cleaned: string[];
}

// ---------------------------------------------------------------- targets

/**
 * The addresses to try for one Service. Pod IPs are limited to a few endpoints: the probe is
 * about paths, not about every backend.
 */
export function probeTargets(
  snapshot: Snapshot,
  service: Service,
  options: { port?: number | string; node?: string } = {},
): ProbeTarget[] {
  const ns = service.meta.namespace;
  const want = options.port;
  const matching = service.ports.filter((p) => p.port === want || p.nodePort === want || p.name === want);
  // A port that names nothing on the Service: probe them all rather than nothing.
  const ports = want !== undefined && matching.length > 0 ? matching : service.ports;
  const tcp = ports.filter((p) => p.protocol === 'TCP');
  const targets: ProbeTarget[] = [];
  const add = (t: ProbeTarget) => {
    if (targets.length < MAX_TARGETS && !targets.some((x) => x.to === t.to)) targets.push(t);
  };
  const domain = snapshot.data.dns?.clusterDomain ?? 'cluster.local';
  add({
    to: `${service.meta.name}.${ns}.svc.${domain}`,
    type: 'dns',
    host: `${service.meta.name}.${ns}.svc.${domain}`,
    label: 'dns',
  });
  for (const p of tcp) {
    if (service.clusterIP && service.clusterIP !== 'None')
      add({
        to: `${service.clusterIP}:${p.port}/tcp`,
        type: 'tcp',
        host: service.clusterIP,
        port: p.port,
        label: 'clusterip',
      });
    for (const lb of service.loadBalancerIngress)
      if (lb.ip)
        add({ to: `${lb.ip}:${p.port}/tcp`, type: 'tcp', host: lb.ip, port: p.port, label: 'loadbalancer' });
    if (p.nodePort) {
      const own = options.node ? snapshot.data.nodes.find((n) => n.meta.name === options.node) : undefined;
      const other = snapshot.data.nodes.find((n) => n.meta.name !== options.node && n.internalIPs.length > 0);
      if (own?.internalIPs[0])
        add({
          to: `${own.internalIPs[0]}:${p.nodePort}/tcp`,
          type: 'tcp',
          host: own.internalIPs[0],
          port: p.nodePort,
          label: 'nodeport-own-node',
        });
      if (other?.internalIPs[0])
        add({
          to: `${other.internalIPs[0]}:${p.nodePort}/tcp`,
          type: 'tcp',
          host: other.internalIPs[0],
          port: p.nodePort,
          label: 'nodeport-other-node',
        });
    }
    // Pod IP:targetPort for up to three selected pods that have an IP.
    if (service.selector) {
      const pods = snapshot.data.pods
        .filter((pod) => pod.meta.namespace === ns && pod.podIP && !pod.hostNetwork)
        .filter((pod) => Object.entries(service.selector ?? {}).every(([k, v]) => pod.meta.labels[k] === v))
        .slice(0, 3);
      for (const pod of pods) {
        const target =
          typeof p.targetPort === 'number'
            ? p.targetPort
            : pod.containers.flatMap((c) => c.ports).find((cp) => cp.name === p.targetPort)?.containerPort;
        if (target !== undefined && pod.podIP)
          add({
            to: `${pod.podIP}:${target}/tcp`,
            type: 'tcp',
            host: pod.podIP,
            port: target,
            label: `pod/${ns}/${pod.meta.name}`,
          });
      }
    }
  }
  return targets;
}

export interface ProbePlan {
  namespace: string;
  node?: string;
  hostNetwork: boolean;
  targets: ProbeTarget[];
  /** Observation.from when the probe stands where the question's client stands. */
  from?: string;
  /** Why the probe cannot stand exactly where the client does, if so. */
  caveat?: string;
}

/**
 * Where to run the probe so it reproduces the question's client: on a backend's node or on a
 * node without backends, in the pod network or the node's own (hostNetwork). Internet and VPC
 * clients cannot be reproduced from inside the cluster; their probe runs in a pod and says so.
 */
export function planProbe(
  snapshot: Snapshot,
  service: Service,
  question: Question,
  overrides: { namespace?: string; node?: string } = {},
): ProbePlan {
  const backendNodes = new Set(
    snapshot.data.pods
      .filter((p) => p.meta.namespace === service.meta.namespace && p.nodeName && service.selector)
      .filter((p) => Object.entries(service.selector ?? {}).every(([k, v]) => p.meta.labels[k] === v))
      .map((p) => p.nodeName as string),
  );
  const nodes = snapshot.data.nodes
    .filter((n) => n.ready !== false && !n.unschedulable)
    .map((n) => n.meta.name);
  const backendNode = nodes.find((n) => backendNodes.has(n));
  const otherNode = nodes.find((n) => !backendNodes.has(n));
  const c = question.client;
  let node: string | undefined;
  let hostNetwork = false;
  let from: string | undefined = formatClient(c);
  let caveat: string | undefined;
  switch (c.kind) {
    case 'same-node-as-backend':
      node = backendNode;
      hostNetwork = true;
      break;
    case 'pod-on-backend-node':
      node = backendNode;
      break;
    case 'other-node':
      node = otherNode;
      hostNetwork = true;
      break;
    case 'pod-on-other-node':
      node = otherNode;
      break;
    case 'node':
      node = c.node;
      hostNetwork = true;
      break;
    case 'pod': {
      node = snapshot.data.pods.find(
        (p) => p.meta.namespace === c.namespace && p.meta.name === c.name,
      )?.nodeName;
      from = undefined;
      caveat = `the probe runs on ${c.name}'s node but not with its labels: NetworkPolicies that select ${c.name} do not apply to it`;
      break;
    }
    default:
      from = undefined;
      caveat = `a ${c.kind} client cannot be reproduced from inside the cluster: the probe shows in-cluster paths only`;
  }
  if (overrides.node) node = overrides.node;
  const port = question.port ?? question.address?.port;
  return {
    namespace: overrides.namespace ?? service.meta.namespace,
    ...(node ? { node } : {}),
    hostNetwork,
    targets: probeTargets(snapshot, service, {
      ...(port !== undefined ? { port } : {}),
      ...(node ? { node } : {}),
    }),
    ...(from ? { from } : {}),
    ...(caveat ? { caveat } : {}),
  };
}

// ---------------------------------------------------------------- the pod

const SAFE = /^[A-Za-z0-9.:_/-]+$/;

/**
 * A busybox sh script: one line per target `to<TAB>result<TAB>detail` into the termination
 * message (kept under the kubelet's 4096-byte limit by truncating details).
 */
export function probeScript(connectTimeout: number): string {
  // Targets are tried in parallel (one background job each) so the pod's run time is one
  // connect timeout, not one per target; each result line is a single short append.
  return [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
    'out=${PROBE_OUT:-/dev/termination-log}',
    ': > $out',
    'probe() {',
    '  type=$1; host=$2; port=$3; to=$4',
    '  if [ "$type" = dns ]; then',
    `    msg=$(timeout ${connectTimeout} nslookup "$host" 2>&1); rc=$?`,
    '    if [ $rc -eq 0 ]; then r=ok',
    '    elif echo "$msg" | grep -qiE "SERVFAIL|REFUSED|timed out|no servers"; then r=dns-timeout',
    '    elif echo "$msg" | grep -qiE "NXDOMAIN|can.t find|not found"; then r=dns-nxdomain',
    '    else r=dns-timeout; fi',
    '  else',
    `    msg=$(timeout ${connectTimeout + 1} nc -w ${connectTimeout} "$host" "$port" </dev/null 2>&1); rc=$?`,
    '    if [ $rc -eq 0 ]; then r=ok',
    '    elif echo "$msg" | grep -qi refused; then r=refused',
    '    elif echo "$msg" | grep -qiE "no route|unreachable"; then r=no-route',
    '    elif echo "$msg" | grep -qi reset; then r=reset',
    '    else r=timeout; fi',
    '  fi',
    '  d=$(echo "$msg" | tr "\\t\\n" "  " | cut -c1-80)',
    '  printf "%s\\t%s\\t%s\\n" "$to" "$r" "$d" >> $out',
    '}',
    'echo "$TARGETS" | {',
    '  while IFS=" " read -r type host port to; do',
    '    [ -n "$type" ] && probe "$type" "$host" "$port" "$to" &',
    '  done',
    '  wait',
    '}',
    'cat $out',
  ].join('\n');
}

export function probePod(options: {
  namespace: string;
  runId: string;
  image: string;
  targets: ProbeTarget[];
  node?: string;
  hostNetwork?: boolean;
  connectTimeoutSeconds: number;
  deadlineSeconds: number;
  now: Date;
}): Record<string, unknown> {
  for (const t of options.targets)
    if (!SAFE.test(t.host) || !SAFE.test(t.to))
      throw new SvcdoctorError(
        'SVCDOCTOR_USAGE',
        `probe target ${JSON.stringify(t.to)} has characters a probe will not pass to a shell`,
      );
  const targets = options.targets.map((t) => `${t.type} ${t.host} ${t.port ?? 0} ${t.to}`).join('\n');
  const expires = new Date(options.now.getTime() + options.deadlineSeconds * 1000).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'svcdoctor-probe-',
      namespace: options.namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY,
        'app.kubernetes.io/name': 'svcdoctor-probe',
        [RUN_LABEL]: options.runId,
      },
      annotations: { [EXPIRES_ANNOTATION]: expires },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: options.deadlineSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(options.node ? { nodeName: options.node } : {}),
      ...(options.hostNetwork ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
      // A probe on a chosen node must run there even if the node is tainted.
      ...(options.node ? { tolerations: [{ operator: 'Exists' }] } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'probe',
          image: options.image,
          command: ['sh', '-c', probeScript(options.connectTimeoutSeconds)],
          env: [{ name: 'TARGETS', value: targets }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
}

const RESULTS = new Set(['ok', 'refused', 'timeout', 'reset', 'no-route', 'dns-nxdomain', 'dns-timeout']);

/** Termination message → Observations (unknown lines are skipped: the pod is not trusted blindly). */
export function parseProbeOutput(
  text: string,
  from: string,
  at: string,
  label: Map<string, string>,
): Observation[] {
  const out: Observation[] = [];
  const order = [...label.keys()];
  for (const line of text.split('\n')) {
    const [to, result, detail] = line.split('\t');
    if (!to || !result || !RESULTS.has(result) || !label.has(to)) continue;
    const what = label.get(to);
    out.push({
      at,
      from,
      to,
      result: result as ObservationResult,
      detail: `svcdoctor probe (${what})${detail?.trim() ? `: ${detail.trim()}` : ''}`,
      origin: { file: 'probe' },
    });
  }
  // Targets ran in parallel: put results back in the order they were asked for.
  out.sort((a, b) => order.indexOf(a.to) - order.indexOf(b.to));
  return out;
}

// ---------------------------------------------------------------- running

const podsPath = (ns: string, name?: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/pods${name ? `/${encodeURIComponent(name)}` : ''}`;

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

async function deletePod(client: KubeClient, ns: string, name: string): Promise<void> {
  const resp = await client.request('DELETE', podsPath(ns, name), { query: { gracePeriodSeconds: 0 } });
  if (resp.status !== 200 && resp.status !== 202 && resp.status !== 404) {
    throw new SvcdoctorError(
      'SVCDOCTOR_PROBE_FAILED',
      `could not delete probe pod ${ns}/${name}: HTTP ${resp.status} ${statusMessage(resp.body) ?? ''}`.trim(),
      {
        hint: `delete it by hand: kubectl delete pod -n ${ns} ${name}`,
      },
    );
  }
}

/**
 * Deletes probe pods left by earlier runs that were killed before they could clean up: every
 * labelled pod that has finished or outlived its deadline. Pods of a run still in progress
 * (another svcdoctor at the same time) are left alone.
 */
export async function cleanupLeftovers(
  client: KubeClient,
  ns: string,
  now = new Date(),
  exceptRun?: string,
): Promise<string[]> {
  const resp = await client.request('GET', podsPath(ns), {
    query: { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` },
  });
  if (resp.status !== 200) return [];
  const items = isObj(resp.body) && Array.isArray(resp.body.items) ? resp.body.items : [];
  const deleted: string[] = [];
  for (const p of items) {
    if (!isObj(p) || !isObj(p.metadata)) continue;
    const meta = p.metadata;
    const labels = isObj(meta.labels) ? meta.labels : {};
    if (labels[MANAGED_BY_LABEL] !== MANAGED_BY || typeof meta.name !== 'string') continue;
    if (exceptRun && labels[RUN_LABEL] === exceptRun) continue;
    const phase = isObj(p.status) ? p.status.phase : undefined;
    const expires = isObj(meta.annotations) ? meta.annotations[EXPIRES_ANNOTATION] : undefined;
    const expired =
      typeof expires !== 'string' ||
      Number.isNaN(Date.parse(expires)) ||
      Date.parse(expires) <= now.getTime();
    if (phase === 'Succeeded' || phase === 'Failed' || expired) {
      await deletePod(client, ns, meta.name);
      deleted.push(meta.name);
    }
  }
  return deleted;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function waitingReason(pod: Raw): string | undefined {
  const st = isObj(pod.status) ? pod.status : {};
  const cs = Array.isArray(st.containerStatuses) ? st.containerStatuses : [];
  for (const c of cs) {
    const w = isObj(c) && isObj(c.state) && isObj(c.state.waiting) ? c.state.waiting : undefined;
    if (w && typeof w.reason === 'string') return w.reason;
  }
  return undefined;
}

/** ": Unschedulable: 0/3 nodes are available..." when the scheduler said why. */
function unscheduled(pod: Raw): string {
  const st = isObj(pod.status) ? pod.status : {};
  const conds = Array.isArray(st.conditions) ? st.conditions : [];
  const c = conds.find((x) => isObj(x) && x.type === 'PodScheduled' && x.status === 'False');
  return isObj(c) ? `: ${String(c.reason ?? 'not scheduled')}: ${String(c.message ?? '')}`.trimEnd() : '';
}

function terminationMessage(pod: Raw): string {
  const st = isObj(pod.status) ? pod.status : {};
  const cs = Array.isArray(st.containerStatuses) ? st.containerStatuses : [];
  for (const c of cs) {
    const t = isObj(c) && isObj(c.state) && isObj(c.state.terminated) ? c.state.terminated : undefined;
    if (t && typeof t.message === 'string') return t.message;
  }
  return '';
}

/** Runs one probe pod and returns what it saw. The pod is gone when this settles, whatever happened. */
export async function runProbe(options: ProbeOptions): Promise<ProbeRun> {
  if (options.targets.length === 0)
    throw new SvcdoctorError('SVCDOCTOR_USAGE', 'nothing to probe: the Service has no address to try');
  const loaded = options.loaded ?? loadKubeconfig(options);
  const client = new KubeClient(loaded, options);
  const runId = randomBytes(4).toString('hex');
  try {
    return await probeWith(client, options, runId);
  } finally {
    await client.close();
  }
}

async function probeWith(client: KubeClient, options: ProbeOptions, runId: string): Promise<ProbeRun> {
  const ns = options.namespace;
  const connectTimeout = options.connectTimeoutSeconds ?? 3;
  // Pod start (image pull, scheduling) dominates; the targets themselves run in parallel.
  const deadline = options.deadlineSeconds ?? 60 + 2 * connectTimeout;
  const pollMs = options.pollMs ?? 1000;
  const cleaned = await cleanupLeftovers(client, ns, new Date(), runId);
  if (options.signal?.aborted) throw interrupted();

  const body = probePod({
    namespace: ns,
    runId,
    image: options.image ?? DEFAULT_PROBE_IMAGE,
    targets: options.targets,
    node: options.node,
    hostNetwork: options.hostNetwork,
    connectTimeoutSeconds: connectTimeout,
    deadlineSeconds: deadline,
    now: new Date(),
  });
  const created = await client.request('POST', podsPath(ns), { body });
  if (created.status === 403)
    throw new SvcdoctorError(
      'SVCDOCTOR_PROBE_FAILED',
      `not allowed to create pods in namespace ${ns}: ${statusMessage(created.body) ?? 'forbidden'}`,
      {
        hint: 'apply deploy/rbac-probe.yaml for that namespace, or pass --probe-namespace',
      },
    );
  if (created.status !== 201 && created.status !== 200)
    throw new SvcdoctorError(
      'SVCDOCTOR_PROBE_FAILED',
      `creating the probe pod failed: HTTP ${created.status} ${statusMessage(created.body) ?? ''}`.trim(),
    );
  const name = isObj(created.body) && isObj(created.body.metadata) ? String(created.body.metadata.name) : '';

  try {
    const started = Date.now();
    for (;;) {
      if (options.signal?.aborted) throw interrupted();
      const resp = await client.request('GET', podsPath(ns, name));
      if (resp.status === 404)
        throw new SvcdoctorError(
          'SVCDOCTOR_PROBE_FAILED',
          `probe pod ${ns}/${name} disappeared before it finished`,
        );
      const pod = isObj(resp.body) ? resp.body : {};
      const status = isObj(pod.status) ? pod.status : {};
      const phase = status.phase;
      if (phase === 'Succeeded' || phase === 'Failed') {
        const from =
          options.from ??
          (options.hostNetwork && options.node ? `node/${options.node}` : `pod/${ns}/${name}`);
        const labels = new Map(options.targets.map((t) => [t.to, t.label]));
        const observations = parseProbeOutput(
          terminationMessage(pod),
          from,
          new Date().toISOString(),
          labels,
        );
        if (observations.length === 0)
          throw new SvcdoctorError(
            'SVCDOCTOR_PROBE_FAILED',
            `probe pod ${ns}/${name} ${phase === 'Failed' ? 'failed' : 'finished'} without results${typeof status.reason === 'string' ? ` (${status.reason})` : ''}`,
            {
              hint: 'the image needs sh, nc, nslookup and timeout (busybox has them): pass --probe-image',
            },
          );
        return {
          observations,
          pod: name,
          node:
            typeof (pod.spec as Raw | undefined)?.nodeName === 'string'
              ? String((pod.spec as Raw).nodeName)
              : options.node,
          cleaned,
        };
      }
      const waiting = waitingReason(pod);
      if (waiting === 'ErrImagePull' || waiting === 'ImagePullBackOff' || waiting === 'InvalidImageName')
        throw new SvcdoctorError(
          'SVCDOCTOR_PROBE_FAILED',
          `probe image ${options.image ?? DEFAULT_PROBE_IMAGE} cannot be pulled (${waiting})`,
          {
            hint: 'pass --probe-image with an image your nodes can pull (it needs sh, nc, nslookup, timeout)',
          },
        );
      if (Date.now() - started > deadline * 1000)
        throw new SvcdoctorError(
          'SVCDOCTOR_PROBE_FAILED',
          `probe pod ${ns}/${name} did not finish within ${deadline}s (phase ${String(phase ?? 'unknown')}${unscheduled(pod)})`,
          {
            hint: 'check that the node can schedule and pull the probe image, or raise --probe-timeout',
          },
        );
      await sleep(pollMs, options.signal);
    }
  } finally {
    // Never aborted: the pod must go whatever stopped the wait.
    await deletePod(client, ns, name);
  }
}

function interrupted(): SvcdoctorError {
  return new SvcdoctorError('SVCDOCTOR_PROBE_FAILED', 'probe interrupted; the probe pod was deleted');
}

/**
 * Turns SIGINT/SIGTERM into an AbortSignal for runProbe, so the pod is deleted before the
 * process ends. The caller decides how to exit (the CLI sets exit code 130).
 */
export function abortOnSignals(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): {
  signal: AbortSignal;
  dispose: () => void;
  received: () => NodeJS.Signals | undefined;
} {
  const controller = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handler = (s: NodeJS.Signals) => {
    got = s;
    controller.abort();
  };
  for (const s of signals) process.on(s, handler);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      for (const s of signals) process.off(s, handler);
    },
  };
}

export interface DiagnosisProbeOptions extends KubeconfigOptions {
  image?: string;
  node?: string;
  namespace?: string;
  timeoutSeconds?: number;
  signal?: AbortSignal;
  /** One-line notices for the user (what the probe can and cannot reproduce). */
  onNotice?: (line: string) => void;
}

/** `diagnose --probe`: plan where the question's client stands, probe from there, return Observations. */
export async function probeForDiagnosis(
  data: SnapshotData,
  question: Question,
  options: DiagnosisProbeOptions = {},
): Promise<Observation[]> {
  const snapshot = new Snapshot(data);
  const service = snapshot.service(question.target.namespace ?? 'default', question.target.name);
  if (!service) {
    options.onNotice?.(
      `probe skipped: Service ${question.target.namespace}/${question.target.name} not found`,
    );
    return [];
  }
  const plan = planProbe(snapshot, service, question, {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.node ? { node: options.node } : {}),
  });
  if (plan.caveat) options.onNotice?.(`probe: ${plan.caveat}`);
  const run = await runProbe({
    ...options,
    namespace: plan.namespace,
    targets: plan.targets,
    ...(plan.node ? { node: plan.node } : {}),
    hostNetwork: plan.hostNetwork,
    ...(plan.from ? { from: plan.from } : {}),
    ...(options.timeoutSeconds !== undefined ? { deadlineSeconds: options.timeoutSeconds } : {}),
  });
  options.onNotice?.(
    `probe: ${run.observations.length} results from pod ${plan.namespace}/${run.pod}${run.node ? ` on ${run.node}` : ''} (deleted)`,
  );
  return run.observations;
}
