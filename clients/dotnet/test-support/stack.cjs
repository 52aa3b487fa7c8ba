// Starts the real local stack (Azurite in memory, the D365 / Entra ID / Key Vault emulator and the
// Functions host running the compiled app) for the .NET client's tests and benchmark, using
// startAppStack from dev/local-stack/app-stack.ts (build first: `npm run build:all`).
//
//   node clients/dotnet/test-support/stack.cjs '{"RATE_LIMIT_PER_MINUTE":"20"}'
//
// Prints one line `READY {"url":"http://127.0.0.1:<port>"}`, then answers JSON lines on stdin:
//   {"id":1,"method":"POST","path":"/_emulator/faults","body":{...}}  -> {"id":1,"ok":true,"value":...}
//   {"id":2,"op":"customers"}                                          -> {"id":2,"ok":true,"value":[...]}
// The emulator's control API is HTTPS with a certificate of its own; this keeps the trust here.
// Closing stdin (or SIGTERM) stops everything.
const { join } = require('node:path');
const readline = require('node:readline');

const root = join(__dirname, '..', '..', '..');
const { startAppStack } = require(join(root, 'dist-dev', 'dev', 'local-stack', 'app-stack.js'));

async function main() {
  const settings = process.argv[2] ? JSON.parse(process.argv[2]) : {};
  const stack = await startAppStack({ settings });
  let stopping;
  const stop = () => {
    stopping ??= stack
      .stop()
      .catch(() => undefined)
      .then(() => process.exit(0));
    return stopping;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    if (!line.trim()) return;
    let command;
    try {
      command = JSON.parse(line);
    } catch {
      return reply({ id: null, ok: false, error: 'not JSON' });
    }
    try {
      const value =
        command.op === 'customers'
          ? await stack.customers()
          : await stack.emulatorApi(command.method, command.path, command.body ?? undefined);
      reply({ id: command.id, ok: true, value: value ?? null });
    } catch (error) {
      reply({ id: command.id, ok: false, error: error.message });
    }
  });
  lines.on('close', stop);
  reply({ ready: true, url: stack.url });
}

main().catch((error) => {
  console.error(`stack.cjs: ${error.stack ?? error}`);
  process.exit(1);
});
