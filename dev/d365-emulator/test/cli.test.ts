import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RunningProcess, startProcess } from '@d365-customer-sync/functions-host';
import { RunningEmulator } from '../src';
import {
  CREATE_CUSTOMER_PATH,
  customerPayload,
  KEY_VAULT_RESOURCE,
  READER_CLIENT_ID,
  READER_SECRET,
  startTestEmulator,
  trustCertificate,
} from './support/emulator';

/**
 * Runs the CLI from source (src/main.ts) with a transpile-only require hook, so the test does not
 * depend on a build; the package's `d365-emulator` bin (dist/main.js) runs the same code once built.
 */
const root = path.join(__dirname, '..');
const cliArgs = (...args: string[]): string[] => [
  '-r',
  path.join(__dirname, 'support', 'register-ts.js'),
  path.join(root, 'src', 'main.ts'),
  ...args,
];
const READY = /^Emulator ready on (https:\/\/127\.0\.0\.1:(\d+)) \(CA certificate: (.+)\)$/;

async function runNode(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const runToExit = (args: string[]) => runNode(cliArgs(...args));

// Spawning Node with the TypeScript hook takes seconds on a loaded machine.
jest.setTimeout(120_000);

describe('emulator CLI', () => {
  let certDir: string;
  let cli: (RunningProcess & { matches: RegExpMatchArray[] }) | undefined;

  beforeAll(() => {
    certDir = mkdtempSync(path.join(tmpdir(), 'emulator-cli-test-'));
  });

  afterAll(async () => {
    await cli?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('prints one ready line, serves HTTPS with its CA, logs requests without secrets or data, and exits 0 on SIGTERM', async () => {
    cli = await startProcess(process.execPath, cliArgs('--port', '0', '--cert-dir', certDir), {
      name: 'emulator CLI',
      cwd: root,
      readyPatterns: [READY],
      timeoutMs: 90_000,
    });
    const [, url, , caPath] = cli.matches[0] as RegExpMatchArray;
    expect(caPath).toBe(path.join(certDir, 'ca.pem'));
    expect(existsSync(caPath ?? '')).toBe(true);
    trustCertificate(readFileSync(caPath ?? '', 'utf8'));

    // Another Node process trusts the server through NODE_EXTRA_CA_CERTS (as the stack starts the app), and only then.
    const { NODE_EXTRA_CA_CERTS: _inherited, ...env } = process.env;
    const probe = (extraEnv: Record<string, string>) =>
      runNode(
        [
          '-e',
          'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 3), () => process.exit(4))',
          `${url}/11111111-1111-4111-8111-111111111111/v2.0/.well-known/openid-configuration`,
        ],
        { ...env, ...extraEnv },
      );
    expect((await probe({ NODE_EXTRA_CA_CERTS: caPath ?? '' })).code).toBe(0);
    expect((await probe({})).code).toBe(4);

    const tokenAnswer = await fetch(`${url}/11111111-1111-4111-8111-111111111111/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: READER_CLIENT_ID,
        client_secret: READER_SECRET,
        resource: KEY_VAULT_RESOURCE,
      }),
    });
    expect(tokenAnswer.status).toBe(200);
    const { access_token: vaultToken } = (await tokenAnswer.json()) as { access_token: string };
    const secretAnswer = await fetch(`${url}/secrets/d365-client-secret?api-version=7.5`, {
      headers: { Authorization: `Bearer ${vaultToken}` },
    });
    const { value: clientSecret } = (await secretAnswer.json()) as { value: string };
    const d365Answer = await fetch(`${url}/11111111-1111-4111-8111-111111111111/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: '22222222-2222-4222-8222-222222222222',
        client_secret: clientSecret,
        resource: url ?? '',
      }),
    });
    const { access_token: d365Token } = (await d365Answer.json()) as { access_token: string };
    const created = await fetch(`${url}${CREATE_CUSTOMER_PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${d365Token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(customerPayload({ EmailAddress: 'cli.person@example.com' })),
    });
    expect(created.status).toBe(200);
    const lookup = await fetch(
      `${url}/data/CustomersV3?cross-company=true&$filter=${encodeURIComponent("PrimaryContactEmail eq 'cli.person@example.com'")}`,
      { headers: { Authorization: `Bearer ${d365Token}` } },
    );
    expect(lookup.status).toBe(200);

    const running = cli;
    cli = undefined;
    const exited = once(running.child, 'exit');
    running.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);

    const output = running.output.join('\n');
    expect(running.output.filter((line) => READY.test(line))).toHaveLength(1);
    expect(output).toMatch(/POST \/11111111-1111-4111-8111-111111111111\/oauth2\/token 200 \d+ms/);
    expect(output).toMatch(/GET \/data\/CustomersV3\?cross-company&\$filter 200 \d+ms/);
    for (const sensitive of [
      READER_SECRET,
      clientSecret,
      vaultToken,
      d365Token,
      'cli.person',
      'Trump',
      '+923004000101',
    ]) {
      expect(output).not.toContain(sensitive);
    }
  });

  it('exits 2 with the usage on an unknown option', async () => {
    const { code, output } = await runToExit(['--colour', 'red']);
    expect(code).toBe(2);
    expect(output).toContain("unknown option '--colour'");
    expect(output).toContain('Usage:');
  });

  it('exits 1 when the port is taken', async () => {
    let other: RunningEmulator | undefined;
    try {
      other = await startTestEmulator();
      const { code, output } = await runToExit(['--port', String(other.port), '--cert-dir', certDir]);
      expect(code).toBe(1);
      expect(output).toContain('could not start');
    } finally {
      await other?.stop();
    }
  });
});
