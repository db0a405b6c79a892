import { backendsOf } from '../model/endpoints.js';
import { refOf } from '../model/snapshot.js';
import type { Node, Pod } from '../model/types.js';
import { defineCheck } from './define.js';

type NodeState = 'NotReady' | 'Unknown' | 'Cordoned';

interface NodeEntry {
  node: string;
  state: NodeState;
  endpoints: number;
}

/** The workload that owns a Pod, as `kind/name` for kubectl (Deployment through its ReplicaSet). */
function workloadOf(pod: Pod): string | undefined {
  const ref = pod.meta.ownerReferences.find((o) => o.controller) ?? pod.meta.ownerReferences[0];
  if (!ref) return undefined;
  const hash = pod.meta.labels['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`))
    return `deployment/${ref.name.slice(0, -hash.length - 1)}`;
  if (ref.kind === 'StatefulSet' || ref.kind === 'DaemonSet' || ref.kind === 'ReplicaSet')
    return `${ref.kind.toLowerCase()}/${ref.name}`;
  return undefined;
}

/** A node's trouble, or undefined when it is fine or its status was not captured. */
function stateOf(node: Node): NodeState | undefined {
  const ready = node.conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'False') return 'NotReady';
  if (ready?.status === 'Unknown') return 'Unknown';
  if (node.unschedulable) return 'Cordoned';
  return undefined;
}

