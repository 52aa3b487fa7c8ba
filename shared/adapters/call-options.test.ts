import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProcessingError } from '../domain/failure';
import { callSignal } from './call-options';
import { sendToD365 } from './d365/d365-http';

describe('the options bag of a call (abortSignal, timeoutMs)', () => {
  it('aborts at the adapter timeout, at the call own timeout, or when the caller aborts', async () => {
    const byDefault = callSignal(undefined, 20);
    const own = callSignal({ timeoutMs: 20 }, 60_000);
    const caller = new AbortController();
    const aborted = callSignal({ abortSignal: caller.signal }, 60_000);
    expect([byDefault.aborted, own.aborted, aborted.aborted]).toEqual([false, false, false]);
    caller.abort();
    expect(aborted.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect([byDefault.aborted, own.aborted]).toEqual([true, true]);
  });

  describe('a D365 call that never answers', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer(() => undefined); // takes the request, never answers
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/CustomersV3`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("ends as a transient, uncertain failure when the caller's signal aborts it", async () => {
      const caller = new AbortController();
      const call = sendToD365('GET', url, 'token', {
        timeoutMs: 60_000,
        call: { abortSignal: caller.signal },
      });
      setTimeout(() => caller.abort(), 50);
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProcessingError);
      expect((error as ProcessingError).failure).toMatchObject({ kind: 'transient', uncertain: true });
    });

    it('ends so at the timeout the call names, before the adapter setting', async () => {
      const error = await sendToD365('GET', url, 'token', {
        timeoutMs: 60_000,
        call: { timeoutMs: 50 },
      }).catch((e: unknown) => e);
      expect((error as ProcessingError).failure).toMatchObject({
        kind: 'transient',
        reason: 'D365 timed out',
      });
    });
  });
});
