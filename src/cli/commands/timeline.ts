import { defaultFailureTime, type FailureTime } from '../../diagnose/timeline/failure-time.js';
import { buildTimeline } from '../../diagnose/timeline/timeline.js';
import { SvcdoctorError } from '../../errors.js';
import { didYouMean } from '../../model/didyoumean.js';
import { Snapshot } from '../../model/snapshot.js';
import { parseAt } from '../../model/time.js';
import { renderTimeline } from '../../report/timeline.js';
import { openSnapshotData } from '../source.js';
import type { CommandContext, CommandSpec } from '../spec.js';
import { serviceName } from './diagnose.js';

function positiveMinutes(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new SvcdoctorError(
      'SVCDOCTOR_USAGE',
      `${flag} ${String(v)}: expected a whole number of minutes above 0`,
    );
  return n;
}

export const timelineCommand: CommandSpec = {
  name: 'timeline',
  args: '<service>',
  summary:
    'what changed just before the failure: events, kube-proxy/CNI restarts, Service edits, cloud rules (seed 002)',
  description:
    "Lines the failure time up with every dated change around the Service and marks the ones inside the runbook's window for their kind (firewall 10 min, kube-proxy restarts 5 min, node network 10 min, Service ports 30 min, cloud security groups/ACLs 10 min, CNI restarts 1 h). When none is found, the windows are widened once (5→10 min, 10→30 min, 30 min→1 h, 1 h→2 h) and the output says so. Exit 1 when a suspect change is found.",
  options: [
    {
      flags: '--at <time>',
      description:
        'when the failure was seen: RFC 3339, a date-time with offset, or relative ("10m ago"); default: the newest failing observation, else the snapshot time, else now',
    },
    {
      flags: '--lookback <minutes>',
      description: 'list entries up to this many minutes before the failure (default 240)',
    },
    { flags: '--no-widen', description: 'keep the runbook windows even when nothing is found in them' },
  ],
  usesSource: true,
  formats: ['table', 'wide', 'json', 'yaml', 'markdown', 'html'],
  examples: [
    'svcdoctor timeline web -n shop --at 2026-11-22T10:00:00Z --from ./bundle',
    'svcdoctor timeline web --at "15m ago"',
    'svcdoctor timeline web --from ./bundle -o json',
  ],
  async run(ctx: CommandContext): Promise<number> {
    const { opts, io } = ctx;
    const now = new Date();
    // Read --at before touching any input, so a typo fails fast.
    const at = opts.at === undefined ? undefined : parseAt(String(opts.at), now);
    const lookbackMinutes = positiveMinutes(opts.lookback, '--lookback');
    const namespace = String(opts.namespace ?? 'default');
    const name = serviceName(ctx.args[0] as string);
    const snapshot = new Snapshot(await openSnapshotData(opts, io));
    const svc = snapshot.service(namespace, name);
    if (!svc) {
      const near = didYouMean(
        name,
        snapshot.servicesIn(namespace).map((s) => s.meta.name),
      );
      throw new SvcdoctorError('SVCDOCTOR_INPUT_INVALID', `service ${namespace}/${name} not found`, {
        hint: near ? `did you mean ${near}?` : 'check the name and -n NAMESPACE',
      });
    }
    const failure: FailureTime = at ? { at, source: 'at' } : defaultFailureTime(snapshot, svc, now);
    const timeline = buildTimeline(snapshot, svc, failure.at, {
      ...(lookbackMinutes ? { lookbackMinutes } : {}),
      widen: opts.widen !== false,
    });
    io.stdout(renderTimeline({ ...timeline, atSource: failure.source }, ctx.format, ctx.color));
    return timeline.entries.some((e) => e.suspect && e.category !== 'event') ? 1 : 0;
  },
};
