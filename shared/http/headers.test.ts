import { parseIdempotencyKey } from './idempotency-key';
import { parsePreferWait } from './prefer';

describe('Idempotency-Key', () => {
  it.each([
    ['8e03978e-40d5-43e8-bc93-6894a57f9324', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['order:4711/pos-3', 'order:4711/pos-3'],
  ])('accepts %p', (header, key) => {
    expect(parseIdempotencyKey(header)).toEqual({ ok: true, key });
  });

  it.each([[''], ['""'], ['a b'], ['x'.repeat(256)], ['caf\u00e9'], ['a"b'], ['a\\b'], ['a\u0000b']])(
    'refuses %p',
    (header) => {
      expect(parseIdempotencyKey(header)).toMatchObject({ ok: false, error: { pointer: '' } });
    },
  );

  it('is optional', () => {
    expect(parseIdempotencyKey(null)).toEqual({ ok: true });
  });
});

describe('Prefer: wait', () => {
  it.each([
    [null, undefined],
    ['wait=10', 10],
    ['respond-async, wait=5', 5],
    ['WAIT="7"', 7],
    ['wait=100', 25],
    ['return=minimal', undefined],
  ])('reads %p as %p (capped at 25)', (header, waitSeconds) => {
    expect(parsePreferWait(header, 25)).toEqual({
      ok: true,
      ...(waitSeconds !== undefined && { waitSeconds }),
    });
  });

  it.each([['wait=abc'], ['wait=-1'], ['wait='], ['wait=1.5'], ['x'.repeat(300)]])('refuses %p', (header) => {
    expect(parsePreferWait(header, 25)).toMatchObject({ ok: false });
  });
});
