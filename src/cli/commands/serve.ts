import { SvcdoctorError } from '../../errors.js';
import type { Snapshot } from '../../model/snapshot.js';
import { createSvcdoctorServer, listen } from '../../server/server.js';
import { openSnapshot } from '../source.js';
import type { CommandSpec } from '../spec.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'local web UI, JSON API, Alertmanager webhook and Prometheus metrics (127.0.0.1 by default)',
  options: [
    {
      flags: '--listen <host>',
      description: 'address to bind (default 127.0.0.1; other addresses expose the cluster view)',
      default: '127.0.0.1',
    },
    { flags: '--port <port>', description: 'TCP port', default: '8080' },
    {
      flags: '--refresh <seconds>',
      description: 'live source: re-read the cluster at most this often',
      default: '60',
    },
  ],
  usesSource: true,
  formats: [],
  examples: ['svcdoctor serve --demo selector-typo', 'svcdoctor serve --from ./bundle --port 9000'],
  async run({ opts, io }) {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new SvcdoctorError('SVCDOCTOR_USAGE', `--port ${String(opts.port)}: expected 0-65535`);
    const refreshMs = Math.max(5, Number(opts.refresh) || 60) * 1000;
    const live = !opts.from && !opts.demo;
    let current: Snapshot = await openSnapshot(opts, io);
    let loadedAt = Date.now();
    const server = createSvcdoctorServer({
      snapshot: async () => {
        if (live && Date.now() - loadedAt > refreshMs) {
          current = await openSnapshot(opts, io);
          loadedAt = Date.now();
        }
        return current;
      },
    });
    const addr = await listen(server, String(opts.listen), port);
    io.stderr(
      `svcdoctor: serving on http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}/ (Ctrl-C to stop)\n`,
    );
    await new Promise<void>((resolve) => {
      io.onInterrupt?.(() => new Promise<void>((r) => server.close(() => r())));
      server.on('close', resolve);
    });
    return 0;
  },
};
