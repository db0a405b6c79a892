// The parts of a CoreDNS Corefile that change what a Service name resolves to: the cluster
// zone of the kubernetes plugin and `rewrite name` rules (seed 003 points in-cluster names at
// Services this way). Other plugins are ignored.

export interface RewriteRule {
  match: 'exact' | 'prefix' | 'suffix' | 'substring' | 'regex';
  from: string;
  to: string;
  /** The original line, for evidence. */
  line: string;
}

/** Zones served by the kubernetes plugin: `kubernetes cluster.local in-addr.arpa ip6.arpa {`. */
export function kubernetesZones(corefile: string): string[] {
  const m = /^\s*kubernetes((?:\s+[^\s{#]+)*)/m.exec(corefile);
  if (!m?.[1]) return [];
  return m[1]
    .trim()
    .split(/\s+/)
    .map((z) => z.replace(/\.$/, '').toLowerCase())
    .filter((z) => z && !z.endsWith('arpa'));
}

/** `rewrite [continue|stop] name [exact|prefix|suffix|substring|regex] FROM TO [answer ...]` rules, in order. */
export function parseRewriteRules(corefile: string): RewriteRule[] {
  const out: RewriteRule[] = [];
  for (const raw of corefile.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const words = line.split(/\s+/);
    if (words[0] !== 'rewrite') continue;
    let i = 1;
    if (words[i] === 'continue' || words[i] === 'stop') i++;
    if (words[i] !== 'name') continue;
    i++;
    let match: RewriteRule['match'] = 'exact';
    const kind = words[i];
    if (
      kind === 'exact' ||
      kind === 'prefix' ||
      kind === 'suffix' ||
      kind === 'substring' ||
      kind === 'regex'
    ) {
      match = kind;
      i++;
    }
    const from = words[i];
    const to = words[i + 1];
    if (!from || !to) continue;
    out.push({ match, from: from.replace(/\.$/, ''), to: to.replace(/\.$/, ''), line });
  }
  return out;
}

/** Applies the first matching rule (CoreDNS rewrite stops at the first name rule by default). */
export function applyRewrite(
  rules: readonly RewriteRule[],
  qname: string,
): { name: string; rule?: RewriteRule } {
  const q = qname.toLowerCase();
  for (const r of rules) {
    const from = r.from.toLowerCase();
    switch (r.match) {
      case 'exact':
        if (q === from) return { name: r.to.toLowerCase(), rule: r };
        break;
      case 'prefix':
        if (q.startsWith(from)) return { name: r.to.toLowerCase() + q.slice(from.length), rule: r };
        break;
      case 'suffix':
        if (q.endsWith(from))
          return { name: q.slice(0, q.length - from.length) + r.to.toLowerCase(), rule: r };
        break;
      case 'substring':
        if (q.includes(from)) return { name: q.replace(from, r.to.toLowerCase()), rule: r };
        break;
      case 'regex': {
        let re: RegExp;
        try {
          re = new RegExp(r.from, 'i');
        } catch {
          break;
        }
        // CoreDNS regex rules see the fully qualified name with its trailing dot.
        const m = re.exec(`${q}.`) ?? re.exec(q);
        if (m) {
          const name = r.to.replace(/\{(\d+)\}/g, (_all, n: string) => m[Number(n)] ?? '').replace(/\.$/, '');
          return { name: name.toLowerCase(), rule: r };
        }
        break;
      }
    }
  }
  return { name: q };
}
