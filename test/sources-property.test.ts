// Property tests for the file source's parsers: whatever text or object arrives, the only way
// out other than a result is a SvcdoctorError (which the CLI turns into exit 2); and a valid
// Service survives raw → YAML/JSON text → model with every field we keep.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isSvcdoctorError } from '../src/errors.js';
import type { Service } from '../src/model/types.js';
import { type BundleItem, buildSnapshotData } from '../src/sources/convert.js';
import { parseDocuments } from '../src/sources/documents.js';
import { KUBE_KINDS } from '../src/sources/kube.js';

/** Run the whole text → SnapshotData path; return the error if it threw. */
function load(text: string, format: 'yaml' | 'json'): unknown {
  try {
    buildSnapshotData(parseDocuments(text, `bundle.${format}`, format));
    return undefined;
  } catch (e) {
    return e;
  }
}

const onlyTypedErrors = (e: unknown) => {
  if (e !== undefined && !isSvcdoctorError(e)) throw e;
};

/** Fragments that make YAML parsers work hard: anchors, aliases, merges, tags, flow and block mixes. */
const yamlPiece = fc.constantFrom(
  'apiVersion: v1\n',
  'kind: Service\n',
  'kind: Pod\n',
  'kind: List\n',
  'kind: ServiceList\n',
  'items:\n',
  'metadata:\n',
  '  name: web\n',
  '  namespace: default\n',
  'spec:\n',
  '  ports:\n',
  '  - port: 80\n',
  '    targetPort: http\n',
  '  selector: {app: web}\n',
  '- ',
  '  ',
  ': ',
  '&a ',
  '*a',
  '<<: *a\n',
  '!!str ',
  '!!binary ',
  '? ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '|\n',
  '>-\n',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '\t',
  '\n',
  '\uFEFF',
  'null',
  '~',
  '1e400',
  '0x1F',
  '.nan',
);

const jsonPiece = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"kind"',
  '"Service"',
  '"List"',
  '"items"',
  '"metadata"',
  '{"name":"web"}',
  '"spec"',
  '"ports"',
  '[{"port":80}]',
  '"port"',
  '"eighty"',
  '80',
  '-1',
  '1e999',
  'null',
  'true',
  '"\\u0000"',
  '"\\ud800"',
  '\n',
  ' ',
  '==== START logs for container x ====\n',
  '==== END logs for container x ====\n',
);

describe('parsers never crash with anything but a SvcdoctorError', () => {
  it('random text read as YAML', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => onlyTypedErrors(load(text, 'yaml'))),
      { numRuns: 300 },
    );
  });

  it('random YAML-shaped text', () => {
    fc.assert(
      fc.property(fc.array(yamlPiece, { maxLength: 60 }), (pieces) =>
        onlyTypedErrors(load(pieces.join(''), 'yaml')),
      ),
      { numRuns: 500 },
    );
  });

  it('random text read as JSON', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => onlyTypedErrors(load(text, 'json'))),
      { numRuns: 300 },
    );
  });

  it('random JSON-shaped text, including concatenated values and dump log sections', () => {
    fc.assert(
      fc.property(fc.array(jsonPiece, { maxLength: 60 }), (pieces) =>
        onlyTypedErrors(load(pieces.join(''), 'json')),
      ),
      { numRuns: 500 },
    );
  });

  it('valid JSON of any shape', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => onlyTypedErrors(load(text, 'json'))),
      { numRuns: 300 },
    );
  });

  it('random objects of every known kind, fields of any type', () => {
    const field = fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false });
    const object = fc.record(
      {
        apiVersion: fc.constantFrom(
          'v1',
          'apps/v1',
          'discovery.k8s.io/v1',
          'networking.k8s.io/v1',
          'svcdoctor/v1alpha1',
        ),
        kind: fc.constantFrom(...KUBE_KINDS, 'CloudInventory', 'Observations', 'List', 'Unknown'),
        metadata: fc.oneof(
          field,
          fc.record({
            name: fc.oneof(fc.string(), field),
            namespace: fc.oneof(fc.string(), field),
            labels: field,
          }),
        ),
        spec: field,
        status: field,
        items: field,
        data: field,
        subsets: field,
        endpoints: field,
        ports: field,
      },
      { requiredKeys: ['kind'] },
    );
    fc.assert(
      fc.property(fc.array(object, { maxLength: 4 }), (raws) => {
        const items: BundleItem[] = raws.map((raw, i) => ({
          raw,
          origin: { file: 'random.yaml', line: i + 1, doc: i },
          lineOf: () => i + 1,
        }));
        try {
          buildSnapshotData(items);
        } catch (e) {
          onlyTypedErrors(e);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('deep nesting is refused, never a stack overflow', () => {
  const deep = 20_000;
  const cases: [string, string, 'yaml' | 'json'][] = [
    ['YAML flow sequences', `a: ${'['.repeat(deep)}${']'.repeat(deep)}`, 'yaml'],
    ['YAML block mappings', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'), 'yaml'],
    ['YAML nested "- " markers', `${'- '.repeat(deep)}x`, 'yaml'],
    ['JSON arrays', `${'['.repeat(deep)}${']'.repeat(deep)}`, 'json'],
    ['JSON in a .yaml file, unclosed', '{"a":'.repeat(deep), 'yaml'],
  ];
  for (const [name, text, format] of cases) {
    it(name, () => {
      const e = load(text, format);
      expect(isSvcdoctorError(e)).toBe(true);
      expect((e as { code: string }).code).toBe('SVCDOCTOR_INPUT_MALFORMED');
    });
  }
});

// ------------------------------------------------------------------ round trip

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/);
const portName = fc.stringMatching(/^[a-z]([a-z0-9-]{0,11}[a-z0-9])?$/);
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));

interface RawPort {
  name: string;
  port: number;
  targetPort: number | string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  nodePort?: number;
}

const rawService = fc
  .record({
    name: dnsLabel,
    namespace: dnsLabel,
    type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName') as fc.Arbitrary<
      Service['type']
    >,
    selector: fc.option(fc.dictionary(dnsLabel, dnsLabel, { minKeys: 1, maxKeys: 3 }), { nil: undefined }),
    clusterIP: fc.oneof(ipv4, fc.constant('None')),
    ports: fc.uniqueArray(
      fc.record({
        name: portName,
        port: fc.integer({ min: 1, max: 65535 }),
        targetPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), portName),
        protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') as fc.Arbitrary<RawPort['protocol']>,
        nodePort: fc.integer({ min: 30000, max: 32767 }),
      }),
      { minLength: 1, maxLength: 4, selector: (p) => p.name },
    ),
    externalTrafficPolicy: fc.constantFrom('Cluster', 'Local') as fc.Arbitrary<
      Service['externalTrafficPolicy']
    >,
    sessionAffinity: fc.constantFrom('None', 'ClientIP') as fc.Arbitrary<Service['sessionAffinity']>,
    publishNotReadyAddresses: fc.boolean(),
    labels: fc.dictionary(dnsLabel, fc.string({ maxLength: 20 }), { maxKeys: 3 }),
  })
  .map((s) => {
    const external = s.type === 'NodePort' || s.type === 'LoadBalancer';
    const clusterIP =
      s.type === 'ExternalName' ? undefined : external && s.clusterIP === 'None' ? '10.0.0.1' : s.clusterIP;
    const ports: RawPort[] = s.ports.map(({ nodePort, ...p }) => (external ? { ...p, nodePort } : p));
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
      spec: {
        type: s.type,
        ...(s.selector ? { selector: s.selector } : {}),
        ...(clusterIP ? { clusterIP, ...(clusterIP !== 'None' ? { clusterIPs: [clusterIP] } : {}) } : {}),
        ...(s.type === 'ExternalName' ? { externalName: 'db.example.com' } : {}),
        ports,
        ...(external ? { externalTrafficPolicy: s.externalTrafficPolicy } : {}),
        sessionAffinity: s.sessionAffinity,
        publishNotReadyAddresses: s.publishNotReadyAddresses,
      },
    };
  });