// Upstream behaviour modelled here: kube-proxy does not look at node readiness at all; it
// forwards to every ready endpoint. What keeps traffic off a dead node is the node lifecycle
// controller: once a node's Ready condition stops being True (the kubelet misses heartbeats for
// node-monitor-grace-period, 40s by default) it sets the node's Pods Ready=False, and the
// endpoint controllers then publish them as not ready; eviction comes later still (the NoExecute
// taint's tolerationSeconds, 300s by default). Ready endpoints on a NotReady/Unknown node
// therefore mean the snapshot was taken inside that window or the controller could not update
// the Pods — either way kube-proxy is still sending connections to a node that likely cannot
// answer. A cordoned node is different: it still serves; only new scheduling stops.
export default defineCheck<{
  service: string;
  /** Ready endpoints, and those on a node in trouble. */
  readyEndpoints: number;
  affectedEndpoints: number;
  /** 'all': every ready endpoint sits on such a node; 'some': only part of them. */
  scope: 'all' | 'some';
  nodes: NodeEntry[];
  /** The workload owning the affected Pods (kind/name), when known: restarting it reschedules them. */
  workload?: string;
}>({
  id: 'endpoints-on-unready-nodes',
  severity: 'error',
  layer: 'node',
  confidence: 0.7,
  title: (d) => {
    const words: Record<NodeState, string> = {
      NotReady: 'NotReady',
      Unknown: 'unreachable (Unknown)',
      Cordoned: 'cordoned',
    };
    const states = [...new Set(d.nodes.map((n) => words[n.state]))].join('/');
    return d.scope === 'all'
      ? `All ${d.readyEndpoints} ready endpoints of ${d.service} are on ${states} nodes`
      : `${d.affectedEndpoints} of ${d.readyEndpoints} ready endpoints of ${d.service} are on ${states} nodes`;
  },
  docs: {
    what: 'The ready endpoints of the Service sit on nodes that are NotReady, whose status is Unknown, or that are cordoned.',
    why: 'kube-proxy forwards to every ready endpoint regardless of the node it runs on. The node lifecycle controller marks Pods on a NotReady/Unknown node not ready only after node-monitor-grace-period (40s by default), and evicts them only after the NoExecute toleration (300s by default); until then connections go to a node that probably cannot answer, so they time out. A cordoned (unschedulable) node still serves traffic, but it is usually being drained, so its Pods are about to go away; if they are the only ones, the Service will have no endpoints.',
    confirm:
      'kubectl get nodes shows NotReady or SchedulingDisabled for the nodes listed; kubectl get pods -n NS -o wide -l SELECTOR shows where the backends run; kubectl describe node NODE shows the Ready condition reason (e.g. KubeletStopPosting).',
    fix: 'Bring the node back (kubelet, container runtime, network) or let its Pods be rescheduled elsewhere (kubectl drain NODE --ignore-daemonsets --delete-emptydir-data); for a cordoned node, make sure replicas run on other nodes before draining (more replicas, a PodDisruptionBudget, topology spread) or uncordon it.',
  },
  source: [
    'upstream pkg/controller/nodelifecycle: MarkPodsNotReady when a node Ready condition leaves True; NoExecute taint eviction',
    'upstream pkg/proxy: endpoints are filtered by readiness and topology, not by node readiness',
  ],
  run({ snapshot, service, unknown }) {
    if (!service || service.type === 'ExternalName') return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    if (!snapshot.has('EndpointSlice') && !snapshot.has('Endpoints')) return []; // reported by the gaps
    const ready = backendsOf(snapshot, service).backends.filter((b) => b.ready);
    if (ready.length === 0) return []; // no ready endpoint at all is another check's finding
    if (!snapshot.has('Node')) {
      unknown(
        'Nodes not collected: node readiness and node addresses not checked',
        'kubectl get nodes -o yaml',
      );
      return [];
    }
    const byNode = new Map<string, NodeEntry>();
    let owner: string | undefined;
    let affected = 0;
    for (const b of ready) {
      const nodeName =
        b.nodeName ??
        (b.targetRef?.kind === 'Pod'
          ? snapshot.pod(b.targetRef.namespace ?? ns, b.targetRef.name)?.nodeName
          : undefined);
      const node = nodeName ? snapshot.node(nodeName) : undefined;
      if (!node) continue; // where it runs is not known: neither fine nor faulty
      const state = stateOf(node);
      if (!state) continue;
      affected++;
      const pod =
        b.targetRef?.kind === 'Pod' ? snapshot.pod(b.targetRef.namespace ?? ns, b.targetRef.name) : undefined;
      owner ??= pod ? workloadOf(pod) : undefined;
      const entry = byNode.get(node.meta.name) ?? { node: node.meta.name, state, endpoints: 0 };
      entry.endpoints++;
      byNode.set(node.meta.name, entry);
    }
    if (affected === 0) return [];
    const nodes = [...byNode.values()].sort((a, b) => a.node.localeCompare(b.node));
    const scope = affected === ready.length ? 'all' : 'some';
    const down = nodes.some((n) => n.state !== 'Cordoned');
    // Only all-down is an outage; part of the endpoints on a dead node loses part of the
    // connections, and a cordoned node still serves.
    const severity = scope === 'all' && down ? 'error' : 'warning';
    const evidence = nodes.map(
      (n) =>
        `node ${n.node} is ${n.state === 'Cordoned' ? 'cordoned (unschedulable)' : n.state === 'Unknown' ? 'Ready=Unknown (kubelet stopped posting status)' : 'NotReady'}: ${n.endpoints} ready endpoint(s) there`,
    );
    evidence.unshift(`${affected} of ${ready.length} ready endpoints are on nodes in trouble`);
    const first = nodes.find((n) => n.state !== 'Cordoned') ?? nodes[0];
    const commands = [
      'kubectl get nodes',
      `kubectl get pods -n ${ns} -o wide${
        service.selector
          ? ` -l ${Object.entries(service.selector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')}`
          : ''
      }`,
    ];
    // Restarting the workload reschedules its Pods, which avoid cordoned and tainted nodes.
    if (owner) commands.push(`kubectl rollout restart ${owner} -n ${ns}`);
    if (first?.state === 'Cordoned') commands.push(`kubectl uncordon ${first.node}`);
    else if (first) {
      commands.push(`kubectl describe node ${first.node}`);
      commands.push(`kubectl drain ${first.node} --ignore-daemonsets --delete-emptydir-data`);
    }
    return [
      {
        subject: refOf(service),
        severity,
        data: {
          service: `${ns}/${name}`,
          readyEndpoints: ready.length,
          affectedEndpoints: affected,
          scope,
          nodes,
          ...(owner ? { workload: owner } : {}),
        },
        evidence,
        fix: {
          summary: down
            ? 'Repair the NotReady node(s) or move the Pods off them (drain), and run replicas on healthy nodes.'
            : 'The cordoned node still serves, but its Pods go away when it is drained: run replicas elsewhere first, or uncordon it.',
          commands,
        },
      },
    ];
  },
});
