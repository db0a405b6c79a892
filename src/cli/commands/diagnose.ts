import { diagnose } from '../../diagnose/diagnose.js';
import { observationFromInline } from '../../diagnose/observations.js';
import { SvcdoctorError } from '../../errors.js';
import { splitHostPort } from '../../model/ports.js';
import {
  type ClientSpec,
  formatClient,
  parseClient,
  type Question,
  VIAS,
  type Via,
} from '../../model/question.js';
import { Snapshot } from '../../model/snapshot.js';
import { parseAt } from '../../model/time.js';
import { renderDiagnose } from '../../report/diagnose.js';
import { OUTPUT_FORMATS } from '../../report/format.js';
import { listDemos, openSnapshotData } from '../source.js';
import type { CommandContext, CommandSpec } from '../spec.js';

/** "nginx", "svc/nginx", "service/nginx" → name. */
export function serviceName(arg: string): string {
  const m = /^(?:svc|service|services)\/(.+)$/.exec(arg);
  return m ? (m[1] as string) : arg;
}

export function parsePort(v: unknown): number | string | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > 65535)
      throw new SvcdoctorError('SVCDOCTOR_USAGE', `--port ${s}: expected 1-65535 or a port name`);
    return n;
  }
  return s;
}

/** Build the Question from diagnose/matrix/whatif options. */
export function questionFromOptions(service: string, o: Record<string, unknown>): Question {
  const inferred: string[] = [];
  let client: ClientSpec | undefined;
  if (o.client !== undefined) {
    client = parseClient(String(o.client));
    if (!client)
      throw new SvcdoctorError('SVCDOCTOR_USAGE', `--client ${String(o.client)}: not a client`, {
        hint: 'use internet, vpc, node/NAME, pod/NS/NAME, same-node-as-backend, pod-on-backend-node, other-node or pod-on-other-node',
      });
  } else {
    client = { kind: 'pod-on-other-node' };
    inferred.push('client pod-on-other-node (an in-cluster pod; pass --client to change)');
  }
  let via: Via | undefined;
  if (o.via !== undefined) {
    const v = String(o.via).toLowerCase();
    if (!(VIAS as readonly string[]).includes(v))
      throw new SvcdoctorError('SVCDOCTOR_USAGE', `--via ${String(o.via)}: not an access path`, {
        hint: `use one of ${VIAS.join(', ')}`,
      });
    via = v as Via;
  }
  let address: Question['address'];
  if (o.address !== undefined) {
    const hp = splitHostPort(String(o.address));
    if (!hp) throw new SvcdoctorError('SVCDOCTOR_USAGE', `--address ${String(o.address)}: expected IP:PORT`);
    address = { ip: hp.host, port: hp.port };
  }
  // Same formats as `timeline --at` (RFC 3339, offset date-time, "10m ago"), normalised to UTC.
  const at = o.at === undefined ? undefined : parseAt(String(o.at), new Date()).iso;
  const port = parsePort(o.port) ?? address?.port;
  const protocol = o.protocol === undefined ? undefined : String(o.protocol).toUpperCase();
  if (protocol !== undefined && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')
    throw new SvcdoctorError(
      'SVCDOCTOR_USAGE',
      `--protocol ${String(o.protocol)}: expected TCP, UDP or SCTP`,
    );
  return {
    target: { kind: 'Service', namespace: String(o.namespace ?? 'default'), name: serviceName(service) },
    client,
    ...(via ? { via } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(protocol ? { protocol } : {}),
    ...(address ? { address } : {}),
    ...(o.host !== undefined ? { host: String(o.host) } : {}),
    ...(o.path !== undefined ? { path: String(o.path) } : {}),
    ...(o.dnsName !== undefined ? { dnsName: String(o.dnsName) } : {}),
    ...(at ? { at } : {}),
    inferred,
  };
}

export const QUESTION_OPTIONS = [
  {
    flags: '--client <client>',
    description:
      'who connects: internet, vpc, node/NAME, pod/NS/NAME, same-node-as-backend, pod-on-backend-node, other-node, pod-on-other-node',
  },
  { flags: '--via <path>', description: `how: ${VIAS.join(', ')} (inferred when omitted)` },
  {
    flags: '--port <port>',
    description: 'the port the client used (Service port, nodePort or listener port; number or name)',
  },
  { flags: '--protocol <proto>', description: 'TCP, UDP or SCTP' },
  {
    flags: '--address <ip:port>',
    description: 'the exact address the client used (node IP:nodePort, EIP:port, LB IP:port)',
  },
  { flags: '--host <host>', description: 'Host header (Ingress)' },
  { flags: '--path <path>', description: 'request path (Ingress)' },
  { flags: '--dns-name <name>', description: 'the DNS name the client resolved' },
  {
    flags: '--at <time>',
    description: 'when the failure was seen: RFC 3339, a date-time with offset, or relative ("10m ago")',
  },
];

export const diagnoseCommand: CommandSpec = {
  name: 'diagnose',
  args: '<service>',
  summary: 'ranked root causes for "CLIENT cannot reach SERVICE via PATH"',
  description:
    'Models the path from the client to the container (DNS, load balancer, security groups, node, kube-proxy, endpoints, container port) and ranks what breaks it, each with evidence and a fix.',
  options: [
    ...QUESTION_OPTIONS,
    {
      flags: '--observed <text>',
      description:
        'what you saw, e.g. "curl: (7) Failed to connect to 10.0.0.5 port 80: Connection refused" (repeatable)',
      repeatable: true,
    },
    {
      flags: '--probe',
      description: 'live only: run short-lived probe pods to test the paths (creates and deletes a pod)',
    },
    {
      flags: '--probe-image <image>',
      description: 'probe image with sh, nc, nslookup, timeout (default busybox:1.36)',
    },
    {
      flags: '--probe-node <node>',
      description: 'run the probe on this node (default: where the client would be)',
    },
    { flags: '--probe-namespace <ns>', description: "namespace of the probe pod (default: the Service's)" },
    { flags: '--probe-timeout <seconds>', description: 'how long the probe pod may take (default 60)' },
  ],
  usesSource: true,
  formats: OUTPUT_FORMATS,
  examples: [
    'svcdoctor diagnose nginx -n shop --client internet --via loadbalancer',
    'svcdoctor diagnose web --from ./bundle --client pod/default/client-a --port 8080 -o json',
    'svcdoctor diagnose api --from ./bundle --observed "curl: (7) Failed to connect to 10.0.3.7 port 80: Connection refused"',
    'svcdoctor diagnose nginx --demo etp-local-lb-in-cluster',
    'kubectl svcdoctor diagnose nginx -n prod',
  ],
  async run(ctx: CommandContext): Promise<number> {
    const { opts, io } = ctx;
    if (opts.demo === 'list') {
      io.stdout(`${(await listDemos(io)).join('\n')}\n`);
      return 0;
    }
    let question = questionFromOptions(ctx.args[0] as string, opts);
    const data = await openSnapshotData(opts, io);
    const observed = (opts.observed as string[] | undefined) ?? [];
    for (const text of observed) {
      const obs = observationFromInline(text, {
        from: formatClient(question.client),
        ...(question.at ? { at: question.at } : {}),
      });
      if (!obs)
        throw new SvcdoctorError('SVCDOCTOR_USAGE', `--observed: message not recognised: ${text}`, {
          hint: 'paste the exact error text (curl, wget, nc, browser, envoy/nginx), or describe it in an Observations file',
        });
      data.observations.push(obs);
      data.collected.Observations = true;
      // The address in a pasted connection error is the address the client used, unless told
      // otherwise; in a DNS error it is the resolver's, so it says nothing about the path.
      const hp =
        !question.address && !question.via && !question.dnsName && !obs.result.startsWith('dns-')
          ? splitHostPort(obs.to.replace(/\/(tcp|udp|sctp)$/i, ''))
          : undefined;
      if (hp) {
        question = {
          ...question,
          address: { ip: hp.host, port: hp.port },
          ...(question.port === undefined ? { port: hp.port } : {}),
          inferred: [...question.inferred, `address ${hp.host}:${hp.port} (from --observed)`],
        };
      }
    }
    if (opts.probe === true) data.observations.push(...(await probeLive(data, question, opts, ctx)));
    const result = diagnose(new Snapshot(data), question);
    io.stdout(renderDiagnose(result, ctx.format, ctx.color));
    const problems = result.verdict !== 'reachable' || result.findings.some((f) => f.severity !== 'info');
    return problems ? 1 : 0;
  },
};

/** --probe: results of a short-lived probe pod, as Observations; the pod is deleted even on Ctrl-C. */
async function probeLive(
  data: Awaited<ReturnType<typeof openSnapshotData>>,
  question: Question,
  opts: Record<string, unknown>,
  { io }: CommandContext,
) {
  if (opts.from !== undefined || opts.demo !== undefined)
    throw new SvcdoctorError(
      'SVCDOCTOR_USAGE',
      '--probe needs a live cluster: it cannot be combined with --from or --demo',
    );
  const { probeForDiagnosis } = await import('../../sources/live/probe.js');
  const timeout = opts.probeTimeout === undefined ? undefined : Number(opts.probeTimeout);
  if (timeout !== undefined && !(timeout > 0))
    throw new SvcdoctorError(
      'SVCDOCTOR_USAGE',
      `--probe-timeout ${String(opts.probeTimeout)}: expected seconds > 0`,
    );
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  const controller = new AbortController();
  const probing = probeForDiagnosis(data, question, {
    kubeconfig: str(opts.kubeconfig),
    context: str(opts.context),
    env: io.env,
    image: str(opts.probeImage),
    node: str(opts.probeNode),
    namespace: str(opts.probeNamespace),
    timeoutSeconds: timeout,
    signal: controller.signal,
    onNotice: (line) => io.stderr(`svcdoctor: ${line}\n`),
  });
  io.onInterrupt?.(() => {
    controller.abort();
    return probing.then(
      () => {},
      () => {},
    );
  });
  const observations = await probing;
  data.collected.Observations = true;
  return observations;
}
