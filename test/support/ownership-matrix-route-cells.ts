import { randomUUID } from 'node:crypto';
import { RestError, TableClient } from '@azure/data-tables';
import {
  Answer,
  call,
  CALLER_NAMES,
  CallerMode,
  CallerName,
  count,
  leaks,
  MatrixStack,
  Owned,
  snapshot,
  Tally,
} from './ownership-matrix';

/**
 * The matrix's cells for the two routes that act on customers without a caller's own reference
 * (SECURITY.md, "Who may do what"): F&O's data events (`POST /api/d365/data-events`: a change by
 * D365 account, so `accounts` with named keys, F&O's own named key with App Service Authentication)
 * and the CSV backfill upload (`POST /api/backfills/csv`: operators only). Every caller on every
 * caller's customer; a forbidden cell stores nothing (no event row, no backfill row, D365 and the
 * status table as they were) and names no other caller.
 */
export interface RouteCellsContext {
  matrix: () => MatrixStack;
  owned: Record<CallerName, Owned>;
  tally: Tally;
  expectForbidden: (
    row: string,
    actor: CallerName,
    answer: Answer,
    statuses: number[],
    before: Awaited<ReturnType<typeof snapshot>>,
    account: string,
    secrets?: string[],
  ) => Promise<void>;
}

const FORBIDDEN = 'urn:d365-customer-sync:problem:forbidden';
const EVERY_ACTOR_AND_OWNER = CALLER_NAMES.flatMap((actor) =>
  CALLER_NAMES.map((owner) => [actor, owner] as const),
);

/** A CustomersV3 update as F&O's HTTPS endpoint delivers it (see test/pipeline/fo-data-events.test.ts). */
const dataEvent = (account: string) => ({
  BusinessEventId: 'CustomersV3_Update',
  BusinessEventLegalEntity: 'USRT',
  ControlNumber: 1,
  EventId: randomUUID().toUpperCase(),
  EventTime: `/Date(${Date.now()})/`,
  MajorVersion: 0,
  MinorVersion: 0,
  dataAreaId: 'usrt',
  CustomerAccount: account,
  PersonFirstName: 'Changed',
});

/** The rows of one of the stack's tables (none before its first write). */
async function rowsOf(m: MatrixStack, setting: 'FO_EVENTS_TABLE_NAME' | 'BACKFILL_TABLE_NAME') {
  const connection = process.env.TEST_STORAGE_CONNECTION_STRING!;
  const table = TableClient.fromConnectionString(connection, m.stack.env[setting]!, {
    allowInsecureConnection: true,
  });
  let rows = 0;
  try {
    for await (const _ of table.listEntities()) rows += 1;
  } catch (error) {
    if (!(error instanceof RestError && error.statusCode === 404)) throw error;
  }
  return rows;
}

/** No caller named at all (an answer to an operator or to F&O's key). */
const namesNoCaller = (answer: Answer, m: MatrixStack) =>
  CALLER_NAMES.flatMap((n) => [m.callers[n].identity, m.callers[n].referencePrefix]).filter((s) =>
    answer.text.includes(s),
  );

const HEADER =
  'Customer ID,First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone,Accepts Email Marketing,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt';
const csvOf = (email: string) =>
  `${HEADER}\r\n8200000000001,Csv,Matrix,${email},,1 Main St,,Springfield,Illinois,IL,United States,US,62701,,no,no,0.00,0,,,no\r\n`;

async function upload(m: MatrixStack, headers: Record<string, string>, csv: string): Promise<Answer> {
  const response = await fetch(`${m.stack.url}/api/backfills/csv?source=matrix-shop&dryRun=true`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...headers },
    body: csv,
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: response.status, text, json };
}

