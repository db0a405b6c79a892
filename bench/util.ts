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
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}×`;
