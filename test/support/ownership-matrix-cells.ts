import { randomUUID } from 'node:crypto';
import { sampleCustomer } from '../fixtures/sample-customers';
import {
  Answer,
  call,
  CALLER_NAMES,
  CallerMode,
  CallerName,
  count,
  createAs,
  leaks,
  MatrixStack,
  newTally,
  Owned,
  snapshot,
  startMatrixStack,
} from './ownership-matrix';
import { defineRouteCells } from './ownership-matrix-route-cells';

/**
 * The matrix's cells for one caller mode (test/security/ownership-matrix-*.test.ts): create,
 * status, update by reference, update by account, link, replay (callbacks: see the callback
 * cells), each by every caller on every caller's customer; F&O data events and the CSV backfill
 * upload in ownership-matrix-route-cells.ts.
 */
/** Every caller acting on every caller's customer (its own included): [actor, owner] pairs. */
const EVERY_ACTOR_AND_OWNER = CALLER_NAMES.flatMap((actor) =>
  CALLER_NAMES.map((owner) => [actor, owner] as const),
);

export function defineOwnershipMatrix(mode: CallerMode): void {
  let m: MatrixStack;
  const owned = {} as Record<CallerName, Owned>;
  const tally = newTally();
  const phone = () => `+1425555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;

  beforeAll(async () => {
    m = await startMatrixStack(mode, { RATE_LIMIT_PER_MINUTE: '200' });
    for (const name of CALLER_NAMES) owned[name] = await createAs(m, name);
  }, 180_000);

  afterAll(async () => {
    for (const name of CALLER_NAMES) await m?.receivers[name].stop();
    // The figures the report quotes: cells per row, forbidden and allowed, in this mode.
    const rows = [...tally.rows].map(([row, t]) => `${row}: ${t.forbidden} forbidden, ${t.allowed} allowed`);
    console.log(
      `ownership matrix (${mode}): ${tally.forbidden} forbidden and ${tally.allowed} allowed cells\n${rows.join('\n')}`,
    );
    await m?.stack.stop();
  });

  /** A PATCH by `actor`, waiting for the outcome (`Prefer: wait`). */
  const patchAs = (actor: CallerName, path: string, body: unknown): Promise<Answer> =>
    call(m.stack, 'PATCH', path, { ...m.callers[actor].headers, prefer: 'wait=20' }, body);

  /** A forbidden cell: the status, nothing stored, D365 as it was, no other caller named. */
  async function expectForbidden(
    row: string,
    actor: CallerName,
    answer: Answer,
    statuses: number[],
    before: Awaited<ReturnType<typeof snapshot>>,
    account: string,
    secrets: string[] = [],
  ): Promise<void> {
    expect(statuses).toContain(answer.status);
    expect(await snapshot(m, account)).toEqual(before);
    expect(leaks(answer, m, actor, secrets)).toEqual([]);
    count(tally, row, 'forbidden');
  }

  describe(`status (${mode})`, () => {
    it.each(EVERY_ACTOR_AND_OWNER)('%s reads the status of a request of %s', async (actor, owner) => {
      const target = owned[owner];
      const before = await snapshot(m, target.account);
      const answer = await call(m.stack, 'GET', `/api/customers/status/${target.correlationId}`, {
        ...m.callers[actor].headers,
      });
      if (actor === owner) {
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ status: 'succeeded', customerAccount: target.account });
        count(tally, 'status', 'allowed');
      } else {
        await expectForbidden('status', actor, answer, [404], before, target.account, [target.account]);
        expect(answer.json.type).toBe('urn:d365-customer-sync:problem:not-found');
      }
    });

    it('an operator reads any caller’s request', async () => {
      for (const owner of CALLER_NAMES) {
        const answer = await call(m.stack, 'GET', `/api/customers/status/${owned[owner].correlationId}`, {
          ...operatorReadHeaders(),
        });
        expect(answer.status).toBe(200);
        count(tally, 'status', 'allowed');
      }
    });
  });

  /** An operator: the master key (listed in CALLER_KEYS as an operator), with Entra ID also its role. */
  const operatorReadHeaders = (): Record<string, string> => m.operator;

  describe(`update by reference (${mode})`, () => {
    it.each(EVERY_ACTOR_AND_OWNER)('%s updates, by reference, a customer of %s', async (actor, owner) => {
      const target = owned[owner];
      const before = await snapshot(m, target.account);
      const answer = await patchAs(actor, `/api/customers/references/${target.reference}`, {
        Customer: { ContactNumber: phone() },
      });
      if (actor === owner) {
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ outcome: 'updated', sourceCustomerId: target.reference });
        expect((await snapshot(m, target.account)).updates).toBe(before.updates + 1);
        count(tally, 'update by reference', 'allowed');
      } else {
        // References are per caller: another caller's is simply not found in this one's namespace.
        await expectForbidden('update by reference', actor, answer, [404], before, target.account, [
          target.account,
        ]);
      }
    });
  });

  describe(`update by account (${mode})`, () => {
    it.each(EVERY_ACTOR_AND_OWNER)('%s updates, by D365 account, a customer of %s', async (actor, owner) => {
      const target = owned[owner];
      const before = await snapshot(m, target.account);
      const answer = await patchAs(actor, `/api/customers/accounts/USRT/${target.account}`, {
        Customer: { ContactNumber: phone(), CustomerGroup: '10' },
      });
      if (actor === 'pos') {
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ outcome: 'updated', customerAccount: target.account });
        expect(leaks(answer, m, actor)).toEqual([]);
        expect((await snapshot(m, target.account)).updates).toBe(before.updates + 1);
        count(tally, 'update by account', 'allowed');
      } else {
        // The account role is POS / back office: a shop is refused even for its own customer.
        await expectForbidden('update by account', actor, answer, [403], before, target.account);
        expect(answer.json.type).toBe('urn:d365-customer-sync:problem:forbidden');
      }
    });

    it.each(['shopA', 'shopB'] as const)(
      '%s learns nothing of which accounts exist (the same 403 for an unknown one)',
      async (actor) => {
        const before = await snapshot(m, owned.pos.account);
        const answer = await call(
          m.stack,
          'PATCH',
          '/api/customers/accounts/USRT/NO-SUCH-42',
          m.callers[actor].headers,
          {
            Customer: { EmailAddress: 'not-an-e-mail' },
          },
        );
        await expectForbidden('update by account', actor, answer, [403], before, owned.pos.account);
      },
    );
  });

  describe(`link: a create with another caller's customer's e-mail (${mode})`, () => {
    it.each(
      CALLER_NAMES.flatMap((actor) =>
        CALLER_NAMES.filter((owner) => owner !== actor).map((owner) => [actor, owner] as const),
      ),
    )('%s creates a customer with the e-mail of a customer of %s', async (actor, owner) => {
      const target = owned[owner];
      const before = await snapshot(m, target.account);
      const reference = `${m.callers[actor].referencePrefix}${randomUUID().slice(0, 8)}`;
      const body = sampleCustomer('full');
      body.Customer.EmailAddress = target.email;
      const created = await call(
        m.stack,
        'POST',
        '/api/customers',
        { ...m.callers[actor].headers, 'customer-reference': reference, prefer: 'wait=20' },
        body,
      );
      expect(created.status).toBe(201);
      // MiddleName: a field D365 still holds as this create sent it (a linked customer's base is
      // the create's request: a field D365 holds otherwise would be a conflict, not the point here).
      const patch = () =>
        call(
          m.stack,
          'PATCH',
          `/api/customers/references/${reference}`,
          { ...m.callers[actor].headers, prefer: 'wait=20' },
          { Customer: { MiddleName: `M${randomUUID().slice(0, 6)}` } },
        );
      if (actor === 'pos') {
        // Staff verified the shopper in person: the link is the POS's to change.
        expect(created.json).toMatchObject({ outcome: 'linked', customerAccount: target.account });
        expect(leaks(created, m, actor)).toEqual([]);
        count(tally, 'link', 'allowed');
        expect((await patch()).status).toBe(200);
        expect((await snapshot(m, target.account)).updates).toBe(before.updates + 1);
        count(tally, 'write through a link', 'allowed');
      } else {
        expect(created.json).toMatchObject({ outcome: 'linked', verification: 'pending' });
        expect(leaks(created, m, actor, [target.account])).toEqual([]);
        count(tally, 'link', 'allowed'); // the create itself is allowed; it reveals nothing
        const during = await snapshot(m, target.account);
        const refused = await patch();
        await expectForbidden('write through a link', actor, refused, [403], during, target.account, [
          target.account,
        ]);
        expect(refused.json.type).toBe('urn:d365-customer-sync:problem:link-unverified');
      }
    });
  });

  describe(`create: references are per caller (${mode})`, () => {
    it('two shops use the same Customer-Reference: two customers, each changes only its own', async () => {
      const reference = `same-${randomUUID().slice(0, 8)}`;
      const accounts: string[] = [];
      for (const who of ['shopA', 'shopB'] as const) {
        const body = sampleCustomer('full');
        body.Customer.EmailAddress = `same.${randomUUID().slice(0, 8)}@example.com`;
        const created = await call(
          m.stack,
          'POST',
          '/api/customers',
          { ...m.callers[who].headers, 'customer-reference': reference, prefer: 'wait=20' },
          body,
        );
        expect(created.status).toBe(201);
        expect(created.json.customerAccount).toBeDefined();
        accounts.push(created.json.customerAccount as string);
        count(tally, 'create', 'allowed');
      }
      expect(accounts[0]).not.toBe(accounts[1]);
      const beforeA = await snapshot(m, accounts[0]!);
      const answer = await call(
        m.stack,
        'PATCH',
        `/api/customers/references/${reference}`,
        { ...m.callers.shopB.headers, prefer: 'wait=20' },
        { Customer: { ContactNumber: phone() } },
      );
      expect(answer.json).toMatchObject({ customerAccount: accounts[1] });
      expect((await snapshot(m, accounts[0]!)).fields).toEqual(beforeA.fields);
      count(tally, 'update by reference', 'allowed');
    });
  });

  describe(`replay (${mode})`, () => {
    it('only an operator (the master key, and with Entra ID its role) replays a failed request', async () => {
      const body = sampleCustomer('full');
      body.Customer.EmailAddress = `fail.${randomUUID().slice(0, 8)}@example.com`;
      body.Customer.CustomerGroup = 'NOPE';
      const failed = await call(
        m.stack,
        'POST',
        '/api/customers',
        { ...m.callers.shopA.headers, prefer: 'wait=20' },
        body,
      );
      expect(failed.status).toBe(422);
      const id = failed.json.correlationId as string;
      const replay = (headers: Record<string, string>) =>
        call(m.stack, 'POST', `/api/customers/status/${id}/retry`, headers);
      for (const actor of CALLER_NAMES) {
        const answer = await replay(m.callers[actor].headers);
        // A function key does not open an admin-level route: the platform's empty 401.
        expect(answer.status).toBe(401);
        count(tally, 'replay', 'forbidden');
        if (mode === 'app-service') {
          const withMaster = await replay({
            ...m.callers[actor].headers,
            'x-functions-key': m.operator['x-functions-key']!,
          });
          expect(withMaster.status).toBe(403);
          count(tally, 'replay', 'forbidden');
        }
      }
      const replayed = await replay(m.operator);
      expect(replayed.status).toBe(202);
      count(tally, 'replay', 'allowed');
    });
  });

  describe(`callbacks are signed per caller (${mode})`, () => {
    it('each caller reads its own secret, unlike any other caller’s', async () => {
      for (const name of CALLER_NAMES) {
        const answer = await call(m.stack, 'GET', '/api/callbacks/secret', m.callers[name].headers);
        expect(answer.status).toBe(200);
        m.secrets[name] = answer.json.secrets as string[];
        count(tally, 'callbacks', 'allowed');
      }
      const all = CALLER_NAMES.flatMap((name) => m.secrets[name]!);
      expect(new Set(all).size).toBe(all.length);
    });

    it.each(EVERY_ACTOR_AND_OWNER)(
      '%s registers the callback receiver of %s: it verifies only its own caller’s events',
      async (actor, owner) => {
        const path = `/${actor}-to-${owner}-${randomUUID().slice(0, 8)}`;
        const receiver = m.receivers[owner];
        const invalidBefore = receiver.invalid().length;
        const body = sampleCustomer('full');
        body.Customer.EmailAddress = `cb.${randomUUID().slice(0, 12)}@example.com`;
        const answer = await call(
          m.stack,
          'POST',
          '/api/customers',
          { ...m.callers[actor].headers, 'callback-url': receiver.url(path) },
          body,
        );
        expect(answer.status).toBe(202);
        if (actor === owner) {
          const events = await receiver.waitFor((all) => all.some((e) => e.path === path));
          const event = events.find((e) => e.path === path)!;
          expect(event.body.data).toMatchObject({
            correlationId: answer.json.correlationId,
            status: 'succeeded',
          });
          expect(leaks({ status: 200, text: event.raw, json: {} }, m, actor)).toEqual([]);
          count(tally, 'callbacks', 'allowed');
        } else {
          // Signed with the actor's secret: the owner's receiver refuses it (no forged event lands).
          const deadline = Date.now() + 30_000;
          while (receiver.invalid().filter((i) => i.path === path).length === 0 && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 100));
          expect(receiver.invalid().length).toBeGreaterThan(invalidBefore);
          expect(receiver.events().some((e) => e.path === path)).toBe(false);
          count(tally, 'callbacks', 'forbidden');
        }
      },
    );

    it("a POS update by account of a shop's customer calls back the POS only, naming no shop", async () => {
      const path = `/pos-update-${randomUUID().slice(0, 8)}`;
      const answer = await call(
        m.stack,
        'PATCH',
        `/api/customers/accounts/USRT/${owned.shopA.account}`,
        { ...m.callers.pos.headers, 'callback-url': m.receivers.pos.url(path) },
        { Customer: { ContactNumber: phone() } },
      );
      expect(answer.status).toBe(202);
      const events = await m.receivers.pos.waitFor((all) => all.some((e) => e.path === path));
      const event = events.find((e) => e.path === path)!;
      expect(event.body.data).toMatchObject({ kind: 'update', customerAccount: owned.shopA.account });
      expect(leaks({ status: 200, text: event.raw, json: {} }, m, 'pos')).toEqual([]);
      count(tally, 'callbacks', 'allowed');
    });
  });

  describe(`a reused Customer-Reference (${mode})`, () => {
    it('is 409 reference-in-use in its own namespace: nothing stored, the first customer kept', async () => {
      const target = owned.shopA;
      const before = await snapshot(m, target.account);
      const body = sampleCustomer('full');
      body.Customer.EmailAddress = `reuse.${randomUUID().slice(0, 8)}@example.com`;
      const answer = await call(
        m.stack,
        'POST',
        '/api/customers',
        { ...m.callers.shopA.headers, 'customer-reference': target.reference, prefer: 'wait=5' },
        body,
      );
      expect(answer.status).toBe(409);
      expect(answer.json).toMatchObject({
        type: 'urn:d365-customer-sync:problem:reference-in-use',
        statusUrl: expect.stringContaining(target.correlationId) as string,
      });
      expect(await snapshot(m, target.account)).toEqual(before);
      count(tally, 'create', 'forbidden');
    });
  });

  defineRouteCells(mode, { matrix: () => m, owned, tally, expectForbidden });

  describe(`rate limits are per caller (${mode})`, () => {
    it('one caller that spends its budget gets 429; the others are not touched', async () => {
      // Each refused header costs a token too (the budget is taken first), and stores nothing.
      let limited: Answer | undefined;
      for (let i = 0; i < 600 && !limited; i += 1) {
        const answer = await call(m.stack, 'POST', '/api/customers', {
          ...m.callers.shopB.headers,
          'idempotency-key': 'not a key',
        });
        if (answer.status === 429) limited = answer;
      }
      expect(limited?.json.type).toBe('urn:d365-customer-sync:problem:rate-limited');
      count(tally, 'rate limit', 'forbidden');
      for (const other of ['pos', 'shopA'] as const) {
        const body = sampleCustomer('full');
        body.Customer.EmailAddress = `budget.${randomUUID().slice(0, 8)}@example.com`;
        expect((await call(m.stack, 'POST', '/api/customers', m.callers[other].headers, body)).status).toBe(
          202,
        );
        count(tally, 'rate limit', 'allowed');
      }
    });
  });
}
