import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One delivery the emulator sent to the receiver: its headers and its raw body. */
export interface ReceivedDelivery {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback HTTP receiver of the emulated shops' webhooks, answering 200 to every delivery. */
export interface WebhookReceiver {
  /** The deliveries received so far, oldest first (empty it between tests: `received.length = 0`). */
  readonly received: ReceivedDelivery[];
  /** The receiver's URL at `path` (only once the file's `beforeAll` has run). */
  url(): string;
}

/**
 * A webhook receiver for the tests of one file: listening before them on 127.0.0.1 (a free port),
 * closed after them. Shops send their webhooks to `receiver.url()`.
 */
export function useWebhookReceiver(path: string): WebhookReceiver {
  const received: ReceivedDelivery[] = [];
  let server: Server | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });
  return {
    received,
    url() {
      if (!server)
        throw new Error('the webhook receiver is not listening yet (read its URL inside a test or hook)');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
    },
  };
}
