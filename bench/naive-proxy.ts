import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import { AddressInfo } from 'node:net';
import { LOCAL_D365_CLIENT_ID, LOCAL_TENANT_ID } from '@d365-customer-sync/d365-emulator';
import { emulatorVault } from '../dev/local-stack/emulator-clients';

/**
 * The integration the source article shows, as a minimal synchronous proxy: for every request,
 * POST the v1 token endpoint (`/{tenant}/oauth2/token` with `resource`, as the article's curl
 * does), then POST the body unchanged to the CreateCustomer custom service, and answer whatever
 * D365 answered. No queue, no retries, no idempotency, no timeouts (curl has none by default);
 * a caller that gives up does not stop the call to D365. The client secret is read once from
 * Key Vault with a real SecretClient at start.
 *
 * Environment: BENCH_EMULATOR_URL (D365, Entra ID and Key Vault), NODE_EXTRA_CA_CERTS.
 * Prints `Listening on http://127.0.0.1:<port>` once it listens.
 */

const SERVICE_PATH = '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer';

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function main(): Promise<void> {
  const d365 = (process.env.BENCH_EMULATOR_URL ?? '').replace(/\/+$/, '');
  const vault = emulatorVault(d365);
  const secret = (await vault.getSecret('d365-client-secret')).value ?? '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await text(req);
    // 1. A token, every time (the article's curl to login.microsoftonline.com).
    const tokenAnswer = await fetch(`${d365}/${LOCAL_TENANT_ID}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: LOCAL_D365_CLIENT_ID,
        client_secret: secret,
        resource: d365,
      }).toString(),
    });
    const tokenText = await tokenAnswer.text();
    if (!tokenAnswer.ok) {
      reply(res, tokenAnswer.status, 'application/json', tokenText);
      return;
    }
    const token = (JSON.parse(tokenText) as { access_token: string }).access_token;
    // 2. The custom service, with the caller's body as it is.
    const answer = await fetch(`${d365}${SERVICE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) res.setHeader('retry-after', retryAfter);
    reply(res, answer.status, answer.headers.get('content-type') ?? 'application/json', await answer.text());
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      reply(res, 502, 'application/json', JSON.stringify({ error: (error as Error).message })),
    );
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(`Listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

void main();
