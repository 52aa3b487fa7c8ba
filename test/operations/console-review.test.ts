import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';
import { sampleCustomer } from '../fixtures/sample-customers';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';

/**
 * Issue 32: a `needs_review` possible duplicate is decided in the operator console (headless
 * Chromium, as test/operations/console-page.test.ts): the review shows the candidates' accounts and
 * the fields they matched on (never values); "Link" ends the request `succeeded`/`linked` with the
 * chosen account, "Create a new customer" queues it again and the worker creates one. Both audited.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FUNCTION_KEY = { 'x-functions-key': 'fn' };
const MASTER = { 'x-functions-key': 'master' };
const letters = (n: number): string =>
  Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(0, 26))).join('');

describe('reviewing a possible duplicate in the operator console (headless Chromium)', () => {
  let stack: AppStack;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    stack = await startAppStack({ settings: { DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A phone-only person created, then the same last name and phone with an initial: needs_review. */
  async function possibleDuplicate(): Promise<{
    account: string;
    id: string;
    statusUrl: string;
    lastName: string;
  }> {
    const lastName = `Review${letters(6)}`;
    const customer = {
      ...sampleCustomer('minimal').Customer,
      FirstName: `Jo${letters(6)}`,
      LastName: lastName,
      ContactNumber: `+1425${randomInt(200, 1000)}${randomInt(1000, 10_000)}`,
    };
    delete (customer as { EmailAddress?: string }).EmailAddress;
    const first = await postJson(`${stack.url}/api/customers`, { Customer: customer }, FUNCTION_KEY);
    const created = await waitForTerminal(
      (first.json as { statusUrl: string }).statusUrl,
      45_000,
      FUNCTION_KEY,
    );
    expect(created).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const initial = { Customer: { ...customer, FirstName: `${customer.FirstName[0]}.` } };
    const second = await postJson(`${stack.url}/api/customers`, initial, FUNCTION_KEY);
    const { correlationId, statusUrl } = second.json as { correlationId: string; statusUrl: string };
    const review = await waitForTerminal(statusUrl, 45_000, FUNCTION_KEY);
    expect(review).toMatchObject({ status: 'needs_review', error: { code: 'possible_duplicate' } });
    return { account: String(created.customerAccount), id: correlationId, statusUrl, lastName };
  }

  const auditActions = async (id: string): Promise<string[]> => {
    const answer = await fetch(`${stack.url}/api/ops/audit?correlationId=${id}`, { headers: MASTER });
    return ((await answer.json()) as { entries: { action: string }[] }).entries.map((e) => e.action);
  };

  it('links it to the existing account: succeeded, linked, audited; the review showed fields, never values', async () => {
    const dup = await possibleDuplicate();
    const page = await browser.newPage();
    await page.goto(`${stack.url}/api/console?request=${dup.id}&code=master`);
    await page.locator('#review:not([hidden])').waitFor();
    const why = await page.locator('#review-why').textContent();
    expect(why).toBe('Possible match: 1 D365 customer(s), matched on name_initial_and_phone.');
    expect(await page.locator('#candidate option').allTextContents()).toEqual([dup.account]);
    expect(await page.locator('#detail').textContent()).not.toContain(dup.lastName);
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await page.getByText(`Linked to ${dup.account}.`).waitFor();
    await page.close();
    const status = await (await fetch(dup.statusUrl, { headers: FUNCTION_KEY })).json();
    expect(status).toMatchObject({ status: 'succeeded', outcome: 'linked', customerAccount: dup.account });
    expect(await auditActions(dup.id)).toContain('review.link');
    // Decided once: linking again is refused.
    const again = await postJson(
      `${stack.url}/api/ops/requests/${dup.id}/link`,
      { customerAccount: dup.account },
      MASTER,
    );
    expect(again.status).toBe(409);
  }, 180_000);

  it('creates a new customer instead: queued again, created with another account, audited', async () => {
    const dup = await possibleDuplicate();
    // Another account than a candidate is refused with a pointer.
    const wrong = await postJson(
      `${stack.url}/api/ops/requests/${dup.id}/link`,
      { customerAccount: 'US-999999' },
      MASTER,
    );
    expect(wrong.status).toBe(400);
    expect((wrong.json as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toEqual([
      '/customerAccount',
    ]);
    const page = await browser.newPage();
    await page.goto(`${stack.url}/api/console?request=${dup.id}&code=master`);
    await page.locator('#review:not([hidden])').waitFor();
    await page.getByRole('button', { name: 'Create a new customer' }).click();
    await page.getByText('Queued again: a new customer will be created.').waitFor();
    await page.close();
    const final = await waitForTerminal(dup.statusUrl, 60_000, FUNCTION_KEY);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created' });
    expect(final.customerAccount).not.toBe(dup.account);
    const held = (await stack.customers()).filter((c) => c.fields.PersonLastName === dup.lastName);
    expect(held).toHaveLength(2);
    expect(await auditActions(dup.id)).toContain('review.create_new');
  }, 180_000);
});
