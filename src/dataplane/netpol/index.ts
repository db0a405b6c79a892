export { ipInCidr } from './cidr.js';
export { type Enforcement, evaluateAsEnforced, policyEnforcement } from './enforcement.js';
export {
  type Connection,
  type Decision,
  type Direction,
  evaluateNetworkPolicies,
  type NetpolDestination,
  type NetpolResult,
  type NetpolSource,
  policiesSelecting,
  policyKey,
  type RuleRef,
  type Verdict,
} from './evaluate.js';
export { type BackendVerdict, evaluateServiceBackends } from './service.js';
