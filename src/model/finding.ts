import type { ObjectRef } from './types.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Fix {
  summary: string;
  commands: string[];
  /** Caveats the user must know before applying it (e.g. eTP Cluster loses client source IP). */
  caveats?: string[];
}

/** A finding is data; its title is rendered from the check's template. */
export interface Finding {
  id: string;
  severity: Severity;
  /** 0..1: how sure we are this is (a) root cause of the question asked. */
  confidence: number;
  title: string;
  subject?: ObjectRef;
  data: Record<string, unknown>;
  evidence: string[];
  fix: Fix;
  seeAlso: string[];
  /** Findings that are consequences of this one (folded under it, not rivals). */
  consequences?: Finding[];
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
