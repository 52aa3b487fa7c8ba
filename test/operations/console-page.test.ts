import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';
import { sampleCustomer } from '../fixtures/sample-customers';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';

/**
 * The operator console in a real browser: Debian's `chromium` (installed by .ci/run) driven by
 * playwright-core, which never downloads a browser. `CHROMIUM_PATH` names another binary.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FUNCTION_KEY = { 'x-functions-key': 'fn' };
const full = sampleCustomer('full');

describe('the operator console page (headless Chromium)', () => {
  let stack: AppStack;
  let browser: Browser;
  let failed: { correlationId: string; statusUrl: string };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    stack = await startAppStack({ settings: { DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const body = {
      Customer: { ...full.Customer, EmailAddress: `page.${randomUUID()}@example.com`, CustomerGroup: 'NOPE' },
    };
    const answer = await postJson(`${stack.url}/api/customers`, body, FUNCTION_KEY);
    failed = answer.json as { correlationId: string; statusUrl: string };
    expect((await waitForTerminal(failed.statusUrl, 30_000, FUNCTION_KEY)).status).toBe('failed');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('refuses the page without the master key (the host’s 401)', async () => {
    expect((await fetch(`${stack.url}/api/console`)).status).toBe(401);
    expect((await fetch(`${stack.url}/api/console?code=fn`)).status).toBe(401);
  });

  it('lists the failure with no personal data, shows the intake’s field errors inline, and the fixed request succeeds', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const answer = await page.goto(`${stack.url}/api/console?code=master`);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'nonce-");
    // The key leaves the address bar at once.
    expect(page.url()).toBe(`${stack.url}/api/console`);

    const row = page.locator(`tr[data-id="${failed.correlationId}"]`);
    await row.waitFor();
    expect(await page.locator('#counts').textContent()).toContain('business_error 1');
    expect(await page.content()).not.toMatch(/@example\.com/);

    await page.getByLabel('View').selectOption('failed');
    await page.getByLabel('Error code').fill('business_error');
    await page.getByRole('button', { name: 'Search' }).click();
    await row.waitFor();
    await row.focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail:not([hidden])').waitFor();
    expect(await page.locator('#facts').textContent()).toContain('business_error');

    const patch = page.getByLabel('Edit and retry: a JSON Merge Patch of the request');
    await patch.fill('{"Customer": {"CustomerGroup": "this group name is far too long for D365"}}');
    await page.getByRole('button', { name: 'Apply and retry' }).click();
    const fieldError = page.locator('#edit-errors li[data-pointer="/Customer/CustomerGroup"]');
    await fieldError.waitFor();

    await patch.fill('{"Customer": {"CustomerGroup": "20"}}');
    await page.getByRole('button', { name: 'Apply and retry' }).click();
    await page.locator('#outcome', { hasText: 'Queued again; changed /Customer/CustomerGroup.' }).waitFor();
    expect((await waitForTerminal(failed.statusUrl, 30_000, FUNCTION_KEY)).status).toBe('succeeded');
    expect(errors).toEqual([]);
    await page.close();
  });
});
