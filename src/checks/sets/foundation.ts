import type { Check } from '../define.js';
import selectorMatchesNoPods from '../selector-matches-no-pods.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const foundationChecks: Check[] = [selectorMatchesNoPods];
