import { audit } from '../../diagnose/diagnose.js';
import { renderAudit } from '../../report/diagnose.js';
import { OUTPUT_FORMATS } from '../../report/format.js';
import { openSnapshot } from '../source.js';
import type { CommandSpec } from '../spec.js';

export const auditCommand: CommandSpec = {
  name: 'audit',
  summary: 'every check on every Service in scope (a lint of the cluster)',
  options: [],
  usesSource: true,
  formats: OUTPUT_FORMATS,
  examples: ['svcdoctor audit -A', 'svcdoctor audit -n shop --from ./bundle -o markdown'],
  async run({ opts, io, format, color }) {
    const snapshot = await openSnapshot(opts, io);
    const namespace = opts.allNamespaces
      ? undefined
      : String(opts.namespace ?? (opts.from || opts.demo ? '' : 'default')) || undefined;
    const result = audit(snapshot, namespace ? { namespace } : {});
    io.stdout(renderAudit(result, format, color));
    return result.summary.error > 0 || result.summary.warning > 0 ? 1 : 0;
  },
};
