import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { localAppSettings } from '../dev/local-stack/local-environment';
import { RunningServer, runJsonScript, startServerScript } from './child-script';
import { waitForQuiet } from './cpu';
import { customerBody, newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { postJson, sleep } from './http-client';
import { BenchOptions } from './options';
import { OurHost, startOurHost } from './our-host';
import { repoRoot } from './paths';
import { summarize, Summary } from './stats';

export interface HostStart {
  /** Spawning the host process → its `Host ready` line. */
  readyMs: number;
  /** Spawning the host process → the first 202 of `POST /api/customers`. */
  first202Ms: number;
  /** VmRSS right after the first 202 (MB). */
  idleRssMb: number | null;
}

export interface ColdStartResult {
  runs: number;
  /** Baseline: the bare baseline server (same SDKs, same writes), spawn → first 202. */
  baselineFirst202: Summary;
  /** The shipped way: plain `node`. */
  hostStarts: HostStart[];
  first202: Summary;
  ready: Summary;
  /** Same with NODE_COMPILE_CACHE (Node 22's on-disk compile cache) already filled by an earlier start. */
  compileCache: { hostStarts: HostStart[]; first202: Summary };
  /** `require` of the app's `main` files as the host does it, fresh process each (ms). */
  appLoad: Summary & { modules: number; functions: number };
  appLoadWithCompileCache: Summary;
  /** Baseline: a plain `require` of the app's six packages in one fresh process (ms). */
  dependenciesLoad: Summary & { modules: number };
  /** What the app's load is made of: each package alone in a fresh process (ms, modules). */
  packages: { name: string; ms: number; modules: number }[];
  /** The Key Vault and Entra ID SDKs on top of everything else the app loads: what loading them lazily saves. */
  lazyIdentityAndKeyVaultSavesMs: number;
}

const PACKAGES = [
  '@azure/functions',
  'zod',
  '@azure/data-tables',
  '@azure/storage-queue',
  '@azure/identity',
  '@azure/keyvault-secrets',
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function hostStart(
  storage: string,
  emulator: BenchEmulator,
  env: NodeJS.ProcessEnv,
): Promise<HostStart> {
  const port = await freePort();
  const started = performance.now();
  let readyMs = NaN;
  const box: { host?: OurHost } = {};
  const first202Ms = await firstAccepted(port, async () => {
    box.host = await startOurHost(storage, emulator, {}, { port, env });
    readyMs = performance.now() - started;
  });
  const idleRssMb = box.host?.rss.report().lastMb ?? null;
  await box.host?.stop();
  return { readyMs: Math.round(readyMs), first202Ms: Math.round(first202Ms), idleRssMb };
}

/** Spawns a server (`start`) and POSTs until the first 202; ms from the spawn. */
async function firstAccepted(port: number, start: () => Promise<unknown>): Promise<number> {
  const tag = newTag();
  const started = performance.now();
  const starting = start();
  starting.catch(() => undefined);
  let first202Ms = NaN;
  for (let i = 0; Number.isNaN(first202Ms) && performance.now() - started < 30_000; i += 1) {
    const answer = await postJson(`http://127.0.0.1:${port}/api/customers`, customerBody(tag, i), {
      timeoutMs: 5_000,
    });
    if (answer.status === 202) first202Ms = performance.now() - started;
    else await sleep(5);
  }
  await starting;
  return first202Ms;
}

async function baselineStart(storage: string): Promise<number> {
  const port = await freePort();
  const suffix = randomBytes(4).toString('hex');
  const box: { server?: RunningServer } = {};
  const ms = await firstAccepted(port, async () => {
    box.server = await startServerScript('baseline-server', {
      BENCH_STORAGE: storage,
      BENCH_TABLE: `cold${suffix}`,
      BENCH_QUEUE: `cold-${suffix}`,
      BENCH_PORT: String(port),
    });
  });
  await box.server?.stop();
  return Math.round(ms);
}

async function appLoads(
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; modules: number; functions: number }[]> {
  const out: { ms: number; modules: number; functions: number }[] = [];
  for (let i = 0; i < runs; i += 1) {
    out.push(await runJsonScript('load-app', { appDir: repoRoot() }, { env }));
  }
  return out;
}

/** Item 5: host start to the first 202, the app's load time and what it is made of. */
export async function runColdStart(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<ColdStartResult> {
  const runs = Math.max(1, options.coldStartRuns);
  const appEnv = {
    ...localAppSettings(emulator.url, 'UseDevelopmentStorage=true'),
    NODE_COMPILE_CACHE: undefined,
  };
  await waitForQuiet(log);
  log(`cold start: app load (${runs} fresh processes), package costs`);
  const loads = await appLoads(runs, appEnv);
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-compile-cache-'));
  await appLoads(1, { ...appEnv, NODE_COMPILE_CACHE: cacheDir });
  const cachedLoads = await appLoads(runs, { ...appEnv, NODE_COMPILE_CACHE: cacheDir });
  const packages: { name: string; ms: number; modules: number }[] = [];
  for (const name of PACKAGES) {
    const r = await runJsonScript<{ ms: number; modules: number }>('load-app', {
      appDir: repoRoot(),
      modules: [name],
    });
    packages.push({ name, ms: Math.round(r.ms), modules: r.modules });
  }
  const dependencies: { ms: number; modules: number }[] = [];
  for (let i = 0; i < runs; i += 1) {
    dependencies.push(await runJsonScript('load-app', { appDir: repoRoot(), modules: PACKAGES }));
  }
  const lazy = await runJsonScript<{ ms: number }>('load-app', {
    appDir: repoRoot(),
    after: PACKAGES.filter((p) => !['@azure/identity', '@azure/keyvault-secrets'].includes(p)),
    modules: ['@azure/identity', '@azure/keyvault-secrets'],
  });

  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    await waitForQuiet(log);
    log(`cold start: ${runs} host starts to the first 202, then ${runs} with a warm compile cache`);
    const baselineStarts: number[] = [];
    for (let i = 0; i < runs; i += 1) baselineStarts.push(await baselineStart(azurite.connectionString));
    const hostStarts: HostStart[] = [];
    for (let i = 0; i < runs; i += 1)
      hostStarts.push(await hostStart(azurite.connectionString, emulator, {}));
    const hostCache = mkdtempSync(join(tmpdir(), 'bench-compile-cache-'));
    await hostStart(azurite.connectionString, emulator, { NODE_COMPILE_CACHE: hostCache });
    const cached: HostStart[] = [];
    for (let i = 0; i < runs; i += 1) {
      cached.push(await hostStart(azurite.connectionString, emulator, { NODE_COMPILE_CACHE: hostCache }));
    }
    return {
      runs,
      baselineFirst202: summarize(baselineStarts),
      hostStarts,
      first202: summarize(hostStarts.map((h) => h.first202Ms)),
      ready: summarize(hostStarts.map((h) => h.readyMs)),
      compileCache: { hostStarts: cached, first202: summarize(cached.map((h) => h.first202Ms)) },
      appLoad: {
        ...summarize(loads.map((l) => l.ms)),
        modules: loads[0]?.modules ?? 0,
        functions: loads[0]?.functions ?? 0,
      },
      appLoadWithCompileCache: summarize(cachedLoads.map((l) => l.ms)),
      dependenciesLoad: {
        ...summarize(dependencies.map((d) => d.ms)),
        modules: dependencies[0]?.modules ?? 0,
      },
      packages,
      lazyIdentityAndKeyVaultSavesMs: Math.round(lazy.ms),
    };
  } finally {
    await azurite.stop();
  }
}
