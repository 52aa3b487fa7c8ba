import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTlsMaterial } from '@d365-customer-sync/d365-emulator';
import { Webhook } from 'standardwebhooks';

/** A `whsec_` secret as Standard Webhooks recommends: 24+ random bytes, base64. */
export const newCallbackSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** One verified event as the receiver took it in. */
export interface ReceivedEvent {
  id: string;
  path: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  raw: string;
  receivedAt: number;
}

/** What the receiver answers the n-th POST (1-based) to a path. */
export type Answer = (path: string, n: number) => { status: number; headers?: Record<string, string> };

export interface CallbackReceiverOptions {
  /** The server's certificate (and its CA); default: a throw-away one (`createTlsMaterial`). */
  tls?: { keyPem: string; certPem: string; caCertPem: string };
  /** Default 0: a free port. */
  port?: number;
  /** Each verified POST: the event, and whether its webhook-id was taken before. */
  onEvent?: (event: ReceivedEvent, duplicate: boolean) => void;
  /** Each POST refused (400): why the signature did not verify. */
  onInvalid?: (path: string, reason: string) => void;
}

/**
 * A callback receiver as an integrator would write one: HTTPS on 127.0.0.1, every POST verified
 * with the official `standardwebhooks` library, deduplicated on `webhook-id` as the spec asks.
 * `answer` scripts the status it replies (after verifying), per path and delivery number.
 */
export async function startCallbackReceiver(
  /** The `whsec_` secret, or where to read it when a POST comes (a caller's own, known after the app starts). */
  secret: string | (() => string),
  answer: Answer = () => ({ status: 200 }),
  options: CallbackReceiverOptions = {},
) {
  // A throw-away CA: the host trusts it through NODE_EXTRA_CA_CERTS, so TLS checks are real.
  const tls = options.tls ?? (await createTlsMaterial());
  const verifier = () => new Webhook(typeof secret === 'string' ? secret : secret());
  const seen = new Map<string, ReceivedEvent>();
  const deliveries: { id: string; path: string; status: number; at: number }[] = [];
  const invalid: { path: string; reason: string }[] = [];
  const counts = new Map<string, number>();
  const waiters = new Set<() => void>();

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      let body: ReceivedEvent['body'];
      try {
        body = verifier().verify(raw, headers) as ReceivedEvent['body'];
      } catch (error) {
        invalid.push({ path, reason: (error as Error).message });
        options.onInvalid?.(path, (error as Error).message);
        res.writeHead(400).end();
        return;
      }
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const reply = answer(path, n);
      const id = headers['webhook-id']!;
      deliveries.push({ id, path, status: reply.status, at: Date.now() });
      const event = { id, path, body, raw, receivedAt: Date.now() };
      options.onEvent?.(event, seen.has(id));
      if (reply.status >= 200 && reply.status < 300 && !seen.has(id)) {
        seen.set(id, event);
        for (const wake of waiters) wake();
      }
      res.writeHead(reply.status, reply.headers).end();
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  const { port } = server.address() as AddressInfo;
  const base = `https://127.0.0.1:${port}`;

  return {
    caCertPem: tls.caCertPem,
    port,
    url: (path: string) => `${base}${path}`,
    /** The events taken in (2xx), one per webhook-id. */
    events: () => [...seen.values()],
    /** Every verified POST, duplicates and refused answers included. */
    deliveries: () => [...deliveries],
    invalid: () => [...invalid],
    /** Waits until `predicate` holds over the events (or throws after `timeoutMs`). */
    async waitFor(
      predicate: (events: ReceivedEvent[]) => boolean,
      timeoutMs = 30_000,
    ): Promise<ReceivedEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate([...seen.values()])) {
        if (Date.now() > deadline) {
          throw new Error(
            `callback receiver: condition not met within ${timeoutMs} ms (${seen.size} events)`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 100);
        });
      }
      return [...seen.values()];
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    closeIdle: () => server.closeAllConnections(),
  };
}

export type CallbackReceiver = Awaited<ReturnType<typeof startCallbackReceiver>>;
