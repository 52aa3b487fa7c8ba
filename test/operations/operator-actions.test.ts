import { randomUUID } from 'node:crypto';
import { sampleCustomer } from '../fixtures/sample-customers';
import { principalHeader } from '../support/principal';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';

const full = sampleCustomer('full');
const MASTER = { 'x-functions-key': 'master' };
const FUNCTION_KEY = { 'x-functions-key': 'fn' };

interface Audit {
  entries: {
    actor: { kind: string; id: string };
    action: string;
    correlationIds: string[];
    fields?: string[];
    outcome: string;
  }[];
}

/** A create that D365 refuses (an unknown customer group: `failed`, `business_error`). */
async function failedCreate(stack: AppStack, email = `fix.${randomUUID()}@example.com`) {
  const body = { Customer: { ...full.Customer, EmailAddress: email, CustomerGroup: 'NOPE' } };
  const answer = await postJson(`${stack.url}/api/customers`, body, FUNCTION_KEY);
  const { correlationId, statusUrl } = answer.json as { correlationId: string; statusUrl: string };
  const final = await waitForTerminal(statusUrl, 30_000, FUNCTION_KEY);
  expect(final).toMatchObject({ status: 'failed', error: { code: 'business_error' } });
  return { correlationId, statusUrl, email };
}

