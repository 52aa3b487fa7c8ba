import { randomBytes } from 'node:crypto';
import { secretWeakness } from './secret-strength';

describe('secretWeakness', () => {
  it('takes a Standard Webhooks secret only in the spec form with at least 24 random bytes', () => {
    expect(secretWeakness('standard', `whsec_${randomBytes(24).toString('base64')}`)).toBeUndefined();
    expect(secretWeakness('standard', `whsec_${randomBytes(16).toString('base64')}`)).toMatch(/at least 24/);
    expect(secretWeakness('standard', 'password123')).toMatch(/"whsec_"/);
    expect(secretWeakness('standard', 'whsec_not base64!')).toMatch(/"whsec_"/);
  });

  it('takes Shopify and BigCommerce secrets of at least 32 characters', () => {
    expect(secretWeakness('shopify', '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')).toBeUndefined();
    expect(secretWeakness('shopify', 'shpss_0a1b2c3d')).toBe(
      'a Shopify webhook secret must have at least 32 characters (it has 8)',
    );
    expect(secretWeakness('bigcommerce', 'x'.repeat(32))).toBeUndefined();
    expect(secretWeakness('bigcommerce', 'secret')).toMatch(
      /BigCommerce .* at least 32 characters \(it has 6\)/,
    );
  });
});
