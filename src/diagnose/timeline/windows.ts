import { type Nanos, NS_PER_MINUTE } from '../../model/time.js';

export const TIMELINE_CATEGORIES = [
  'firewall',
  'kube-proxy-restart',
  'node-network',
  'service-config',
  'cloud-security',
  'cni-restart',
  'event',
] as const;
export type TimelineCategory = (typeof TIMELINE_CATEGORIES)[number];

/** Categories that are changes; `event` entries are symptoms reported by controllers. */
export const CHANGE_CATEGORIES: readonly TimelineCategory[] = TIMELINE_CATEGORIES.filter(
  (c) => c !== 'event',
);

/**
 * How far before the failure each kind of change is suspected (seed 002, Diagnosis 1-6), in
 * minutes, and what the runbook widens it to when nothing is found:
 * 5 → 10 min, 10 → 30 min, 1 h → 2 h. The runbook names no step for the 30 min window (Service
 * port changes); we double it to 1 h, the same factor as the 5 min and 1 h steps.
 * `event` has no runbook window: we give controller events the 10 min window of the other
 * network changes so a FailedToUpdateEndpoint just before the failure is highlighted too.
 */
export const WINDOW_MINUTES: Readonly<Record<TimelineCategory, { base: number; widened: number }>> = {
  firewall: { base: 10, widened: 30 },
  'kube-proxy-restart': { base: 5, widened: 10 },
  'node-network': { base: 10, widened: 30 },
  'service-config': { base: 30, widened: 60 },
  'cloud-security': { base: 10, widened: 30 },
  'cni-restart': { base: 60, widened: 120 },
  event: { base: 10, widened: 30 },
};

/** The widest window any category can reach; evidence older than this can never be suspect. */
export const MAX_WINDOW_MINUTES = Math.max(...Object.values(WINDOW_MINUTES).map((w) => w.widened));

/**
 * Boundary semantics: a change is inside the window when
 *   failure − window ≤ change time ≤ failure
 * — both ends inclusive, compared to the nanosecond. "Within 10 minutes before" includes a
 * change exactly 10 minutes earlier, and a change stamped in the same instant as the failure
 * (Event timestamps have one-second resolution) may still be its cause. Anything after the
 * failure is listed but never suspect: it cannot have caused it.
 */
export function insideWindow(change: Nanos, failure: Nanos, minutes: number): boolean {
  return change <= failure && change >= failure - BigInt(minutes) * NS_PER_MINUTE;
}
