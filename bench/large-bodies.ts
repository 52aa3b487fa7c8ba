import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startAppStack } from '../dev/local-stack/app-stack';
import { repoRoot } from './paths';
import { sampleRss } from './rss';

/**
 * Issue 24's memory check: three 90 MB posts to an anonymous route (the Shopify webhook) and the
 * host's resident memory before and after, with FUNCTIONS_REQUEST_BODY_SIZE_LIMIT unset (the
 * host's 100 MB default: bodies are read whole before the function runs) and as deployed (1 MiB:
 * refused before they are read); each with a declared Content-Length and chunked.
 *   npm run build:all && node dist-dev/bench/large-bodies.js
 * Writes bench/large-bodies-latest.json.
 */
const BODY = 90 * 1024 * 1024;
const PIECE = Buffer.alloc(1024 * 1024, 'x');

/** Posts `BODY` bytes, stopping as soon as the host answers or closes; resolves with the status. */
function post(url: string, chunked: boolean): Promise<number | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (status?: number) => {
      if (done) return;
      done = true;
      req.destroy();
      resolve(status);
    };
    const req = request(`${url}/api/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': BODY }),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode));
    });
    req.on('error', () => finish(undefined));
    void (async () => {
      for (let sent = 0; sent < BODY && !done; sent += PIECE.length) {
        if (!req.write(PIECE)) await new Promise((r) => req.once('drain', r));
      }
      if (!done) req.end();
    })();
  });
}

const rssMb = (pid: number): number => {
  const sampler = sampleRss(pid, 1000);
  const mb = sampler.stop().lastMb ?? NaN;
  return mb;
};

async function run(limit: string | undefined) {
  const stack = await startAppStack({
    settings:
      limit === undefined
        ? { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '' }
        : { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: limit },
  });
  try {
    // Warm the route with a small body (the first invocation loads the app's modules).
    await fetch(`${stack.url}/api/webhooks/shopify`, { method: 'POST', body: '{}' }).catch(() => undefined);
    const rows = [];
    for (const chunked of [false, true]) {
      const sampler = sampleRss(stack.pid, 100);
      const before = rssMb(stack.pid);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await post(stack.url, chunked));
      await new Promise((r) => setTimeout(r, 2000));
      const after = rssMb(stack.pid);
      const report = sampler.stop();
      rows.push({
        body: chunked ? 'chunked' : 'content-length',
        statuses,
        rssBeforeMb: before,
        rssAfterMb: after,
        rssGrowthMb: Math.round((after - before) * 10) / 10,
        peakMb: report.peakMb,
      });
    }
    return { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: limit ?? 'unset (104857600)', rows };
  } finally {
    await stack.stop();
  }
}

async function main() {
  const started = new Date().toISOString();
  const load = loadavg().map((n) => Math.round(n * 100) / 100);
  const results = [await run(undefined), await run('1048576')];
  const out = { started, loadAverage: load, bodyBytes: BODY, posts: 3, results };
  writeFileSync(join(repoRoot(), 'bench', 'large-bodies-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}

void main();