export function defineRouteCells(mode: CallerMode, ctx: RouteCellsContext): void {
  describe(`F&O data events (${mode})`, () => {
    it.each(EVERY_ACTOR_AND_OWNER)('%s posts a D365 change of a customer of %s', async (actor, owner) => {
      const m = ctx.matrix();
      const target = ctx.owned[owner];
      const before = await snapshot(m, target.account);
      const events = await rowsOf(m, 'FO_EVENTS_TABLE_NAME');
      const post = (account: string) =>
        call(m.stack, 'POST', '/api/d365/data-events', m.callers[actor].headers, dataEvent(account));
      const answer = await post(target.account);
      if (mode === 'keys' && actor === 'pos') {
        // A named key with `accounts` (POS, back office) may change customers by account already.
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ status: 'ignored' });
        expect(['no-link', 'not-a-shop-link']).toContain(answer.json.reason);
        expect(leaks(answer, m, actor)).toEqual([]);
        count(ctx.tally, 'F&O data events', 'allowed');
        return;
      }
      // A shop's key, or (App Service Authentication: the route is outside it) any caller's own
      // function key whatever its principal: 403 before the body is read, the same for every account.
      await ctx.expectForbidden('F&O data events', actor, answer, [403], before, target.account, [
        target.account,
      ]);
      expect(answer.json.type).toBe(FORBIDDEN);
      expect(await rowsOf(m, 'FO_EVENTS_TABLE_NAME')).toBe(events);
      const unknown = await post(`NO-SUCH-${randomUUID().slice(0, 6)}`);
      expect([unknown.status, unknown.text]).toEqual([answer.status, answer.text]);
    });

    it('F&O’s own key posts them, an operator’s key as CALLER_KEYS says; no key is the platform’s 401', async () => {
      const m = ctx.matrix();
      const events = await rowsOf(m, 'FO_EVENTS_TABLE_NAME');
      const byFo = await call(
        m.stack,
        'POST',
        '/api/d365/data-events',
        m.fo,
        dataEvent(ctx.owned.shopA.account),
      );
      expect(byFo.status).toBe(200);
      expect(['no-link', 'not-a-shop-link']).toContain(byFo.json.reason);
      expect(namesNoCaller(byFo, m)).toEqual([]);
      count(ctx.tally, 'F&O data events', 'allowed');
      // The master key: named as an operator in keys mode; not named (a principal is nobody's word here) with app-service.
      const byOperator = await call(m.stack, 'POST', '/api/d365/data-events', m.operator, dataEvent('US-0'));
      expect(byOperator.status).toBe(mode === 'keys' ? 200 : 403);
      count(ctx.tally, 'F&O data events', mode === 'keys' ? 'allowed' : 'forbidden');
      const anonymous = await call(m.stack, 'POST', '/api/d365/data-events', {}, dataEvent('US-0'));
      expect([anonymous.status, anonymous.text]).toEqual([401, '']);
      count(ctx.tally, 'F&O data events', 'forbidden');
      expect(await rowsOf(m, 'FO_EVENTS_TABLE_NAME')).toBe(events);
    });
  });

  describe(`CSV backfill upload (${mode})`, () => {
    it.each(CALLER_NAMES)('%s uploads a customer export: an operator route', async (actor) => {
      const m = ctx.matrix();
      const target = ctx.owned[actor];
      const before = await snapshot(m, target.account);
      const jobs = await rowsOf(m, 'BACKFILL_TABLE_NAME');
      const answer = await upload(m, m.callers[actor].headers, csvOf(ctx.owned.pos.email));
      // keys: a function key does not open an admin-level route (the platform's empty 401);
      // app-service: the principal lacks the operator role.
      await ctx.expectForbidden(
        'CSV backfill',
        actor,
        answer,
        [mode === 'keys' ? 401 : 403],
        before,
        target.account,
      );
      expect(await rowsOf(m, 'BACKFILL_TABLE_NAME')).toBe(jobs);
      if (mode === 'app-service') {
        const withMaster = await upload(
          m,
          { ...m.callers[actor].headers, 'x-functions-key': m.operator['x-functions-key']! },
          csvOf(ctx.owned.pos.email),
        );
        await ctx.expectForbidden('CSV backfill', actor, withMaster, [403], before, target.account);
        expect(await rowsOf(m, 'BACKFILL_TABLE_NAME')).toBe(jobs);
      }
    });

    it('an operator uploads one: the job runs (a dry run) and no answer names a caller', async () => {
      const m = ctx.matrix();
      const anonymous = await upload(m, {}, csvOf(ctx.owned.shopA.email));
      expect([anonymous.status, anonymous.text]).toEqual([401, '']);
      count(ctx.tally, 'CSV backfill', 'forbidden');
      const started = await upload(m, m.operator, csvOf(ctx.owned.shopA.email));
      expect(started.status).toBe(202);
      expect(started.json).toMatchObject({ read: 'csv', total: 1, dryRun: true });
      expect(namesNoCaller(started, m)).toEqual([]);
      count(ctx.tally, 'CSV backfill', 'allowed');
      // Waits for the job's end, so no later cell of the matrix sees its rows come and go.
      const location = `/api/backfills/${String(started.json.jobId)}`;
      const deadline = Date.now() + 120_000;
      let progress: Answer;
      do {
        progress = await call(m.stack, 'GET', location, m.operator);
        if (progress.json.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 250));
      } while (Date.now() < deadline);
      expect(progress.json).toMatchObject({ state: 'done' });
      expect(namesNoCaller(progress, m)).toEqual([]);
    });
  });
}
