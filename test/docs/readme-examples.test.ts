import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { AppStack, startAppStack } from '../support/app-stack';
import {
  compareOutput,
  DOC_EMULATOR_CA,
  DOC_EMULATOR_URL,
  DOC_HOST_URL,
  docExamples,
  parseCurlOutput,
  TRY_SECTION,
} from './doc-examples';

/**
 * Every shell example of the README and docs/ that talks to the local stack runs as written, in
 * order, on a fresh stack (its own emulator, so account numbers start at US-000001), with bash and
 * curl as a reader would; each status line, header and field shown must be what it prints. Only the
 * addresses differ (this stack runs on free ports) and `<correlationId>` is the last one answered;
 * before each example, the requests sent so far have ended (the reader's "a second or two later").
 */
const root = join(__dirname, '..', '..');
// The "Try everything" section needs what only npm start sets up: try-everything.test.ts runs it on one.
const examples = docExamples(root, ['README.md', 'docs/customer-contract.md', 'docs/deploy.md']).filter(
  (example) => example.section !== TRY_SECTION,
);
const MARK = '@@example-step-end@@';

describe('README and docs examples run as written', () => {
  let stack: AppStack;
  const correlationIds: string[] = [];

  beforeAll(async () => {
    expect(spawnSync('curl', ['--version']).status).toBe(0); // the examples use curl
    stack = await startAppStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  const substitute = (text: string): string =>
    text
      .replaceAll(DOC_HOST_URL, stack.url)
      .replaceAll(DOC_EMULATOR_URL, stack.emulator.url)
      .replaceAll(DOC_EMULATOR_CA, stack.emulator.caCertPath)
      .replaceAll('<correlationId>', correlationIds.at(-1) ?? '<no correlation ID answered yet>');

  const settle = async (): Promise<void> => {
    for (const id of correlationIds) {
      for (;;) {
        const answer = (await (await fetch(`${stack.url}/api/customers/status/${id}`)).json()) as {
          status: string;
        };
        if (answer.status === 'succeeded' || answer.status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  it.each(examples.map((example) => [`${example.file}:${example.line}`, example] as const))(
    '%s',
    async (_where, example) => {
      await settle();
      const script = example.steps
        .map((step) => `${substitute(step.command)}\necho; echo '${MARK}'`)
        .join('\n');
      // Asynchronously: the emulator runs in this process and must answer meanwhile.
      const { stdout: output } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
        timeout: 60_000,
      });
      const outputs = output.split(`${MARK}\n`);
      const problems = example.steps.flatMap((step, i) => {
        const actual = parseCurlOutput((outputs[i] ?? '').replace(/\n$/, ''));
        for (const id of actual.body.matchAll(/"correlationId":"([0-9a-f-]{36})"/g))
          correlationIds.push(id[1]!);
        return compareOutput(step.expected.map(substitute), actual).map(
          (problem) => `${step.command.split('\n')[0]} → ${problem}`,
        );
      });
      expect(problems).toEqual([]);
    },
    90_000,
  );
});
