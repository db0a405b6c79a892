// Live read speed: the live source reading a synthetic 10,000-Service / 50,000-Pod cluster from
// the fake API server (HTTPS, bearer token, pages of 500), against fetching exactly the same
// pages with bare node:https + JSON.parse at the same concurrency. Both talk to the same server,
// so the ratio is the client's own overhead (library transport, auth, bookkeeping, conversion).
import { request } from 'node:https';
import { loadLive } from '../src/sources/live/index.js';
import { mapLimit, readLive } from '../src/sources/live/read.js';
import { LIVE_RESOURCES } from '../src/sources/live/resources.js';
import { FakeApiServer } from '../test/support/fake-apiserver.js';
import { syntheticCluster } from './load.bench.js';
import { interleaved, ms, ratio } from './util.js';

const CONCURRENCY = 4;

/** One GET; a keep-alive socket the server closed meanwhile is retried once, as any client would. */
async function bareGet(server: FakeApiServer, path: string, query: Record<string, string>): Promise<unknown> {
  try {
    return await bareGetOnce(server, path, query);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ECONNRESET') throw e;
    return bareGetOnce(server, path, query);
  }
}

function bareGetOnce(server: FakeApiServer, path: string, query: Record<string, string>): Promise<unknown> {
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

export async function run(): Promise<string[]> {
  const cluster = syntheticCluster(10_000, 5) as { items: unknown[] };
  const server = await FakeApiServer.start({ objects: cluster.items });
  try {
    const kubeconfig = server.writeKubeconfig();
    const options = { kubeconfig, namespaces: 'all' as const, concurrency: CONCURRENCY, pageSize: 500 };

    const before = server.requests.length;
    const first = await readLive(options);
    const objects = first.items.length;
    const requests = first.requestCount;
    // The list paths the live source used (one per kind and scope); the bare client pages them the same way.
    const reqs = server.requests.slice(before);
    const lists = [...new Set(reqs.filter((r) => r.verb === 'list').map((r) => r.path))];
    const gets = reqs.filter((r) => r.verb === 'get').length;
    const bareRequests = (await bareRead(server, lists)).requests;

    const [bareMs, liveMs, convertedMs] = (await interleaved([
      () => bareRead(server, lists),
      () => readLive(options),
      () => loadLive({ kubeconfig, allNamespaces: true, concurrency: CONCURRENCY }),
    ])) as [number, number, number];

    const perKind = LIVE_RESOURCES.filter((r) => !r.names).length;
    return [
      `cluster: 10,000 Services, 50,000 Pods, ${objects} objects read over HTTPS from the fake API server`,
      `requests: ${requests} (${lists.length} paged lists for ${perKind} listed kinds + ${gets} ConfigMap GETs by name; bare client: ${bareRequests} for the same pages)`,
      `live read (raw objects): ${ms(liveMs)} = ${ratio(liveMs, bareMs)} bare HTTPS + JSON.parse (${ms(bareMs)})`,
      `live read + convert (loadLive → SnapshotData): ${ms(convertedMs)} = ${ratio(convertedMs, bareMs)} bare HTTPS + JSON.parse`,
    ];
  } finally {
    await server.stop();
  }
}
