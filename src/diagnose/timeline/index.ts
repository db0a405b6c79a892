// The timeline library surface (seed 002): build, default failure time, windows, playbooks.
export type { FailureTime, FailureTimeSource } from './failure-time.js';
export { defaultFailureTime, isFailingObservation, newestFailingObservation } from './failure-time.js';
export type { Playbook } from './playbook.js';
export { PLAYBOOKS } from './playbook.js';
export type { EvidenceSource, Timeline, TimelineEntry, TimelineOptions, TimelineWindow } from './timeline.js';
export { buildTimeline, cloudChangeCategory } from './timeline.js';
export type { TimelineCategory } from './windows.js';
export { insideWindow, TIMELINE_CATEGORIES, WINDOW_MINUTES } from './windows.js';
