import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';
import { sampleCustomer } from '../fixtures/sample-customers';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { seedFailedRequests } from '../support/failed-requests';

/**
 * The operator console in a real browser: Debian's `chromium` (installed by .ci/run) driven by
 * playwright-core, which never downloads a browser. `CHROMIUM_PATH` names another binary.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the README's screenshots are written when set (`CONSOLE_SCREENSHOTS=docs/images npx jest …`). */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;
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

  it('opens filtered from a deep link (the workbook’s and the alerts’), and keeps the filter in the address', async () => {
    const page = await browser.newPage();
    const link = `/api/console?status=failed&errorCode=business_error&legalEntity=USRT&request=${failed.correlationId}`;
    await page.goto(`${stack.url}${link}&code=master`);
    // The key left the address; the filter stayed.
    expect(page.url()).not.toContain('code=');
    expect(await page.getByLabel('Error code').inputValue()).toBe('business_error');
    expect(await page.getByLabel('Legal entity').inputValue()).toBe('USRT');
    await page.locator('#detail:not([hidden])').waitFor();
    expect(await page.locator('#detail-title').textContent()).toBe(`Request ${failed.correlationId}`);
    await page.locator(`tr[data-id="${failed.correlationId}"]`).waitFor();
    expect(new URL(page.url()).searchParams.get('errorCode')).toBe('business_error');
    await page.close();
  });

  it('lists the failure with no personal data, shows the intake’s field errors inline, and the fixed request succeeds', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const answer = await page.goto(`${stack.url}/api/console?code=master`);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'nonce-");
    // The key leaves the address bar at once (the filter takes its place).
    expect(page.url()).toMatch(new RegExp(`^${stack.url}/api/console(\\?status=failed)?$`));

    const row = page.locator(`tr[data-id="${failed.correlationId}"]`);
    await row.waitFor();
    expect(await page.locator('#counts').textContent()).toContain('business_error 1');
    expect(await page.content()).not.toMatch(/@example\.com/);

    await page.getByLabel('View').selectOption('failed');
    await page.getByLabel('Error code').fill('business_error');
    // The search re-renders the list: wait until the row shown before is gone, so the Enter below
    // reaches the new row, not one about to be replaced (a race CI hit once, 2026-12-08).
    const shown = await row.elementHandle();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction((element) => !element?.isConnected, shown);
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
    if (SCREENSHOTS) {
      await page.setViewportSize({ width: 1200, height: 900 });
      await page.locator('#detail').screenshot({ path: `${SCREENSHOTS}/console-edit-errors.png` });
    }

    await patch.fill('{"Customer": {"CustomerGroup": "20"}}');
    await page.getByRole('button', { name: 'Apply and retry' }).click();
    await page.locator('#outcome', { hasText: 'Queued again; changed /Customer/CustomerGroup.' }).waitFor();
    expect((await waitForTerminal(failed.statusUrl, 30_000, FUNCTION_KEY)).status).toBe('succeeded');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('bulk-replays 500 failures with one action and shows them drain on a live progress bar', async () => {
    const ids = await seedFailedRequests({ status: stack.table, operations: stack.opsTable }, 500, {
      errorCode: 'not_registered',
    });
    await stack.emulatorApi('POST', '/_emulator/stats/reset');
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${stack.url}/api/console?code=master`);
    await page.getByLabel('Error code').fill('not_registered');
    await page.getByRole('button', { name: 'Search' }).click();
    // The counts name every code of the view (the filter's code among them).
    await page.locator('#counts', { hasText: 'not_registered 500' }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/console-failed-list.png` });

    await page.getByRole('button', { name: 'Replay all matching failed requests' }).click();
    const progress = page.getByLabel('Replay progress');
    // The bar moves while they drain: seen part-way at least once, then full.
    const seen: number[] = [];
    // (Screenshots: once about a third has drained.)
    const enough = (v: number) => v > (SCREENSHOTS ? 150 : 0) && v < 500;
    for (let tries = 0; !seen.some(enough) && tries < 1200; tries += 1) {
      if ((await progress.getAttribute('max')) === '500')
        seen.push(Number(await progress.getAttribute('value')));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen.some((v) => v > 0 && v < 500)).toBe(true);
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/console-bulk-replay.png` });
    // Load-proof: wait while the bar moves (fail only after 120 s without progress), then assert counts.
    const status = page.locator('#replay-status');
    let last = -1;
    let movedAt = Date.now();
    while (!((await status.textContent()) ?? '').startsWith('Replay done:')) {
      const value = Number(await progress.getAttribute('value'));
      if (value !== last) [last, movedAt] = [value, Date.now()];
      if (Date.now() - movedAt > 120_000) throw new Error(`the replay stalled at ${last} of 500`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await status.textContent()).toContain(
      'Replay done: 500 of 500 done (500 succeeded, 0 failed again, 0 need review, 0 skipped; 0 on their way)',
    );
    expect(await progress.getAttribute('value')).toBe('500');
    // The list was searched again: no not_registered failure is left.
    await page.locator('#list tbody tr').first().waitFor({ state: 'detached' });
    expect(await page.locator('#counts').textContent()).not.toContain('not_registered');

    const stats = await stack.emulatorApi<{
      d365: { maxConcurrent: number };
      responses429: number;
      customersCreated: number;
    }>('GET', '/_emulator/stats');
    expect(stats.customersCreated).toBe(500);
    expect(stats.d365.maxConcurrent).toBeLessThanOrEqual(4);
    expect(stats.responses429).toBe(0);
    const sample = await fetch(`${stack.url}/api/ops/requests/${ids[123]}`, {
      headers: { 'x-functions-key': 'master' },
    });
    expect(await sample.json()).toMatchObject({ status: 'succeeded' });
    expect(await page.content()).not.toMatch(/@example\.com/);
    expect(errors).toEqual([]);
    await page.close();
  }, 1_800_000);
});
