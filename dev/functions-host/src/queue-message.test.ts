import { decodeBase64Strict, toOutputMessages, toTriggerData } from './queue-message';

describe('queue messages', () => {
  it('decodes base64 as strictly as .NET does', () => {
    expect(decodeBase64Strict('aGVsbG8=')?.toString()).toBe('hello');
    expect(decodeBase64Strict('aGVs\r\nbG8=')?.toString()).toBe('hello');
    expect(decodeBase64Strict('aGVsbG8')).toBeUndefined(); // length not a multiple of 4
    expect(decodeBase64Strict('aGVs=G8=')).toBeUndefined(); // padding in the middle
    expect(decodeBase64Strict('{"a":1}')).toBeUndefined();
    expect(decodeBase64Strict('')?.length).toBe(0);
  });

  it('passes JSON objects and arrays as json, other text as string, binary dataType as bytes', () => {
    expect(toTriggerData(Buffer.from('{"a":1}'), undefined)).toEqual({ json: '{"a":1}' });
    expect(toTriggerData(Buffer.from('[1]'), undefined)).toEqual({ json: '[1]' });
    expect(toTriggerData(Buffer.from('{not json'), undefined)).toEqual({ string: '{not json' });
    expect(toTriggerData(Buffer.from('42'), undefined)).toEqual({ string: '42' });
    expect(toTriggerData(Buffer.from('{"a":1}'), 'string')).toEqual({ string: '{"a":1}' });
    expect(toTriggerData(Buffer.from([0, 255]), 'binary')).toEqual({ bytes: Buffer.from([0, 255]) });
  });

  it('turns output values into messages, one per array element', () => {
    const texts = (data: Parameters<typeof toOutputMessages>[0]): string[] =>
      toOutputMessages(data).map(String);
    expect(texts({ string: 'hi' })).toEqual(['hi']);
    expect(texts({ json: '{"a":1}' })).toEqual(['{"a":1}']);
    expect(texts({ json: '["x",{"b":2}]' })).toEqual(['x', '{"b":2}']);
    expect(texts({ int: 7 })).toEqual(['7']);
    expect(texts(undefined)).toEqual([]);
  });
});
