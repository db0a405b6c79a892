// svcdoctor as a library: everything the CLI does, without printing or exiting.
export type { Check, CheckContext, CheckDocs, CheckHit, Layer } from './checks/define.js';
export { defineCheck, LAYERS } from './checks/define.js';
export { ALL_CHECKS, findCheck } from './checks/registry.js';
export { computePaths } from './dataplane/paths.js';
export type { AuditResult, DiagnoseOptions, DiagnoseResult, Verdict } from './diagnose/diagnose.js';
export { audit, diagnose, inferVia } from './diagnose/diagnose.js';
export { isSvcdoctorError, SvcdoctorError } from './errors.js';
export { backendsOf } from './model/endpoints.js';
export type { Finding, Fix, Severity } from './model/finding.js';
export type { ClientSpec, Question, Via } from './model/question.js';
export { formatClient, parseClient } from './model/question.js';
export { emptySnapshotData, Snapshot } from './model/snapshot.js';
export type { Hop, Outcome, Step, Trace } from './model/trace.js';
export type * from './model/types.js';
export { renderAudit, renderDiagnose } from './report/diagnose.js';
export { buildSnapshotData } from './sources/convert.js';
export { loadBundle } from './sources/files.js';
