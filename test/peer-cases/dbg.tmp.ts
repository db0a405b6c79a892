import { runCli } from '/work/main/test/support/cli.js';
const args = process.argv.slice(2);
const r = await runCli([...args, '-o', 'json']);
if (r.stderr) console.log('STDERR', r.stderr);
const d = JSON.parse(r.stdout);
console.log('exit', r.code, 'verdict', d.verdict);
for (const p of d.paths ?? []) { console.log(p.outcome, p.reason); for (const h of p.hops) console.log('   ', JSON.stringify(h).slice(0, 200)); }
for (const f of d.findings ?? []) console.log(f.id, f.severity, JSON.stringify(f.evidence).slice(0, 300));
for (const s of d.services ?? []) console.log(s.target.name, s.verdict, s.findings.map((f: any) => `${f.id}(${f.severity})`).join(','));
console.log('unknowns', (d.unknowns ?? []).slice(0, 6));
