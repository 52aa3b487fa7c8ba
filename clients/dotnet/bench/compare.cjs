// The .NET client against the TypeScript client, in the same run on the same local stack:
// end-to-end create-with-wait (Prefer: wait=10, the account in the answer) at 1 request/s each,
// open loop, both at once (half a second apart), so both see the same host, Azurite and emulator.
//
//   npm run build:all && node clients/dotnet/bench/compare.cjs [--count 60] [--interval 1000]
//
// Prints p50 / p90 / p99 / max for each and a Markdown table row for docs/performance.md.
const { spawn, execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { readFileSync, writeFileSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const readline = require('node:readline');
const { randomUUID } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');

const root = join(__dirname, '..', '..', '..');
const { startAppStack } = require(join(root, 'dist-dev', 'dev', 'local-stack', 'app-stack.js'));
const { CustomerSyncClient } = require(join(root, 'packages', 'client', 'dist', 'index.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const count = arg('count', 60);
const interval = arg('interval', 1000);
const fixture = join(root, 'test', 'fixtures', 'seed-customer-minimal.json');
const template = JSON.parse(readFileSync(fixture, 'utf8'));

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const summary = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    max: s[s.length - 1],
  };
};

async function typescriptRun(url) {
  const client = new CustomerSyncClient({ baseUrl: `${url}/api` });
  const body = () => {
    const b = JSON.parse(JSON.stringify(template));
    b.Customer.EmailAddress = `bench-ts-${randomUUID().replaceAll('-', '')}`.slice(0, 28) + '@example.com';
    return b;
  };
  await client.createCustomer(body()); // warm-up, not counted
  const results = [];
  const started = performance.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * interval - performance.now();
    if (due > 0) await sleep(due);
    const t = performance.now();
    pending.push(
      client.createCustomer(body()).then(
        () => results.push({ ms: performance.now() - t, ok: true }),
        () => results.push({ ms: performance.now() - t, ok: false }),
      ),
    );
  }
  await Promise.all(pending);
  return results;
}

function dotnetRun(url, onReady) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'dotnet',
      ['bin/Release/net10.0/Bench.dll', `${url}/api`, String(count), String(interval), fixture],
      { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const results = [];
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') onReady();
      else if (line.startsWith('{')) results.push(JSON.parse(line));
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(results) : reject(new Error(`Bench.dll exited ${code}`)),
    );
  });
}

async function main() {
  execFileSync('dotnet', ['build', '-c', 'Release', '--nologo', '-v', 'q'], {
    cwd: __dirname,
    stdio: 'inherit',
  });
  const stack = await startAppStack({ settings: { DUPLICATE_POLICY: 'create' } });
  try {
    let ready;
    const dotnetReady = new Promise((r) => (ready = r));
    const dotnet = dotnetRun(stack.url, ready);
    await dotnetReady;
    await sleep(interval / 2);
    const ts = await typescriptRun(stack.url);
    const net = await dotnet;
    const rows = {
      '.NET client (D365CustomerSync.Client)': net,
      'TypeScript client (@d365-customer-sync/client)': ts,
    };
    const out = {};
    for (const [name, results] of Object.entries(rows)) {
      const failed = results.filter((r) => !r.ok).length;
      out[name] = { ...summary(results.map((r) => r.ms)), failed };
    }
    const customers = (await stack.customers()).length;
    console.log(JSON.stringify({ count, interval, customers, results: out }, null, 2));
    const f = (x) => x.toFixed(0);
    console.log('\n| client | requests | p50 ms | p90 ms | p99 ms | max ms | failed |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(out)) {
      console.log(
        `| ${name} | ${s.n} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${f(s.max)} | ${s.failed} |`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'dotnet-bench-'));
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ out, net, ts }, null, 2));
    console.log(`\nraw: ${join(dir, 'results.json')}`);
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
