import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { question } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import { Snapshot } from '../model/snapshot.js';
import type { NodeDumpFiles, SnapshotData } from '../model/types.js';
import { GOLDEN_NODE, goldenData } from '../nodedump/fixtures/golden-cluster.js';
import check from './kube-proxy-rules-missing.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../nodedump/fixtures/${name}`, import.meta.url)), 'utf8');
const GOLDEN = fixture('test-node.iptables');
const ADDR = fixture('test-node.addr');

/** The golden node's dump with every line matching one of `drop` removed. */
const without = (...drop: RegExp[]): string =>
  GOLDEN.split('\n')
    .filter((l) => !drop.some((d) => d.test(l)))
    .join('\n');

function snap(iptables: string | undefined, change?: (d: SnapshotData) => void, ipvs?: string): Snapshot {
  const d = goldenData();
  const dump: NodeDumpFiles = { node: GOLDEN_NODE, addr: { text: ADDR, file: 'test-node.addr' } };
  if (iptables !== undefined) dump.iptables = { text: iptables, file: 'test-node.iptables' };
  if (ipvs !== undefined) dump.ipvs = { text: ipvs, file: 'test-node.ipvs' };
  d.nodeDumps = [dump];
  change?.(d);
  return new Snapshot(d);
}

const IPVS_OK = ['-A -t 172.30.0.41:80 -s rr', '-a -t 172.30.0.41:80 -r 10.180.0.1:80 -m -w 1', ''].join(
  '\n',
);
const IPVS_STALE = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  'TCP  172.30.0.41:80 rr',
  '  -> 10.180.0.1:80                Masq    1      0          0',
  '  -> 10.180.0.99:80               Masq    1      0          0',
  '',
].join('\n');
const ipvsMode = (d: SnapshotData) => {
  d.kubeProxy = { ...d.kubeProxy!, mode: 'ipvs' };
};

