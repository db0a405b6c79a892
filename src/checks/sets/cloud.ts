import type { Check } from '../define.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const cloudChecks: Check[] = [];