type RawService = ReturnType<(typeof rawService)['generate']>['value'];

/** The model fields a raw Service must come back as. */
function expected(raw: RawService) {
  const spec = raw.spec as Record<string, unknown> & { ports: RawPort[]; type: Service['type'] };
  const clusterIP = spec.type === 'ExternalName' ? '' : ((spec.clusterIP as string | undefined) ?? '');
  return {
    name: raw.metadata.name,
    namespace: raw.metadata.namespace,
    labels: raw.metadata.labels,
    type: spec.type,
    selector: spec.selector,
    clusterIP,
    headless: clusterIP === 'None',
    ports: spec.ports.map((p) => ({
      name: p.name,
      protocol: p.protocol,
      port: p.port,
      targetPort: p.targetPort,
      ...(p.nodePort ? { nodePort: p.nodePort } : {}),
    })),
    externalTrafficPolicy: (spec.externalTrafficPolicy as string | undefined) ?? 'Cluster',
    sessionAffinity: spec.sessionAffinity,
    publishNotReadyAddresses: spec.publishNotReadyAddresses,
  };
}

function kept(s: Service) {
  return {
    name: s.meta.name,
    namespace: s.meta.namespace,
    labels: s.meta.labels,
    type: s.type,
    selector: s.selector,
    clusterIP: s.clusterIP,
    headless: s.headless,
    ports: s.ports.map(({ appProtocol: _a, ...p }) => p),
    externalTrafficPolicy: s.externalTrafficPolicy,
    sessionAffinity: s.sessionAffinity,
    publishNotReadyAddresses: s.publishNotReadyAddresses,
  };
}

describe('a valid Service round-trips: raw → text → model', () => {
  for (const format of ['yaml', 'json'] as const) {
    it(`through ${format}`, () => {
      fc.assert(
        fc.property(rawService, (raw) => {
          const text = format === 'yaml' ? stringify(raw) : JSON.stringify(raw, null, 2);
          const data = buildSnapshotData(parseDocuments(text, `svc.${format}`, format));
          expect(data.services).toHaveLength(1);
          expect(kept(data.services[0] as Service)).toEqual(expected(raw));
          expect(data.collected.Service).toBe(true);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('inside a kind: List, each item keeps its own line', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(rawService, {
          minLength: 1,
          maxLength: 4,
          selector: (s) => `${s.metadata.namespace}/${s.metadata.name}`,
        }),
        (raws) => {
          const text = stringify({ apiVersion: 'v1', kind: 'List', items: raws });
          const data = buildSnapshotData(parseDocuments(text, 'list.yaml', 'yaml'));
          expect(data.services.map(kept)).toEqual(raws.map(expected));
          const lines = data.services.map((s) => s.meta.origin?.line ?? 0);
          expect([...lines].sort((a, b) => a - b)).toEqual(lines);
          expect(new Set(lines).size).toBe(lines.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