checkTable(check, {
  valid: [
    {
      name: 'the golden node matches what kube-proxy should program for a ClusterIP',
      snapshot: snap(GOLDEN),
      question: question('ns1/svc1'),
    },
    {
      name: 'an eTP Local LoadBalancer with its NodePort and local endpoint is complete',
      snapshot: snap(GOLDEN),
      question: question('ns7/svc7'),
    },
    {
      name: 'LoadBalancer IPs with source ranges and ClientIP affinity are complete',
      snapshot: snap(GOLDEN),
      question: question('ns5/svc5'),
    },
    {
      name: 'an eTP Local LoadBalancer without a local endpoint drops outside traffic as kube-proxy does',
      snapshot: snap(GOLDEN),
      question: question('ns2/svc2'),
    },
    {
      name: 'external IPs are forwarded',
      snapshot: snap(GOLDEN),
      question: question('ns4/svc4'),
    },
    {
      name: 'a Service without endpoints has its REJECT rule',
      snapshot: snap(GOLDEN),
      question: question('ns6/svc6'),
    },
    {
      name: 'a UDP Service with three endpoints is complete',
      snapshot: snap(GOLDEN),
      question: question('ns8/svc8'),
    },
    {
      name: 'an IPVS node whose virtual service has the right real server',
      snapshot: snap(undefined, ipvsMode, IPVS_OK),
      question: question('ns1/svc1'),
    },
    {
      name: 'an IPVS-mode node with only its iptables dump is not compared with iptables-mode rules',
      snapshot: snap(without(/XPGD46QRK7WJZT7O/, /SXIVWICOYRO3J4NJ/), ipvsMode),
      question: question('ns1/svc1'),
    },
    {
      name: 'a dump whose KUBE-SERVICES matches kube-proxy ipsets (IPVS mode, mode unknown) is not compared',
      snapshot: snap(
        [
          '*nat',
          ':PREROUTING ACCEPT [0:0]',
          ':KUBE-SERVICES - [0:0]',
          ':KUBE-MARK-MASQ - [0:0]',
          '-A KUBE-SERVICES ! -s 10.0.0.0/8 -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ',
          'COMMIT',
          '',
        ].join('\n'),
        (d) => {
          d.kubeProxy = { ...d.kubeProxy!, mode: undefined };
        },
      ),
      question: question('ns1/svc1'),
    },
    {
      name: 'an IPVS node serving an iTP Local ClusterIP with its own endpoint only',
      snapshot: snap(
        undefined,
        (d) => {
          ipvsMode(d);
          d.endpointSlices
            .find((s) => s.serviceName === 'svc9')!
            .endpoints.push({
              addresses: ['10.180.0.14'],
              conditions: { ready: true, serving: true, terminating: false },
              nodeName: GOLDEN_NODE,
              hintsForZones: [],
              hintsForNodes: [],
            });
        },
        ['-A -t 172.30.0.49:80 -s rr', '-a -t 172.30.0.49:80 -r 10.180.0.14:80 -m -w 1', ''].join('\n'),
      ),
      question: question('ns9/svc9'),
    },
    {
      name: 'an IPVS node with an eTP Local LoadBalancer: local real servers on NodePort and LB IP, all on the ClusterIP',
      snapshot: snap(
        undefined,
        ipvsMode,
        [
          '-A -t 172.30.0.47:80 -s rr',
          '-a -t 172.30.0.47:80 -r 10.180.0.7:80 -m -w 1',
          '-a -t 172.30.0.47:80 -r 10.180.0.8:80 -m -w 1',
          '-A -t 192.168.0.2:3007 -s rr',
          '-a -t 192.168.0.2:3007 -r 10.180.0.7:80 -m -w 1',
          '-A -t 9.10.11.12:80 -s rr',
          '-a -t 9.10.11.12:80 -r 10.180.0.7:80 -m -w 1',
          '',
        ].join('\n'),
      ),
      question: question('ns7/svc7'),
    },
    {
      name: 'EndpointSlices not collected: the dump is not judged against an empty endpoint list',
      snapshot: snap(GOLDEN, (d) => {
        d.endpointSlices = [];
        d.collected = { Service: true, Node: true };
      }),
      question: question('ns1/svc1'),
    },
    {
      name: 'no node dump: nothing to compare',
      snapshot: new Snapshot(goldenData()),
      question: question('ns1/svc1'),
    },
  ],
  invalid: [
    {
      name: "the Service's chains and KUBE-SERVICES rule are gone from the node",
      snapshot: snap(without(/XPGD46QRK7WJZT7O/, /SXIVWICOYRO3J4NJ/)),
      question: question('ns1/svc1'),
      hits: [
        {
          data: {
            node: GOLDEN_NODE,
            problem: 'missing-service-rules',
            path: 'clusterip',
            expected: ['10.180.0.1:80'],
            actual: [],
            missingChains: ['KUBE-SVC-XPGD46QRK7WJZT7O', 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
          },
          subject: { kind: 'Node', name: GOLDEN_NODE },
        },
      ],
    },
    {
      name: 'an endpoint removed from the EndpointSlice is still in the node rules',
      snapshot: snap(GOLDEN, (d) => {
        const s = d.endpointSlices.find((x) => x.serviceName === 'svc4')!;
        s.endpoints = s.endpoints.filter((e) => e.addresses[0] !== '10.180.0.4');
      }),
      question: question('ns4/svc4'),
      hits: [
        {
          data: {
            problem: 'stale-endpoints',
            path: 'clusterip',
            expected: ['10.180.0.5:80'],
            actual: ['10.180.0.4:80', '10.180.0.5:80'],
            // The node's DNAT rule that still sends to the removed endpoint, by chain and line.
            rule: expect.stringMatching(
              /^nat\/KUBE-SEP-UKSFD7AGPMPPLUHC line 12\d: .*--to-destination 10\.180\.0\.4:80$/,
            ),
          },
        },
        {
          // The Service's external IP goes through the same stale endpoint chain.
          data: {
            problem: 'stale-endpoints',
            path: 'externalip',
            expected: ['10.180.0.5:80'],
            actual: ['10.180.0.4:80', '10.180.0.5:80'],
          },
        },
      ],
    },
    {
      name: 'a new endpoint has no KUBE-SEP chain on the node',
      snapshot: snap(GOLDEN, (d) => {
        d.endpointSlices
          .find((x) => x.serviceName === 'svc1')!
          .endpoints.push({
            addresses: ['10.180.0.6'],
            conditions: { ready: true, serving: true, terminating: false },
            hintsForZones: [],
            hintsForNodes: [],
          });
      }),
      question: question('ns1/svc1'),
      hits: [
        {
          data: {
            problem: 'missing-endpoints',
            expected: ['10.180.0.1:80', '10.180.0.6:80'],
            actual: ['10.180.0.1:80'],
          },
        },
      ],
    },
    {
      name: 'the KUBE-NODEPORTS entry of a NodePort Service is missing',
      snapshot: snap(without(/-A KUBE-NODEPORTS .*ns3\/svc3/)),
      question: question('ns3/svc3'),
      hits: [
        {
          data: {
            problem: 'missing-nodeport',
            path: 'nodeport',
            expected: ['10.180.0.3:80'],
            actual: [],
            rule: 'no rule in nat/KUBE-NODEPORTS matches the packet',
          },
        },
      ],
    },
    {
      name: 'the load-balancer IP rule is gone, so KUBE-PROXY-FIREWALL drops allowed clients',
      snapshot: snap(without(/-A KUBE-SERVICES -d 5\.6\.7\.8\//)),
      question: question('ns5/svc5'),
      hits: [
        {
          data: {
            problem: 'missing-service-rules',
            path: 'loadbalancer',
            expected: ['10.180.0.3:80'],
            actual: [],
            rule: expect.stringMatching(
              /^filter\/KUBE-PROXY-FIREWALL line \d+: .*-d 5\.6\.7\.8\/32 .*-j DROP$/,
            ),
          },
        },
      ],
    },
    {
      name: 'the nat table was flushed: no kube-proxy chain at all',
      snapshot: snap('*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n'),
      question: question('ns1/svc1'),
      hits: [{ data: { problem: 'no-kube-proxy-rules', missingChains: ['KUBE-SERVICES'] } }],
    },
    {
      name: 'an IPVS virtual service keeps a real server that is no longer an endpoint',
      snapshot: snap(undefined, ipvsMode, IPVS_STALE),
      question: question('ns1/svc1'),
      hits: [
        {
          data: {
            problem: 'stale-endpoints',
            expected: ['10.180.0.1:80'],
            actual: ['10.180.0.1:80', '10.180.0.99:80'],
          },
        },
      ],
    },
    {
      name: 'an IPVS node has the ClusterIP virtual service but none for the NodePort',
      snapshot: snap(
        undefined,
        ipvsMode,
        ['-A -t 172.30.0.43:80 -s rr', '-a -t 172.30.0.43:80 -r 10.180.0.3:80 -m -w 1', ''].join('\n'),
      ),
      question: question('ns3/svc3'),
      hits: [
        { data: { problem: 'missing-nodeport', path: 'nodeport', expected: ['10.180.0.3:80'], actual: [] } },
      ],
    },
    {
      name: 'a Service that lost all endpoints still DNATs to the old pod',
      snapshot: snap(GOLDEN, (d) => {
        d.endpointSlices = d.endpointSlices.filter((x) => x.serviceName !== 'svc1');
      }),
      question: question('ns1/svc1'),
      hits: [{ data: { problem: 'stale-endpoints', expected: [], actual: ['10.180.0.1:80'] } }],
    },
  ],
});
