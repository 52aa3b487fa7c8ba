import { BodySizeLimitError, DEFAULT_MAX_REQUEST_BODY_BYTES, requestBodyLimit } from './request-body';

describe('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', () => {
  const limit = (value: string | undefined): number =>
    requestBodyLimit({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: value });

  it('defaults to 100 MB (104857600 bytes), as the host', () => {
    expect(DEFAULT_MAX_REQUEST_BODY_BYTES).toBe(104_857_600);
    expect(requestBodyLimit({})).toBe(104_857_600);
  });

  it('takes an integer number of bytes, as long.TryParse reads it (sign and surrounding white space allowed)', () => {
    expect(limit('1024')).toBe(1024);
    expect(limit(' 4294967296 ')).toBe(4_294_967_296);
    expect(limit('+10')).toBe(10);
    expect(limit('0')).toBe(0);
  });

  it('keeps the default for values the host cannot parse', () => {
    for (const value of ['', '10MB', '1e6', '1_000', '12.5', '99999999999999999999']) {
      expect({ value, limit: limit(value) }).toEqual({ value, limit: DEFAULT_MAX_REQUEST_BODY_BYTES });
    }
  });

  it('refuses a negative limit with an error naming the setting and keeping the value', () => {
    expect(() => limit('-1')).toThrow(BodySizeLimitError);
    const thrown = (() => {
      try {
        return limit('-5');
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(BodySizeLimitError);
    expect(thrown).toMatchObject({
      name: 'BodySizeLimitError',
      setting: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT',
      value: '-5',
      message: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a number of bytes of 0 or more (got "-5")',
    });
  });
});
