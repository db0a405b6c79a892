// Live read speed: the live source reading a synthetic 10,000-Service / 50,000-Pod cluster from
// the fake API server (HTTPS, bearer token, pages of 500), against fetching exactly the same
// pages with bare node:https + JSON.parse at the same concurrency. Both talk to the same server,
// so the ratio is the client's own overhead (library transport, auth, bookkeeping, conversion).
import { request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { loadLive } from '../src/sources/live/index.js';
import { mapLimit, readLive } from '../src/sources/live/read.js';
import { LIVE_RESOURCES } from '../src/sources/live/resources.js';
import { FakeApiServer } from '../test/support/fake-apiserver.js';
import { syntheticCluster } from './load.bench.js';
import { ms, ratio } from './util.js';

const CONCURRENCY = 4;

function bareGet(server: FakeApiServer, path: string, query: Record<string, string>): Promise<unknown> {
  const url = new URL(path, server.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: server.ca, headers: { authorization: `Bearer ${server.token}`, accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The same paged lists, followed by continue tokens, with bare HTTPS + JSON.parse. */
async function bareRead(
  server: FakeApiServer,
  paths: string[],
): Promise<{ objects: number; requests: number }> {
  let objects = 0;
  let requests = 0;
  await mapLimit(paths, CONCURRENCY, async (path) => {
    let cont: string | undefined;
    do {
      const body = (await bareGet(server, path, { limit: '500', ...(cont ? { continue: cont } : {}) })) as {
        items?: unknown[];
        metadata?: { continue?: string };
      };
      requests++;
      objects += body.items?.length ?? 0;
      cont = body.metadata?.continue || undefined;
    } while (cont);
  });
  return { objects, requests };
}

async function median3<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  await fn();
  const runs: { ms: number; value: T }[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const value = await fn();
    runs.push({ ms: performance.now() - t0, value });
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[1]!;
}

export async function run(): Promise<string[]> {
  const cluster = syntheticCluster(10_000, 5) as { items: unknown[] };
  const server = await FakeApiServer.start({ objects: cluster.items });
  try {
    const kubeconfig = server.writeKubeconfig();
    const options = { kubeconfig, namespaces: 'all' as const, concurrency: CONCURRENCY, pageSize: 500 };

    let before = server.requests.length;
    const live = await median3(() => readLive(options));
    const objects = live.value.items.length;
    const requests = live.value.requestCount;
    // The list paths the live source used (one per kind and scope); the bare client pages them the same way.
    const lists = [
      ...new Set(
        server.requests
          .slice(before)
          .filter((r) => r.verb === 'list')
          .map((r) => r.path),
      ),
    ];
    const gets = server.requests.slice(before).filter((r) => r.verb === 'get').length / 4;

    before = server.requests.length;
    const bare = await median3(() => bareRead(server, lists));
    const converted = await median3(() =>
      loadLive({ kubeconfig, allNamespaces: true, concurrency: CONCURRENCY }),
    );

    const perKind = LIVE_RESOURCES.filter((r) => !r.names).length;
    return [
      `cluster: 10,000 Services, 50,000 Pods, ${objects} objects read over HTTPS from the fake API server`,
      `requests: ${requests} (${lists.length} paged lists for ${perKind} listed kinds + ${gets} ConfigMap GETs by name; bare client: ${bare.value.requests} for the same pages)`,
      `live read (raw objects): ${ms(live.ms)} = ${ratio(live.ms, bare.ms)} bare HTTPS + JSON.parse (${ms(bare.ms)})`,
      `live read + convert (loadLive → SnapshotData): ${ms(converted.ms)} = ${ratio(converted.ms, bare.ms)} bare HTTPS + JSON.parse`,
    ];
  } finally {
    await server.stop();
  }
}
