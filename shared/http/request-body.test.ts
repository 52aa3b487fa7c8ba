import { HttpRequest } from '@azure/functions';
import { MAX_BODY_BYTES, MERGE_PATCH_MEDIA_TYPES, readJsonBody } from './request-body';

const request = (body: string | Buffer, headers: Record<string, string>) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/customers',
    body: typeof body === 'string' ? { string: body } : { bytes: body },
    headers,
  });

describe('reading a JSON request body', () => {
  it('parses a JSON body sent as application/json, with or without a charset, in any case', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      await expect(readJsonBody(request('{"a":1}', { 'content-type': type }))).resolves.toEqual({
        ok: true,
        value: { a: 1 },
      });
    }
  });

  it('takes a merge patch as application/merge-patch+json or application/json, nothing else', async () => {
    const read = (type: string) =>
      readJsonBody(request('{"a":null}', { 'content-type': type }), { mediaTypes: MERGE_PATCH_MEDIA_TYPES });
    await expect(read('application/merge-patch+json')).resolves.toEqual({ ok: true, value: { a: null } });
    await expect(read('application/json; charset=utf-8')).resolves.toEqual({ ok: true, value: { a: null } });
    const jsonPatch = await read('application/json-patch+json');
    expect(jsonPatch).toMatchObject({
      ok: false,
      problem: {
        status: 415,
        errors: [
          { pointer: '', detail: 'Content-Type must be application/merge-patch+json or application/json.' },
        ],
      },
    });
  });

  it.each([
    [''],
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
    ['application/merge-patch+json'],
    ['application/vnd.api+json'],
  ])('answers 415 to content type %p', async (type) => {
    const result = await readJsonBody(request('{}', type ? { 'content-type': type } : {}));
    expect(result).toMatchObject({ ok: false, problem: { status: 415 } });
  });

  it('answers 413 from Content-Length before reading the body', async () => {
    const result = await readJsonBody(
      request('{}', { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) }),
    );
    expect(result).toMatchObject({ ok: false, problem: { status: 413 } });
  });

  it('answers 413 when the body turns out longer than the limit without a Content-Length', async () => {
    const body = JSON.stringify({ x: 'y'.repeat(MAX_BODY_BYTES) });
    const result = await readJsonBody(request(body, { 'content-type': 'application/json' }));
    expect(result).toMatchObject({ ok: false, problem: { status: 413 } });
  });

  it('accepts a body of exactly the limit', async () => {
    const body = JSON.stringify({ x: 'y'.repeat(MAX_BODY_BYTES - 8) });
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    await expect(readJsonBody(request(body, { 'content-type': 'application/json' }))).resolves.toMatchObject({
      ok: true,
    });
  });

  it('answers 400 with an empty pointer to malformed JSON and invalid UTF-8, without echoing the body', async () => {
    const malformed = await readJsonBody(
      request('{"EmailAddress": "abc@x.com",', { 'content-type': 'application/json' }),
    );
    expect(malformed).toMatchObject({ ok: false, problem: { status: 400, errors: [{ pointer: '' }] } });
    expect(JSON.stringify(malformed)).not.toContain('abc@x.com');
    const invalidUtf8 = await readJsonBody(
      request(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { 'content-type': 'application/json' }),
    );
    expect(invalidUtf8).toMatchObject({ ok: false, problem: { status: 400 } });
  });

  it('answers 400 to an empty body', async () => {
    const result = await readJsonBody(request('', { 'content-type': 'application/json' }));
    expect(result).toMatchObject({ ok: false, problem: { status: 400 } });
  });
});
