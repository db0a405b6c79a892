import type { Check } from '../define.js';
import recentChangeCorrelated from '../recent-change-correlated.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const historyChecks: Check[] = [recentChangeCorrelated];
