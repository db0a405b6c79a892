// "Did you mean" for every name a user types: Service, namespace, port name, label key/value.
// Damerau-Levenshtein (optimal string alignment) so a swapped pair of letters counts as one edit,
// which is the commonest typo in hand-written YAML ("ngnix").

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * How many edits still count as a typo for a name of this length. Short names tolerate one
 * edit (otherwise "db" would suggest every two-letter name), long generated names a third.
 */
export function typoThreshold(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  if (length <= 10) return 2;
  return Math.min(4, Math.floor(length / 4));
}

export interface Suggestion {
  name: string;
  distance: number;
}

/**
 * Candidates close enough to `typed` to be a typo, best first (distance, then name), at most `limit`.
 * Case differences alone cost nothing extra beyond being reported: DNS labels are case-insensitive
 * while object names are lower-case, so "Nginx" should find "nginx" first.
 */
export function suggest(typed: string, candidates: Iterable<string>, limit = 3): Suggestion[] {
  const t = typed.toLowerCase();
  const max = typoThreshold(t.length);
  const seen = new Set<string>();
  const out: Suggestion[] = [];
  for (const c of candidates) {
    if (c === typed || seen.has(c)) continue;
    seen.add(c);
    const lc = c.toLowerCase();
    let distance = editDistance(t, lc);
    // A prefix/suffix relation ("web" vs "web-svc") is a common near miss that plain edit distance over-penalises.
    if (
      distance > max &&
      t.length >= 3 &&
      (lc.startsWith(`${t}-`) || lc.endsWith(`-${t}`) || t.startsWith(`${lc}-`))
    ) {
      distance = max;
    }
    if (distance <= max) out.push({ name: c, distance });
  }
  out.sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return out.slice(0, limit);
}

/** The single best suggestion, or undefined. */
export function didYouMean(typed: string, candidates: Iterable<string>): string | undefined {
  return suggest(typed, candidates, 1)[0]?.name;
}

/** Near misses between a wanted label set and the labels a pod carries: same key with a close value, or a close key. */
export interface LabelNearMiss {
  wantedKey: string;
  wantedValue: string;
  /** The label actually present, `key=value`. */
  found: string;
  kind: 'value' | 'key';
}

export function labelNearMisses(
  wanted: Record<string, string>,
  labels: Record<string, string>,
): LabelNearMiss[] {
  const out: LabelNearMiss[] = [];
  const keys = Object.keys(labels);
  for (const [k, v] of Object.entries(wanted)) {
    const have = labels[k];
    if (have === v) continue;
    if (have !== undefined) {
      out.push({ wantedKey: k, wantedValue: v, found: `${k}=${have}`, kind: 'value' });
      continue;
    }
    const key = didYouMean(k, keys);
    if (key !== undefined)
      out.push({ wantedKey: k, wantedValue: v, found: `${key}=${labels[key]}`, kind: 'key' });
  }
  return out;
}
