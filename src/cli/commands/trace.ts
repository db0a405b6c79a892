import { parseIP } from '../../dataplane/kubeproxy/ip.js';
import type { TraceAnswer } from '../../dataplane/kubeproxy/trace.js';
import { tracePacket } from '../../dataplane/kubeproxy/trace.js';
import type { Packet, ProxyResult } from '../../dataplane/kubeproxy/types.js';
import { SvcdoctorError } from '../../errors.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Protocol, ProxyMode } from '../../model/types.js';
import { toJson, toYaml } from '../../report/format.js';
import { COLOR, escapeMd, PLAIN } from '../../report/style.js';
import { openSnapshot } from '../source.js';
import type { CommandSpec } from '../spec.js';

const MODES: readonly ProxyMode[] = ['iptables', 'ipvs', 'nftables'];

/** The DESIGN.md `trace -o json` document. */
export function traceJson(a: TraceAnswer, packet: Packet, node: string) {
  const r = a.result;
  return {
    verdict: r.verdict,
    endpoints: r.endpoints,
    masquerade: r.masquerade,
    rules: r.steps.map((s) => ({ ...(s.rule ? { rule: s.rule } : {}), detail: s.detail })),
    mode: r.mode,
    source: a.source,
    node,
    packet,
    ...(r.service ? { service: r.service } : {}),
    notes: r.notes,
  };
}

export function renderTraceTable(a: TraceAnswer, packet: Packet, node: string, color: boolean): string {
  const st = color ? COLOR : PLAIN;
  const r = a.result;
  const v = r.verdict;
  const paint = v === 'delivered' || v === 'local' ? st.green : v === 'unhandled' ? st.yellow : st.red;
  const lines = [
    `${st.bold('packet')}    ${packet.src} -> ${packet.dst}:${packet.dport}/${packet.protocol} (${packet.hook}) on node ${node}`,
    `${st.bold('kube-proxy')} ${r.mode}${a.source === 'node-dump' ? ' (rules from the node dump)' : ' (simulated from API objects)'}`,
    ...(r.service
      ? [`${st.bold('service')}   ${r.service.namespace}/${r.service.name} port ${r.service.port}`]
      : []),
    `${st.bold('verdict')}   ${paint(v)}`,
    `${st.bold('endpoints')} ${r.endpoints.length ? r.endpoints.join(', ') : '-'}`,
    `${st.bold('masquerade')} ${r.masquerade ? 'yes (source NATed to the node)' : 'no (client source IP kept)'}`,
    '',
    st.bold('rules walked'),
    ...r.steps.map(
      (s, i) => `  ${String(i + 1).padStart(2)}. ${s.rule ? `${st.cyan(s.rule)}  ` : ''}${s.detail}`,
    ),
  ];
  if (r.notes.length) lines.push('', st.bold('notes'), ...r.notes.map((n) => `  - ${n}`));
  return `${lines.join('\n')}\n`;
}