describe('operator actions: payload (audited), edit and retry, retry, resolve, the audit log', () => {
  let stack: AppStack;
  const lines: string[] = [];

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = MASTER) =>
    fetch(`${stack.url}/api${path}`, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined && {
          'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
        }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const auditOf = async (id: string) =>
    (await (await call('GET', `/ops/audit?correlationId=${id}`)).json()) as Audit;

  beforeAll(async () => {
    stack = await startAppStack({
      settings: { DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' },
      onHostLine: (line) => lines.push(line),
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('edit and retry: a bad field gets the intake’s pointer; the fixed request succeeds with the corrected data in D365', async () => {
    const { correlationId, statusUrl, email } = await failedCreate(stack);
    const path = `/ops/requests/${correlationId}/payload`;

    const bad = await call('PATCH', path, {
      Customer: { CustomerGroup: 'x'.repeat(40), Phone: 'not a phone' },
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    // The intake's own answer to the same fields in a new request.
    const intake = await postJson(
      `${stack.url}/api/customers`,
      { Customer: { ...full.Customer, CustomerGroup: 'x'.repeat(40), Phone: 'not a phone' } },
      FUNCTION_KEY,
    );
    expect(intake.status).toBe(400);
    const intakePointers = (intake.json as { errors: { pointer: string }[] }).errors
      .map((e) => e.pointer)
      .sort();
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual(intakePointers);
    expect(intakePointers).toContain('/Customer/CustomerGroup');

    const frozen = await call('PATCH', path, {
      Customer: { EmailAddress: `other.${randomUUID()}@example.com` },
    });
    expect(frozen.status).toBe(400);
    expect(((await frozen.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(
      '/Customer/EmailAddress',
    );
    const wrongType = await fetch(`${stack.url}/api${path}`, {
      method: 'PATCH',
      headers: { ...MASTER, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('accept-patch')).toContain('application/merge-patch+json');

    const fixed = await call('PATCH', path, { Customer: { CustomerGroup: '20' } });
    expect(fixed.status).toBe(202);
    expect(await fixed.json()).toMatchObject({
      request: { correlationId, status: 'queued', edited: true },
      changed: ['/Customer/CustomerGroup'],
    });
    const final = await waitForTerminal(statusUrl, 30_000, FUNCTION_KEY);
    expect(final.status).toBe('succeeded');
    const created = (await stack.customers()).find((c) => c.account === final.customerAccount);
    expect(created?.fields.CustomerGroupId ?? created?.contract?.CustomerGroup).toBe('20');

    // The audit log: who changed which field, never the values (nor the e-mail).
    const audit = await auditOf(correlationId);
    expect(audit.entries.map((e) => e.action)).toEqual(['request.edit_retry']);
    expect(audit.entries[0]).toMatchObject({
      actor: { kind: 'key', id: 'master-key' },
      correlationIds: [correlationId],
      fields: ['/Customer/CustomerGroup'],
      outcome: 'queued',
    });
    expect(JSON.stringify(audit)).not.toMatch(/"20"|NOPE|@example\.com/);
    expect(lines.join('\n')).not.toContain(email);
  });

  it('shows the payload only on request, and audits each read', async () => {
    const { correlationId } = await failedCreate(stack);
    expect((await auditOf(correlationId)).entries).toEqual([]);
    const shown = await call('GET', `/ops/requests/${correlationId}/payload`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const body = (await shown.json()) as {
      payload: { Customer: { CustomerGroup: string } };
      original?: unknown;
    };
    expect(body.payload.Customer.CustomerGroup).toBe('NOPE');
    expect(body.original).toBeUndefined();
    expect((await auditOf(correlationId)).entries.map((e) => [e.action, e.outcome])).toEqual([
      ['payload.read', 'shown'],
    ]);
  });

  it('retries as it is, and resolves with a note (scrubbed); refuses what no longer applies with 409', async () => {
    const first = await failedCreate(stack);
    const retried = await call('POST', `/ops/requests/${first.correlationId}/retry`);
    expect(retried.status).toBe(202);
    expect(((await retried.json()) as { status: string }).status).toBe('queued');
    expect((await waitForTerminal(first.statusUrl, 30_000, FUNCTION_KEY)).status).toBe('failed');

    const resolved = await call('POST', `/ops/requests/${first.correlationId}/resolve`, {
      note: 'Created by hand in D365; asked jane.doe@example.org',
    });
    expect(resolved.status).toBe(200);
    const view = (await resolved.json()) as { resolution: { how: string; by: string; note: string } };
    expect(view.resolution).toMatchObject({ how: 'manual', by: 'master-key' });
    expect(view.resolution.note).not.toContain('jane.doe@example.org');
    const listed = (await (await call('GET', '/ops/requests?status=resolved')).json()) as {
      items: { correlationId: string }[];
    };
    expect(listed.items.map((i) => i.correlationId)).toContain(first.correlationId);

    const again = await call('POST', `/ops/requests/${first.correlationId}/resolve`, {});
    expect(again.status).toBe(409);
    const unknownMember = await call('POST', `/ops/requests/${first.correlationId}/resolve`, { notes: 'x' });
    expect(unknownMember.status).toBe(400);
    expect(((await unknownMember.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(
      '/notes',
    );
    expect((await call('POST', `/ops/requests/${randomUUID()}/retry`)).status).toBe(404);
    expect((await call('POST', '/ops/requests/not-a-uuid/retry')).status).toBe(400);

    const audit = await auditOf(first.correlationId);
    expect(audit.entries.map((e) => e.action)).toEqual(['request.resolve', 'request.retry']);
    expect(JSON.stringify(audit)).not.toContain('Created by hand');
    const whole = (await (await call('GET', '/ops/audit?limit=2')).json()) as Audit & { cursor?: string };
    expect(whole.entries).toHaveLength(2);
    expect(whole.cursor).toBeDefined();
    const bad = await call('GET', '/ops/audit?limit=0&who=me');
    expect(
      ((await bad.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort(),
    ).toEqual(['/limit', '/who']);
  });

  it('auto-resolve: a later create for the same customer that succeeds resolves the earlier failure (superseded)', async () => {
    const email = `later.${randomUUID()}@example.com`;
    const earlier = await failedCreate(stack, email);
    const body = { Customer: { ...full.Customer, EmailAddress: email.toUpperCase() } };
    const answer = await postJson(`${stack.url}/api/customers`, body, FUNCTION_KEY);
    const later = answer.json as { correlationId: string; statusUrl: string };
    expect((await waitForTerminal(later.statusUrl, 30_000, FUNCTION_KEY)).status).toBe('succeeded');

    type View = { status: string; view: string; resolution?: unknown; actions: { resolve: boolean } };
    // Resolved right after the success is written (the record, its index rows, then the audit
    // entry): the status answer may be read a moment before. The audit entry comes last.
    let audit = await auditOf(earlier.correlationId);
    for (let tries = 0; audit.entries.length === 0 && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      audit = await auditOf(earlier.correlationId);
    }
    let view: View;
    for (let tries = 0; ; tries += 1) {
      view = (await (await call('GET', `/ops/requests/${earlier.correlationId}`)).json()) as View;
      if (view.resolution !== undefined || tries >= 50) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(view).toMatchObject({
      status: 'failed',
      view: 'resolved',
      resolution: { how: 'superseded', by: 'system', note: `superseded by ${later.correlationId}` },
      actions: { resolve: false },
    });
    const listed = (await (await call('GET', '/ops/requests?status=resolved&limit=200')).json()) as {
      items: { correlationId: string; resolution?: string }[];
    };
    expect(listed.items).toContainEqual(
      expect.objectContaining({ correlationId: earlier.correlationId, resolution: 'superseded' }),
    );
    const failed = (await (await call('GET', '/ops/requests?status=failed&limit=200')).json()) as {
      items: { correlationId: string }[];
    };
    expect(failed.items.map((i) => i.correlationId)).not.toContain(earlier.correlationId);
    expect(audit.entries[0]).toMatchObject({
      actor: { kind: 'system', id: 'system' },
      action: 'request.auto_resolve',
      outcome: `superseded by ${later.correlationId}`,
    });
    expect(JSON.stringify(audit)).not.toContain(email);
  });

  it('refuses every action without the master key (the host’s 401), and changes nothing', async () => {
    const { correlationId } = await failedCreate(stack);
    const routes: [string, string, unknown?][] = [
      ['GET', `/ops/requests/${correlationId}/payload`],
      ['PATCH', `/ops/requests/${correlationId}/payload`, { Customer: { CustomerGroup: '20' } }],
      ['POST', `/ops/requests/${correlationId}/retry`],
      ['POST', `/ops/requests/${correlationId}/resolve`, { note: '' }],
      ['POST', `/ops/requests/${correlationId}/link`, { customerAccount: 'US-001' }],
      ['POST', `/ops/requests/${correlationId}/create-new`],
      ['GET', '/ops/audit'],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(method, path, body, {})).status).toBe(401);
      expect((await call(method, path, body, FUNCTION_KEY)).status).toBe(401);
    }
    expect((await auditOf(correlationId)).entries).toEqual([]);
  });
});

describe('operator actions behind App Service Authentication (an Entra ID operator role)', () => {
  let stack: AppStack;

  beforeAll(async () => {
    stack = await startAppStack({
      settings: { CALLER_AUTH: 'app-service', DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('needs a principal (401) with the operator role (403) on every action; no key', async () => {
    const id = randomUUID();
    const reader = principalHeader('11111111-aaaa-4aaa-8aaa-000000000003', [
      'Customers.Read',
      'Customers.Create',
    ]);
    const operator = principalHeader('11111111-aaaa-4aaa-8aaa-000000000004', ['Customers.Operate']);
    const routes: [string, string][] = [
      ['GET', `/ops/requests/${id}/payload`],
      ['PATCH', `/ops/requests/${id}/payload`],
      ['POST', `/ops/requests/${id}/retry`],
      ['POST', `/ops/requests/${id}/resolve`],
      ['GET', '/ops/audit'],
    ];
    for (const [method, path] of routes) {
      const as = (headers: Record<string, string>) =>
        fetch(`${stack.url}/api${path}`, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          ...(method !== 'GET' && { body: '{}' }),
        });
      expect((await as(MASTER)).status).toBe(401);
      expect((await as({ 'x-ms-client-principal': reader })).status).toBe(403);
      expect([200, 404]).toContain((await as({ 'x-ms-client-principal': operator })).status);
    }
  });
});
