// Starts the real execbox server (API + sandbox + the built UI) for the browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FRONTEND = resolve(import.meta.dirname, '..');
export const DIST = join(FRONTEND, 'dist');
export const RESULTS = join(FRONTEND, 'test-results');
const EXECBOX = process.env.EXECBOX_BIN ?? resolve(FRONTEND, '../.venv/bin/execbox');

export interface Server {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => ok(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`execbox serve exited with code ${child.exitCode} before it was healthy`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`execbox serve at ${url} was not healthy within ${timeoutMs} ms`);
}

// Each server's slot uids (2 + 2 x 2 templates x 2 = 10) are above the Python tests'
// (100000..125000); its engine takes the first free range from there by itself, beside the other
// e2e servers and any other test session on the host.
const FIRST_UID = '130000';

export async function startServer(name: string, env: Record<string, string>): Promise<Server> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('frontend/dist is missing: run `npm run build` before `npm run e2e`.');
  }
  mkdirSync(RESULTS, { recursive: true });
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `execbox-e2e-${name}-`));
  const log = createWriteStream(join(RESULTS, `server-${name}.log`));
  const child = spawn(EXECBOX, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: {
      ...process.env,
      SQLITE_PATH: join(dir, 'e2e.db'),
      SECRET_KEY: 'e2e',
      SANDBOX_FIRST_UID: FIRST_UID,
      SANDBOX_LIVE_RUNS: '2',
      SANDBOX_WARM_CHILDREN: '2',
      RATE_LIMIT_ENABLED: 'true',
      WEB_UI_DIR: DIST,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitHealthy(url, child, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}
