import type { Check } from '../define.js';
import endpointsNotReady from '../endpoints-not-ready.js';
import endpointsOnUnreadyNodes from '../endpoints-on-unready-nodes.js';
import endpointsTruncated from '../endpoints-truncated.js';
import headlessServiceNoVip from '../headless-service-no-vip.js';
import protocolMismatch from '../protocol-mismatch.js';
import selectorLessWithoutEndpoints from '../selector-less-without-endpoints.js';
import selectorMatchesNoPods from '../selector-matches-no-pods.js';
import serviceNotFound from '../service-not-found.js';
import servicePortMismatch from '../service-port-mismatch.js';
import targetPortMismatch from '../target-port-mismatch.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const foundationChecks: Check[] = [
  selectorMatchesNoPods,
  serviceNotFound,
  selectorLessWithoutEndpoints,
  endpointsNotReady,
  endpointsOnUnreadyNodes,
  targetPortMismatch,
  servicePortMismatch,
  protocolMismatch,
  headlessServiceNoVip,
  endpointsTruncated,
];
