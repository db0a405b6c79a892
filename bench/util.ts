import { performance } from 'node:perf_hooks';

/** Median wall time of `fn` over `runs` runs (after one warm-up), in milliseconds. */
export async function median(fn: () => unknown | Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(0)} ms`;
/** a ÷ b; two significant digits below 0.1, where one decimal would read as 0.0. */
export const ratio = (a: number, b: number): string => {
  const r = a / b;
  return `${r < 0.1 ? r.toPrecision(2) : r.toFixed(1)}×`;
};

/**
 * Runs the contenders in turns (a, b, c, a, b, c, ...) after one warm-up each, so load from
 * elsewhere on the machine hits all alike; returns each one's median wall time in milliseconds.
 */
export async function interleaved(fns: (() => unknown | Promise<unknown>)[], rounds = 5): Promise<number[]> {
  for (const fn of fns) await fn();
  const times: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++)
    for (const [i, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      times[i]!.push(performance.now() - t0);
    }
  return times.map((t) => t.sort((x, y) => x - y)[Math.floor(t.length / 2)]!);
}