export function renderTraceMarkdown(a: TraceAnswer, packet: Packet, node: string): string {
  const r = a.result;
  const lines = [
    `# trace ${escapeMd(`${packet.src} -> ${packet.dst}:${packet.dport}/${packet.protocol}`)} on ${escapeMd(node)}`,
    '',
    '| | |',
    '|---|---|',
    `| verdict | **${r.verdict}** |`,
    `| endpoints | ${r.endpoints.map(escapeMd).join(', ') || '-'} |`,
    `| masquerade | ${r.masquerade ? 'yes' : 'no'} |`,
    `| kube-proxy | ${r.mode} (${a.source}) |`,
    ...(r.service
      ? [
          `| service | ${escapeMd(`${r.service.namespace}/${r.service.name}`)} port ${escapeMd(r.service.port)} |`,
        ]
      : []),
    '',
    '## Rules walked',
    '',
    '| # | rule | detail |',
    '|---|---|---|',
    ...r.steps.map(
      (s, i) => `| ${i + 1} | ${s.rule ? `\`${escapeMd(s.rule)}\`` : ''} | ${escapeMd(s.detail)} |`,
    ),
  ];
  if (r.notes.length) lines.push('', '## Notes', '', ...r.notes.map((n) => `- ${escapeMd(n)}`));
  return `${lines.join('\n')}\n`;
}

function required(opts: Record<string, unknown>, key: string, flag: string): string {
  const v = opts[key];
  if (v === undefined || v === '') throw new SvcdoctorError('SVCDOCTOR_USAGE', `${flag} is required`);
  return String(v);
}

interface Resolved {
  ip: string;
  /** The node a pod runs on, or the node itself. */
  node?: string;
  /** A host-network sender's packets start on the OUTPUT path. */
  hook?: Packet['hook'];
  label: string;
}

/** --src/--dst: an IP, pod/NS/NAME, node/NAME, or (destination) svc/NS/NAME for its ClusterIP. */
export function resolveAddress(snapshot: Snapshot, text: string, flag: string): Resolved {
  if (parseIP(text)) return { ip: text, label: text };
  const [kind, a, b] = text.split('/');
  const usage = (why: string) => new SvcdoctorError('SVCDOCTOR_USAGE', `${flag} ${text}: ${why}`);
  if (kind === 'pod' && a && b) {
    const pod = snapshot.pod(a, b);
    if (!pod) throw usage('no such pod in the snapshot');
    if (!pod.podIP) throw usage('the pod has no IP yet');
    return {
      ip: pod.podIP,
      ...(pod.nodeName ? { node: pod.nodeName } : {}),
      hook: pod.hostNetwork ? 'output' : 'prerouting',
      label: text,
    };
  }
  if (kind === 'node' && a && !b) {
    const node = snapshot.node(a);
    const ip = node?.internalIPs[0] ?? node?.externalIPs[0];
    if (!node || !ip) throw usage(node ? 'the node has no address' : 'no such node in the snapshot');
    return { ip, node: a, hook: 'output', label: text };
  }
  if ((kind === 'svc' || kind === 'service') && a && b && flag === '--dst') {
    const svc = snapshot.service(a, b);
    if (!svc) throw usage('no such Service in the snapshot');
    const ip = svc.clusterIPs.find((x) => parseIP(x)) ?? (parseIP(svc.clusterIP) ? svc.clusterIP : undefined);
    if (!ip) throw usage('the Service has no ClusterIP (headless or ExternalName)');
    return { ip, label: text };
  }
  throw usage(`expected an IP address, pod/NS/NAME, node/NAME${flag === '--dst' ? ' or svc/NS/NAME' : ''}`);
}

interface PacketOptions {
  dport: number;
  protocol: Protocol;
  hook?: Packet['hook'];
}

/** Port, protocol and hook, checked before any input is read. */
export function packetOptions(opts: Record<string, unknown>): PacketOptions {
  required(opts, 'src', '--src');
  required(opts, 'dst', '--dst');
  const portText = required(opts, 'port', '--port');
  const dport = Number(portText);
  if (!/^\d+$/.test(portText) || dport < 1 || dport > 65535)
    throw new SvcdoctorError('SVCDOCTOR_USAGE', `--port ${portText}: expected 1-65535`);
  const protocol = String(opts.protocol ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')
    throw new SvcdoctorError('SVCDOCTOR_USAGE', `--protocol ${protocol}: expected TCP, UDP or SCTP`);
  const hook = opts.hook === undefined ? undefined : String(opts.hook);
  if (hook !== undefined && hook !== 'prerouting' && hook !== 'output')
    throw new SvcdoctorError('SVCDOCTOR_USAGE', `--hook ${hook}: expected prerouting or output`, {
      hint: 'output: sent by a host-network process on the node; prerouting: arrived at the node',
    });
  return { dport, protocol: protocol as Protocol, ...(hook ? { hook: hook as Packet['hook'] } : {}) };
}

function checkNode(snapshot: Snapshot, name: string): void {
  if (snapshot.node(name) || snapshot.nodes.length === 0) return;
  const names = snapshot.nodes.map((n) => n.meta.name);
  const near = names.filter((n) => n.includes(name) || name.includes(n)).slice(0, 3);
  throw new SvcdoctorError('SVCDOCTOR_USAGE', `--node ${name}: no such node in the snapshot`, {
    hint: near.length ? `did you mean ${near.join(', ')}?` : `nodes: ${names.slice(0, 5).join(', ')}`,
  });
}

export const traceCommand: CommandSpec = {
  name: 'trace',
  summary: 'one packet through kube-proxy on one node: rules walked, DNAT targets, masquerade, verdict',
  description:
    "Walks the kube-proxy rules (iptables, IPVS or nftables, as configured) of node N for one packet. When the bundle holds the node's rule dump (<node>.iptables / .ipvs), the real rules are evaluated; otherwise they are simulated from the Services and EndpointSlices.",
  options: [
    {
      flags: '--node <name>',
      description:
        'the node whose kube-proxy handles the packet (default: the node of a pod/ or node/ --src)',
    },
    { flags: '--src <addr>', description: 'source: an IP, pod/NS/NAME or node/NAME' },
    {
      flags: '--dst <addr>',
      description: 'destination: an IP (ClusterIP, node IP, LB IP, external IP), svc/NS/NAME, pod/ or node/',
    },
    { flags: '--port <port>', description: 'destination port' },
    { flags: '--protocol <proto>', description: 'TCP, UDP or SCTP', default: 'TCP' },
    {
      flags: '--hook <hook>',
      description:
        'prerouting (arrived at the node) or output (sent by a host-network process); inferred from --src when it names a node or host-network pod',
    },
    { flags: '--mode <mode>', description: 'override the kube-proxy mode: iptables, ipvs or nftables' },
  ],
  usesSource: true,
  formats: ['table', 'wide', 'json', 'yaml', 'markdown'],
  examples: [
    'svcdoctor trace --from ./bundle --node node-1 --src 10.244.1.5 --dst 10.96.0.10 --port 53 --protocol UDP',
    'svcdoctor trace --from ./bundle --src pod/shop/client-0 --dst svc/shop/web --port 80',
    'svcdoctor trace --demo etp-local-lb-in-cluster --node node-2 --src 203.0.113.9 --dst 192.168.0.12 --port 30637 -o json',
  ],
  async run({ opts, io, format, color }) {
    const po = packetOptions(opts);
    let mode: ProxyMode | undefined;
    if (opts.mode !== undefined) {
      const m = String(opts.mode).toLowerCase();
      if (!(MODES as readonly string[]).includes(m))
        throw new SvcdoctorError('SVCDOCTOR_USAGE', `--mode ${m}: expected ${MODES.join(', ')}`);
      mode = m as ProxyMode;
    }
    const snapshot = await openSnapshot(opts, io);
    const src = resolveAddress(snapshot, String(opts.src), '--src');
    const dst = resolveAddress(snapshot, String(opts.dst), '--dst');
    const nodeName = opts.node !== undefined ? String(opts.node) : src.node;
    if (!nodeName)
      throw new SvcdoctorError('SVCDOCTOR_USAGE', '--node is required', {
        hint: 'or give --src as pod/NS/NAME or node/NAME to trace on that node',
      });
    checkNode(snapshot, nodeName);
    const packet: Packet = {
      src: src.ip,
      dst: dst.ip,
      dport: po.dport,
      protocol: po.protocol,
      hook: po.hook ?? (src.node === nodeName ? (src.hook ?? 'prerouting') : 'prerouting'),
    };
    const answer = await tracePacket(snapshot, nodeName, packet, mode ? { mode } : {});
    const doc = traceJson(answer, packet, nodeName);
    if (format === 'json') io.stdout(toJson(doc));
    else if (format === 'yaml') io.stdout(toYaml(doc));
    else if (format === 'markdown') io.stdout(renderTraceMarkdown(answer, packet, nodeName));
    else io.stdout(renderTraceTable(answer, packet, nodeName, color));
    return reachable(answer.result) ? 0 : 1;
  },
};

function reachable(r: ProxyResult): boolean {
  return r.verdict === 'delivered' || r.verdict === 'local';
}
