import type { Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import type { Service } from '../model/types.js';

/**
 * The paths a request from the question's client takes to the Service, hop by hop.
 * Pure: (snapshot, question) -> traces. Owned by the data-path work (issue 4); until it lands,
 * no paths are computed and diagnose derives its verdict from findings alone.
 */
export function computePaths(_snapshot: Snapshot, _service: Service, _question: Question): Trace[] {
  return [];
}
