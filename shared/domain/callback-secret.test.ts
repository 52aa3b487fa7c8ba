import { Webhook } from 'standardwebhooks';
import { callbackSecretsFor } from './callback-secret';
import { standardWebhookSignature } from './standard-webhook-signature';

const APP_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const ROTATED = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

describe('callback secrets per caller', () => {
  it('gives each caller its own secret, the shared key caller the app secret itself', () => {
    const [a] = callbackSecretsFor([APP_SECRET], 'key:shop-a');
    const [b] = callbackSecretsFor([APP_SECRET], 'key:shop-b');
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(new Set([a, b, APP_SECRET]).size).toBe(3);
    expect(callbackSecretsFor([APP_SECRET], 'key:shop-a')).toEqual([a]); // stable
    expect(callbackSecretsFor([APP_SECRET], undefined)).toEqual([APP_SECRET]);
    expect(callbackSecretsFor([APP_SECRET], 'anonymous')).toEqual([APP_SECRET]);
    expect(callbackSecretsFor([ROTATED, APP_SECRET], 'key:shop-a')).toHaveLength(2);
  });

  it("signs so that the caller's own secret verifies (standardwebhooks) and another caller's does not", () => {
    const [shopA] = callbackSecretsFor([APP_SECRET], 'key:shop-a');
    const [shopB] = callbackSecretsFor([APP_SECRET], 'key:shop-b');
    const body = '{"type":"customer.succeeded"}';
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature([shopA!], 'evt_1', timestamp, body),
    };
    expect(new Webhook(shopA!).verify(body, headers)).toEqual({ type: 'customer.succeeded' });
    expect(() => new Webhook(shopB!).verify(body, headers)).toThrow();
    expect(() => new Webhook(APP_SECRET).verify(body, headers)).toThrow();
  });
});
