import {
  AuthenticationError,
  CustomerSyncError,
  OperationsClient,
  ValidationError,
} from '../../packages/client/src';
import { AppStack, startAppStack } from '../support/app-stack';
import { seedFailedRequests } from '../support/failed-requests';

/** The TypeScript client's operations methods (issue 31) against the local stack, with the master key. */
describe('OperationsClient (TypeScript) against the local stack', () => {
  let stack: AppStack;
  let ops: OperationsClient;
  let ids: string[];

  beforeAll(async () => {
    stack = await startAppStack({ settings: { DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' } });
    ops = new OperationsClient({ baseUrl: `${stack.url}/api`, masterKey: 'master' });
    ids = await seedFailedRequests({ status: stack.table, operations: stack.opsTable }, 7, {
      errorCode: 'retries_exhausted',
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('lists a view page by page (a paged iterator), with the counts on the first page', async () => {
    const first = await ops.listRequests({ status: 'failed', errorCode: 'retries_exhausted', limit: 3 });
    expect(first.counts).toEqual({ total: 7, byCode: { retries_exhausted: 7 } });
    expect(first.items).toHaveLength(3);
    const all: string[] = [];
    for await (const item of ops.requests({ errorCode: 'retries_exhausted', limit: 3 }))
      all.push(item.correlationId);
    expect(all.sort()).toEqual([...ids].sort());
  });

  it('reads one request and its payload (audited), resolves one, and the audit log shows both', async () => {
    const detail = await ops.getRequest(ids[0]!);
    expect(detail).toMatchObject({ status: 'failed', actions: { retry: true, resolve: true } });
    const { payload } = await ops.getPayload(ids[0]!);
    expect(payload).toMatchObject({ Customer: { LegalEntity: 'USRT' } });
    const resolved = await ops.resolve(ids[0]!, 'Created by hand in D365.');
    expect(resolved.resolution).toMatchObject({ how: 'manual', by: 'master-key' });
    const audit = await ops.auditLog({ correlationId: ids[0]! });
    expect(audit.entries.map((e) => e.action)).toEqual(['request.resolve', 'payload.read']);
    await expect(ops.resolve(ids[0]!)).rejects.toMatchObject({ status: 409 });
  });

  it('refuses a bad patch with its pointer (ValidationError), and edits and retries a good one', async () => {
    const error = await ops
      .editAndRetry(ids[1]!, { Customer: { CustomerGroup: 'x'.repeat(40) } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problem?.errors?.map((e) => e.pointer)).toEqual([
      '/Customer/CustomerGroup',
    ]);
    const edited = await ops.editAndRetry(ids[1]!, { Customer: { CustomerGroup: '20' } });
    expect(edited.changed).toEqual(['/Customer/CustomerGroup']);
  });

  it('starts a bulk replay and follows it to the end; cancelling a finished job is refused', async () => {
    const progress: number[] = [];
    const job = await ops.startReplay({ filter: { errorCode: 'retries_exhausted' } });
    const done = await ops.waitForReplay(job.id, {
      pollMs: 300,
      timeoutMs: 120_000,
      onProgress: (j) => progress.push(j.counts.succeeded),
    });
    // Seven seeded, one resolved and one edited before: five left for the job.
    expect(done).toMatchObject({ state: 'done', counts: { total: 5, released: 5, succeeded: 5 } });
    expect(progress.at(-1)).toBe(5);
    expect((await ops.listReplays())[0]!.id).toBe(job.id);
    const refused = await ops.cancelReplay(job.id).catch((e) => e);
    expect(refused).toBeInstanceOf(CustomerSyncError);
    expect((refused as CustomerSyncError).status).toBe(409);
  }, 150_000);

  it('throws AuthenticationError with a function key (the host’s 401)', async () => {
    const caller = new OperationsClient({
      baseUrl: `${stack.url}/api`,
      headers: { 'x-functions-key': 'fn' },
    });
    await expect(caller.listRequests()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(caller.startReplay({ filter: {} })).rejects.toBeInstanceOf(AuthenticationError);
  });
});
