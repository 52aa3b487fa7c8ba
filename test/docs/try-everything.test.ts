import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createTlsMaterial } from '@d365-customer-sync/d365-emulator';
import { startCallbackReceiver } from '../../dev/local-stack/callback-receiver';
import { NpmStart, ROOT, startNpmStart } from '../support/npm-start';
import {
  compareLines,
  compareOutput,
  DOC_EMULATOR_URL,
  DOC_HOST_URL,
  docExamples,
  parseCurlOutput,
  TRY_SECTION,
  withoutNpmBanner,
} from './doc-examples';

/**
 * README "Try everything locally" as a new user runs it: on a real `npm start` (the script it runs,
 * on free ports, with a `.local` of its own and the user's own NODE_EXTRA_CA_CERTS set), every
 * command of the section is run as written, in order, by bash: the callback receiver in the
 * background (as in a second terminal), the signed webhooks of the three senders, the Postman
 * collection with newman. Each output shown must be what it prints; the receiver's lines are
 * checked once the requests have ended. Addresses are this stack's; `.local/` is its folder.
 */
const examples = docExamples(ROOT, ['README.md']).filter((e) => e.section === TRY_SECTION);
const MARK = '@@example-step-end@@';
/** Commands that keep running (the README says: in a second terminal). */
const LONG_RUNNING = /^npm run callbacks\b/;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('README "Try everything locally", on a fresh npm start', () => {
  let stack: NpmStart;
  let receiverPort: number;
  let userCa: Awaited<ReturnType<typeof createTlsMaterial>>;
  const background: { child: ChildProcess; output: () => string; expected: string[]; where: string }[] = [];

  beforeAll(async () => {
    receiverPort = await freePort();
    // The user's own CA (a receiver of their own): npm start must keep trusting it.
    userCa = await createTlsMaterial();
    const userCaFile = join(mkdtempSync(join(tmpdir(), 'user-ca-')), 'user-ca.pem');
    writeFileSync(userCaFile, userCa.caCertPem);
    stack = await startNpmStart({
      NODE_EXTRA_CA_CERTS: userCaFile,
      CALLBACK_RECEIVER_PORT: String(receiverPort),
    });
  }, 180_000);

  afterAll(async () => {
    for (const { child } of background) if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await stack?.stop();
  });

  const substitute = (text: string): string =>
    text
      .replaceAll(DOC_HOST_URL, stack.url)
      .replaceAll(DOC_EMULATOR_URL, stack.emulatorUrl)
      .replaceAll('127.0.0.1:7444', `127.0.0.1:${receiverPort}`)
      .replaceAll('.local/', `${stack.dir}/`);
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    LOCAL_STACK_DIR: stack.dir,
    CALLBACK_RECEIVER_PORT: String(receiverPort),
  });

  it('finds the section: the receiver, a callback, the three senders, newman', () => {
    const commands = examples.flatMap((e) => e.steps.map((s) => s.command.split(' ').slice(0, 4).join(' ')));
    expect(commands).toEqual(
      expect.arrayContaining([
        'npm run callbacks',
        'curl -s -i -X',
        'npm run webhook --',
        'npx newman run postman/d365-customer-sync.postman_collection.json',
      ]),
    );
    // The three senders and a Shopify compliance topic.
    expect(examples.flatMap((e) => e.steps).filter((s) => /^npm run webhook/.test(s.command))).toHaveLength(
      4,
    );
  });

  it("prints Ready: lines naming each command, and keeps the user's NODE_EXTRA_CA_CERTS", () => {
    const ready = stack.lines.filter((l) => l.startsWith('Ready:')).join('\n');
    expect(ready).toMatch(/npm run callbacks/);
    expect(ready).toContain(`Callback-Url: https://127.0.0.1:${receiverPort}/callbacks`);
    expect(ready).toMatch(/npm run webhook -- shopify\|bigcommerce\|standard/);
    expect(ready).toContain(`${stack.dir}/postman/local.postman_environment.json`);
    expect(stack.lines.join('\n')).toMatch(/Note: NODE_EXTRA_CA_CERTS \(.*user-ca\.pem\) is kept/);
  });

  it.each(examples.map((example) => [`README.md:${example.line}`, example] as const))(
    'runs %s as written',
    async (where, example) => {
      const first = example.steps[0]!;
      if (LONG_RUNNING.test(first.command)) {
        // A second terminal: it keeps running; what it prints is checked at the end.
        let output = '';
        const child = spawn('bash', ['-c', substitute(first.command)], {
          cwd: ROOT,
          env: env(),
          detached: true,
        });
        child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
        child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
        background.push({ child, output: () => output, expected: first.expected.map(substitute), where });
        const deadline = Date.now() + 60_000;
        while (
          compareLines(first.expected.slice(0, 1).map(substitute), withoutNpmBanner(output)).length > 0
        ) {
          if (Date.now() > deadline || child.exitCode !== null)
            throw new Error(`${first.command}: ${output}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        return;
      }
      const script = example.steps
        .map((step) => `${substitute(step.command)}\necho; echo '${MARK}'`)
        .join('\n');
      const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
        cwd: ROOT,
        encoding: 'utf8',
        env: env(),
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: Error & { stdout?: string; stderr?: string }) => {
        // A failing step (newman's failed assertions, curl's error) says why in its own output.
        throw new Error(
          `${where} failed: ${error.message}\n--- stdout (last 6000 characters)\n${(error.stdout ?? '').slice(-6000)}` +
            `\n--- stderr\n${(error.stderr ?? '').slice(-2000)}`,
        );
      });
      const outputs = stdout.split(`${MARK}\n`);
      const problems = example.steps.flatMap((step, i) =>
        compareOutput(
          step.expected.map(substitute),
          parseCurlOutput((outputs[i] ?? '').replace(/\n$/, '')),
        ).map((problem) => `${step.command.split('\n')[0]} → ${problem}`),
      );
      expect(problems).toEqual([]);
    },
    300_000,
  );

  it('the receiver printed what the README shows, once the requests ended', async () => {
    expect(background.length).toBeGreaterThan(0);
    for (const { output, expected, where } of background) {
      const deadline = Date.now() + 60_000;
      let problems = compareLines(expected, withoutNpmBanner(output()));
      while (problems.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        problems = compareLines(expected, withoutNpmBanner(output()));
      }
      expect({ where, problems }).toEqual({ where, problems: [] });
    }
  }, 90_000);

  it("delivers a callback to the user's own HTTPS receiver (a CA from their NODE_EXTRA_CA_CERTS)", async () => {
    const receiver = await startCallbackReceiver(stack.state().callbacks!.secret, undefined, {
      tls: userCa,
    });
    try {
      const answer = await fetch(`${stack.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'callback-url': receiver.url('/own') },
        body: readFileSync(join(ROOT, 'test/fixtures/callback-customer.json'), 'utf8').replace(
          'ada.lovelace@example.com',
          'own.receiver@example.com',
        ),
      });
      expect(answer.status).toBe(202);
      const [event] = await receiver.waitFor((events) => events.length > 0, 60_000);
      expect(event!.body.type).toBe('customer.succeeded');
    } finally {
      await receiver.stop();
    }
  }, 90_000);
});
