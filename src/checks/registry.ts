import type { Check } from './define.js';
import { cloudChecks } from './sets/cloud.js';
import { dataplaneChecks } from './sets/dataplane.js';
import { diagnosisChecks } from './sets/diagnosis.js';
import { foundationChecks } from './sets/foundation.js';
import { historyChecks } from './sets/history.js';
import { nodeChecks } from './sets/node.js';

/** Every check svcdoctor runs. Sets are per area so each area registers its own checks. */
export const ALL_CHECKS: readonly Check[] = [
  ...foundationChecks,
  ...diagnosisChecks,
  ...dataplaneChecks,
  ...cloudChecks,
  ...nodeChecks,
  ...historyChecks,
];

const byId = new Map(ALL_CHECKS.map((c) => [c.id, c]));

export function findCheck(id: string): Check | undefined {
  return byId.get(id);
}
