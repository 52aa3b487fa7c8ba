import { customerKeyPath, UnsafeODataKeyError, unsafeODataKeyReason } from './odata-key';

describe('OData key paths for CustomersV3', () => {
  it('names both key fields, the company in lower case, as single-quoted literals', () => {
    expect(customerKeyPath('USRT', 'US-000001')).toBe(
      "CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001')",
    );
  });

  it('doubles a quote inside a literal and percent-encodes what a URL path cannot hold as is', () => {
    expect(customerKeyPath('usrt', "O'Neil")).toBe(
      "CustomersV3(dataAreaId='usrt',CustomerAccount='O''Neil')",
    );
    expect(customerKeyPath('usrt', 'A B')).toBe("CustomersV3(dataAreaId='usrt',CustomerAccount='A%20B')");
    expect(customerKeyPath('usrt', 'Ü-1')).toBe("CustomersV3(dataAreaId='usrt',CustomerAccount='%C3%9C-1')");
  });

  it('refuses values the AOS would refuse or misread once the path is decoded, naming the rule not the value', () => {
    for (const value of [
      'a/b',
      'a?b',
      'a#b',
      'a%b',
      'a+b',
      'a&b',
      'a:b',
      'a*b',
      'a\\b',
      '<a>',
      '',
      '   ',
      'a\u0000b',
      '\ud800',
    ])
      expect(() => customerKeyPath('usrt', value)).toThrow(UnsafeODataKeyError);
    try {
      customerKeyPath('usrt', 'secret/value');
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
      expect(error).toMatchObject({ name: 'UnsafeODataKeyError', field: 'CustomerAccount' });
    }
    expect(unsafeODataKeyReason('US-000001')).toBeUndefined();
  });

  it('refuses a legal entity that is not 1 to 4 letters or digits', () => {
    for (const legalEntity of ['', 'USRTX', "us'", 'u s'])
      expect(() => customerKeyPath(legalEntity, 'US-1')).toThrow(RangeError);
  });
});
