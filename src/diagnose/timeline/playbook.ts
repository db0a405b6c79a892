// Procedures a person would follow by hand, each step tied to the checks that do it for them.
// `svcdoctor explain <id>` prints these when the id is not a check.

export interface Playbook {
  title: string;
  steps: { text: string; checks: string[] }[];
}

export const PLAYBOOKS: Record<string, Playbook> = {
  'nodeport-not-accessible': {
    title: 'A NodePort Service cannot be reached from outside the cluster (seed 002)',
    steps: [
      {
        text: 'Look at the Service itself: is it type NodePort or LoadBalancer, which nodePort does each port have, and do port, targetPort and the container port line up? Does its selector pick any Pod?',
        checks: [
          'service-not-found',
          'service-port-mismatch',
          'target-port-mismatch',
          'selector-matches-no-pods',
        ],
      },
      {
        text: 'Find the addresses a client outside the cluster would use: every node’s external (or internal, from a VPC) IP. Nodes that are NotReady, and nodes without a local endpoint under externalTrafficPolicy: Local, will not answer.',
        checks: ['endpoints-on-unready-nodes', 'etp-local-no-local-endpoint'],
      },
      {
        text: 'Try NODE_IP:NODE_PORT from outside (curl, nc) and keep the exact error: a refusal, a timeout and a reset point at different layers. Give the message to svcdoctor with --observed or an Observations file.',
        checks: ['container-not-listening', 'endpoints-not-ready'],
      },
      {
        text: 'Check what filters traffic before it reaches kube-proxy: the node security group or cloud firewall must admit the nodePort from the client’s address, and no NetworkPolicy may drop it at the backend.',
        checks: ['node-sg-blocks-nodeport', 'network-policy-denies'],
      },
      {
        text: 'Check that kube-proxy (or the CNI that replaces it) runs and is ready on the nodes, and that its rules for this Service are present.',
        checks: ['kube-proxy-not-running', 'kube-proxy-rules-missing'],
      },
      {
        text: 'Read the events of the Service’s namespace for endpoint and load balancer trouble (FailedToUpdateEndpoint, SyncLoadBalancerFailed) and readiness probe failures of its Pods.',
        checks: ['endpoints-not-ready', 'lb-not-provisioned'],
      },
      {
        text: 'Line the failure time up with what changed just before it, each kind within its own window: firewall rules and node networking 10 min, kube-proxy restarts 5 min, Service ports 30 min, cloud security groups and ACLs 10 min, CNI restarts 1 h. If nothing shows up, widen the windows (5→10 min, 10→30 min, 30 min→1 h, 1 h→2 h) and look for slower drift. `svcdoctor timeline SERVICE --at TIME` does this.',
        checks: ['recent-change-correlated'],
      },
    ],
  },
};
