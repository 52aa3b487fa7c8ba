import { sampleCustomer } from '../../../test/fixtures/sample-customers';
import { createdForUpdate, updateSetup as setup } from '../../../test/support/update-app';
import type { ConflictPolicy } from '../../domain/customer-update';
import { StatusConflictError } from '../../ports';
import { acceptCustomer } from '../accept-customer';
import { acceptUpdate } from '../accept-update';
import { processQueuedRequest } from './dispatch';
import { POS_CALLER } from '../../../test/support/callers';

describe('customer updates (use-cases, D365 in memory)', () => {
  it('links the created customer and sends D365 only the fields that changed, with If-Match', async () => {
    const app = setup();
    await createdForUpdate(app);
    expect(await app.links.get(app.ref)).toMatchObject({ customerAccount: 'US-000001', legalEntity: 'USRT' });
    expect(
      await app.links.get({ kind: 'account', legalEntity: 'USRT', customerAccount: 'US-000001' }),
    ).toMatchObject({
      sourceCustomerId: 'C-1',
    });
    const update = await app.acceptUpdate({ ContactNumber: '+14255550100', FirstName: 'Cust' });
    expect(app.record(update.correlationId)).toMatchObject({
      kind: 'update',
      status: 'queued',
      customerAccount: 'US-000001',
    });
    await expect(app.process(update)).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-000001',
      outcome: 'updated',
    });
    expect(app.d365.patches).toEqual([
      {
        account: 'US-000001',
        changes: { PrimaryContactPhone: '+14255550100' },
        ifMatch: expect.stringMatching(/^W\//),
      },
    ]);
    // The next update uses the ETag D365 answered: no read first.
    const next = await app.acceptUpdate({ LastName: 'Newname' });
    await app.process(next);
    expect(app.d365.patches[1]).toMatchObject({ changes: { PersonLastName: 'Newname' } });
    expect(app.d365.customers.get('US-000001')!.fields).toMatchObject({
      PrimaryContactPhone: '+14255550100',
      PersonLastName: 'Newname',
    });
  });

  it('refuses an update of an unknown customer and queues nothing', async () => {
    const app = setup();
    const result = await acceptUpdate(
      {
        caller: POS_CALLER,
        target: { kind: 'reference', reference: 'nobody' },
        patch: { Customer: { FirstName: 'X' } },
      },
      { ...app.deps, links: app.links },
    );
    expect(result).toEqual({ kind: 'not-found' });
    expect(app.sent).toHaveLength(0);
    expect(app.statusStore.records.size).toBe(0);
  });

  it('lets go of the link a create reserved when the create could not be queued', async () => {
    const app = setup();
    const send = app.deps.queue.send;
    app.deps.queue.send = async () => {
      throw new Error('queue unavailable');
    };
    const origin = { source: 'pos', sourceCustomerId: 'C-1' };
    await expect(acceptCustomer(sampleCustomer('full'), app.deps, { origin })).resolves.toEqual({
      kind: 'unavailable',
    });
    expect(await app.links.get(app.ref)).toBeUndefined();
    await expect(
      acceptUpdate(
        {
          caller: POS_CALLER,
          target: { kind: 'reference', reference: app.ref.sourceCustomerId },
          patch: { Customer: { FirstName: 'X' } },
        },
        { ...app.deps, links: app.links },
      ),
    ).resolves.toEqual({ kind: 'not-found' });
    // The caller's retry is accepted, reserves the link again, and an update then waits for it.
    app.deps.queue.send = send;
    const retry = await app.acceptCreate();
    const link = await app.links.get(app.ref);
    expect(link?.createCorrelationId).toBe(retry.correlationId);
    expect(link?.customerAccount).toBeUndefined();
  });

  it('lets an update that came before its create finished wait for it, then apply', async () => {
    const app = setup();
    const create = await app.acceptCreate();
    const update = await app.acceptUpdate({ ContactNumber: '+14255550100' });
    await expect(app.process(update)).resolves.toMatchObject({ kind: 'deferred' });
    expect(app.d365.patches).toHaveLength(0);
    await processQueuedRequest(create, app.deps);
    await expect(app.process(update)).resolves.toMatchObject({ kind: 'succeeded', outcome: 'updated' });
    expect(app.d365.customers.get('US-000001')!.fields.PrimaryContactPhone).toBe('+14255550100');
  });

  it('lets a new create of the customer take over the link of one that failed, and the update wait for it', async () => {
    const app = setup();
    const failed = await app.acceptCreate();
    await app.statusStore.update(app.record(failed.correlationId), {
      status: 'failed',
      errorCode: 'business_error',
    });
    const retry = await app.acceptCreate();
    expect((await app.links.get(app.ref))?.createCorrelationId).toBe(retry.correlationId);
    const update = await app.acceptUpdate({ ContactNumber: '+14255550100' });
    await expect(app.process(update)).resolves.toMatchObject({ kind: 'deferred' });
    await processQueuedRequest(retry, app.deps);
    await expect(app.process(update)).resolves.toMatchObject({ kind: 'succeeded', outcome: 'updated' });
  });

  it('keeps the link of a create still running when another create of the customer comes', async () => {
    const app = setup();
    const first = await app.acceptCreate();
    await app.acceptCreate();
    expect((await app.links.get(app.ref))?.createCorrelationId).toBe(first.correlationId);
  });

  it('ends an update whose create failed as failed (customer_not_created)', async () => {
    const app = setup();
    const create = await app.acceptCreate();
    const update = await app.acceptUpdate({ ContactNumber: '+14255550100' });
    const record = app.record(create.correlationId);
    await app.statusStore.update(record, { status: 'failed', errorCode: 'business_error' });
    await expect(app.process(update)).resolves.toEqual({ kind: 'failed', code: 'customer_not_created' });
  });

  it('applies versioned updates delivered out of order as if in order, dropping the stale one', async () => {
    const app = setup();
    await createdForUpdate(app);
    const v1 = await app.acceptUpdate({ ContactNumber: '+14255550101' }, 1);
    const v2 = await app.acceptUpdate({ ContactNumber: '+14255550102', LastName: 'Two' }, 2);
    const v3 = await app.acceptUpdate({ ContactNumber: '+14255550103' }, 3);
    await expect(app.process(v3)).resolves.toMatchObject({ outcome: 'updated' });
    await expect(app.process(v1)).resolves.toMatchObject({ outcome: 'stale' });
    await expect(app.process(v2)).resolves.toMatchObject({ outcome: 'updated' }); // its LastName is still new
    expect(app.d365.customers.get('US-000001')!.fields).toMatchObject({
      PrimaryContactPhone: '+14255550103',
      PersonLastName: 'Two',
    });
    expect(app.d365.patches.map((p) => p.changes)).toEqual([
      { PrimaryContactPhone: '+14255550103' },
      { PersonLastName: 'Two' },
    ]);
  });

  it('applies a redelivered update once', async () => {
    const app = setup();
    await createdForUpdate(app);
    const update = await app.acceptUpdate({ ContactNumber: '+14255550100' });
    await app.process(update);
    await expect(app.process(update)).resolves.toEqual({ kind: 'already-finished' });
    expect(app.d365.patches).toHaveLength(1);
  });

  it('ends an update as updated, not stale, when its worker lost the lease after writing the link', async () => {
    const app = setup();
    await createdForUpdate(app);
    const update = await app.acceptUpdate({ ContactNumber: '+14255550100' });
    const store = app.statusStore;
    const write = store.update.bind(store);
    let lose = true;
    store.update = async (record, patch) => {
      if (lose && patch.status === 'succeeded') {
        lose = false; // another instance took the record over: this worker's last write conflicts
        throw new StatusConflictError(record.correlationId);
      }
      return write(record, patch);
    };
    await expect(app.process(update)).resolves.toEqual({ kind: 'discarded' });
    // Its lease ran out: the redelivered message is processed again, on any instance.
    const held = app.record(update.correlationId);
    store.records.set(update.correlationId, {
      ...held,
      leaseUntil: new Date(Date.now() - 1_000).toISOString(),
    });
    await expect(app.process(update)).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-000001',
      outcome: 'updated',
    });
    expect(app.record(update.correlationId)).toMatchObject({ status: 'succeeded', outcome: 'updated' });
    expect(app.d365.patches).toHaveLength(1);
  });

  it('recognises its own PATCH after a lost answer instead of calling it a conflict', async () => {
    const app = setup('review');
    await createdForUpdate(app);
    const update = await app.acceptUpdate({ ContactNumber: '+14255550100' });
    app.d365.failAfterApplying();
    await expect(app.process(update)).resolves.toMatchObject({ kind: 'retrying' });
    await expect(app.process(update)).resolves.toMatchObject({ kind: 'succeeded', outcome: 'updated' });
    expect(app.d365.patches).toHaveLength(1);
  });

  it('lets the next update wait for one whose PATCH answer was lost, instead of calling its values a D365 change', async () => {
    const app = setup('review');
    await createdForUpdate(app);
    const first = await app.acceptUpdate({ ContactNumber: '+14255550101' }, 1);
    app.d365.failAfterApplying();
    await expect(app.process(first)).resolves.toMatchObject({ kind: 'retrying' });
    const second = await app.acceptUpdate({ ContactNumber: '+14255550102' }, 2);
    await expect(app.process(second)).resolves.toMatchObject({ kind: 'deferred' });
    await expect(app.process(first)).resolves.toMatchObject({ outcome: 'updated' });
    await expect(app.process(second)).resolves.toMatchObject({ outcome: 'updated' });
    expect(app.d365.patches.map((p) => p.changes.PrimaryContactPhone)).toEqual([
      '+14255550101',
      '+14255550102',
    ]);
  });

  describe('a field changed in D365 since our last write (412)', () => {
    async function conflicted(policy: ConflictPolicy) {
      const app = setup(policy);
      await createdForUpdate(app);
      await app.process(await app.acceptUpdate({ LastName: 'First' }));
      app.d365.change('US-000001', { PrimaryContactPhone: '+19995550000' });
      const update = await app.acceptUpdate({ ContactNumber: '+14255550100' });
      return { app, result: await app.process(update), update };
    }

    it('review: sends nothing and flags the update (needs_review, update_conflict)', async () => {
      const { app, result, update } = await conflicted('review');
      expect(result).toEqual({ kind: 'needs-review' });
      expect(app.record(update.correlationId)).toMatchObject({
        status: 'needs_review',
        errorCode: 'update_conflict',
      });
      expect(app.record(update.correlationId).errorMessage).toContain('PrimaryContactPhone');
      expect(app.d365.customers.get('US-000001')!.fields.PrimaryContactPhone).toBe('+19995550000');
    });

    it('ours: overwrites it', async () => {
      const { app, result } = await conflicted('ours');
      expect(result).toMatchObject({ outcome: 'updated' });
      expect(app.d365.patches.at(-1)).toMatchObject({ ifMatch: '*' });
      expect(app.d365.customers.get('US-000001')!.fields.PrimaryContactPhone).toBe('+14255550100');
    });

    it('d365: keeps D365\u2019s value', async () => {
      const { app, result } = await conflicted('d365');
      expect(result).toMatchObject({ outcome: 'kept_d365' });
      expect(app.d365.customers.get('US-000001')!.fields.PrimaryContactPhone).toBe('+19995550000');
    });

    it('a change in D365 to a field the update does not touch is no conflict', async () => {
      const app = setup('review');
      await createdForUpdate(app);
      await app.process(await app.acceptUpdate({ LastName: 'First' }));
      app.d365.change('US-000001', { PersonLastName: 'Edited in D365' });
      await expect(
        app.process(await app.acceptUpdate({ ContactNumber: '+14255550100' })),
      ).resolves.toMatchObject({
        outcome: 'updated',
      });
      expect(app.d365.customers.get('US-000001')!.fields.PersonLastName).toBe('Edited in D365');
    });
  });
});
