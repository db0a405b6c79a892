import { ALL_CHECKS, findCheck } from '../../checks/registry.js';
import { PLAYBOOKS } from '../../diagnose/timeline/playbook.js';
import { SvcdoctorError } from '../../errors.js';
import { toJson } from '../../report/format.js';
import { escapeMd } from '../../report/style.js';
import type { CommandSpec } from '../spec.js';

function wrapText(text: string, width = 88, indent = '  '): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

export const explainCommand: CommandSpec = {
  name: 'explain',
  args: '[id]',
  summary: "a check's documentation: what, why, how to confirm, how to fix (no id: list all)",
  options: [],
  usesSource: false,
  formats: ['table', 'markdown', 'json'],
  examples: [
    'svcdoctor explain',
    'svcdoctor explain etp-local-in-cluster-lb-access',
    'svcdoctor explain nodeport-not-accessible',
  ],
  async run({ args, io, format }) {
    const id = args[0];
    if (!id) {
      if (format === 'json')
        io.stdout(
          toJson(
            ALL_CHECKS.map((c) => ({ id: c.id, severity: c.severity, layer: c.layer, what: c.docs.what })),
          ),
        );
      else {
        const w = Math.max(...ALL_CHECKS.map((c) => c.id.length));
        for (const c of ALL_CHECKS) io.stdout(`${c.id.padEnd(w)}  ${c.severity.padEnd(7)}  ${c.docs.what}\n`);
        for (const [pid, p] of Object.entries(PLAYBOOKS))
          io.stdout(`${pid.padEnd(w)}  playbook ${p.title}\n`);
      }
      return 0;
    }
    const check = findCheck(id);
    if (check) {
      const d = check.docs;
      if (format === 'json')
        io.stdout(
          toJson({
            id: check.id,
            severity: check.severity,
            layer: check.layer,
            docs: d,
            source: check.source,
          }),
        );
      else if (format === 'markdown')
        io.stdout(
          [
            `# \`${check.id}\` (${check.severity})`,
            '',
            `**What.** ${escapeMd(d.what)}`,
            '',
            `**Why.** ${escapeMd(d.why)}`,
            '',
            `**Confirm.** ${escapeMd(d.confirm)}`,
            '',
            `**Fix.** ${escapeMd(d.fix)}`,
            '',
            `Sources: ${check.source.map(escapeMd).join('; ')}`,
            '',
          ].join('\n'),
        );
      else
        io.stdout(
          `${check.id}  (${check.severity}, layer ${check.layer})\n\nWhat\n${wrapText(d.what)}\n\nWhy\n${wrapText(d.why)}\n\nHow to confirm\n${wrapText(d.confirm)}\n\nHow to fix\n${wrapText(d.fix)}\n\nSources: ${check.source.join('; ')}\n`,
        );
      return 0;
    }
    const playbook = PLAYBOOKS[id];
    if (playbook) {
      if (format === 'json') io.stdout(toJson({ id, ...playbook }));
      else {
        const lines = [`${playbook.title}`, ''];
        playbook.steps.forEach((s, i) => {
          lines.push(`${i + 1}. ${s.text}`);
          if (s.checks.length) lines.push(`   automated by: ${s.checks.join(', ')}`);
        });
        io.stdout(`${lines.join('\n')}\n`);
      }
      return 0;
    }
    const ids = [...ALL_CHECKS.map((c) => c.id), ...Object.keys(PLAYBOOKS)];
    const near = ids.filter((x) => x.includes(id) || id.includes(x)).slice(0, 3);
    throw new SvcdoctorError('SVCDOCTOR_UNKNOWN_CHECK', `no check or playbook named "${id}"`, {
      hint: near.length ? `did you mean ${near.join(', ')}?` : 'run `svcdoctor explain` for the list',
    });
  },
};
