// The Node adapter, loaded by require: the package ships its TypeScript source next to the build,
// which the type-checker would otherwise compile with our (stricter) options.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@shopify/shopify-api/adapters/node');
import { ApiVersion, shopifyApi } from '@shopify/shopify-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createHmac } from 'node:crypto';
import { verifySharedSecret, verifyShopifyHmac, verifyStandardWebhook } from './signatures';

const sample = readFileSync(join(__dirname, '../../../test/fixtures/webhooks/shopify-customers-create.json'));
const headersOf = (record: Record<string, string>) => ({ get: (name: string) => record[name] ?? null });

describe('Shopify HMAC, cross-checked with @shopify/shopify-api', () => {
  const secret = 'shpss_cross_check_secret';
  const shopify = shopifyApi({
    apiKey: 'test-key',
    apiSecretKey: secret,
    apiVersion: ApiVersion.July25,
    isEmbeddedApp: false,
    hostName: 'localhost',
    logger: { log: () => {}, level: 0 },
  });
  const hmac = createHmac('sha256', secret).update(sample).digest('base64');
  const headers = (value: string) => ({
    'x-shopify-hmac-sha256': value,
    'x-shopify-topic': 'customers/create',
    'x-shopify-api-version': '2025-07',
    'x-shopify-shop-domain': 'shop.myshopify.com',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
  });
  const shopifyAccepts = async (body: Buffer, value: string) =>
    (
      await shopify.webhooks.validate({
        rawBody: body.toString('utf8'),
        rawRequest: { headers: headers(value) } as never,
        rawResponse: {} as never,
      })
    ).valid;

  it("accepts exactly what Shopify's own library accepts", async () => {
    expect(await shopifyAccepts(sample, hmac)).toBe(true);
    expect(verifyShopifyHmac(hmac, sample, [secret])).toEqual({ ok: true });
    const tampered = Buffer.from(sample.toString('utf8').replace('Bob', 'Rob'));
    expect(await shopifyAccepts(tampered, hmac)).toBe(false);
    expect(verifyShopifyHmac(hmac, tampered, [secret])).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses a re-serialised body (the HMAC is over the raw bytes)', async () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(sample.toString('utf8'))));
    expect(await shopifyAccepts(reserialised, hmac)).toBe(false);
    expect(verifyShopifyHmac(hmac, reserialised, [secret]).ok).toBe(false);
  });

  it('accepts the previous secret too while rotating, and refuses malformed headers', () => {
    expect(verifyShopifyHmac(hmac, sample, ['shpss_new_secret', secret])).toEqual({ ok: true });
    expect(verifyShopifyHmac(null, sample, [secret])).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyShopifyHmac('not base64!', sample, [secret])).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('Standard Webhooks, against the official standardwebhooks package', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = Buffer.from('{"Customer":{"FirstName":"Émilie"}}');
  const now = new Date('2026-03-01T12:00:00Z');
  const nowSeconds = now.getTime() / 1000;
  const signed = (at: Date, key = secret, id = 'msg_2x3') => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(id, at, body),
  });

  it('verifies what the package signs, and the package verifies the same deliveries', () => {
    const headers = signed(now);
    expect(verifyStandardWebhook(headersOf(headers), body, [secret], nowSeconds)).toEqual({ ok: true });
    // The package's own check of the same bytes (it uses the real clock, so a fresh delivery).
    const fresh = signed(new Date());
    expect(() => new Webhook(secret).verify(body, fresh)).not.toThrow();
  });

  it('refuses a tampered body, a wrong secret and timestamps beyond five minutes', () => {
    const headers = headersOf(signed(now));
    expect(verifyStandardWebhook(headers, Buffer.from('{"Customer":{}}'), [secret], nowSeconds).ok).toBe(
      false,
    );
    const other = `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`;
    expect(verifyStandardWebhook(headers, body, [other], nowSeconds)).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verifyStandardWebhook(headers, body, [secret], nowSeconds + 301)).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyStandardWebhook(headers, body, [secret], nowSeconds - 301)).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyStandardWebhook(headers, body, [secret], nowSeconds + 299)).toEqual({ ok: true });
  });

  it('accepts any of several signatures (a sender rotating its secret signs with both)', () => {
    const other = `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`;
    const a = signed(now, secret)['webhook-signature'];
    const b = signed(now, other)['webhook-signature'];
    const headers = headersOf({ ...signed(now), 'webhook-signature': `${b} ${a}` });
    expect(verifyStandardWebhook(headers, body, [secret], nowSeconds)).toEqual({ ok: true });
    expect(verifyStandardWebhook(headers, body, [other], nowSeconds)).toEqual({ ok: true });
  });
});

describe('BigCommerce secret header', () => {
  it('matches the configured value only', () => {
    expect(verifySharedSecret('s3cret', ['s3cret'])).toEqual({ ok: true });
    expect(verifySharedSecret('s3cre', ['s3cret'])).toEqual({ ok: false, reason: 'signature' });
    expect(verifySharedSecret(null, ['s3cret'])).toEqual({ ok: false, reason: 'malformed' });
  });
});
