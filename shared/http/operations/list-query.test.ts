import { parseListQuery } from './list-query';

const parse = (query: string) => parseListQuery(new URLSearchParams(query));

describe('the operations list query', () => {
  it('defaults to the failed view, 50 a page; ?code= (the function key) is no filter', () => {
    expect(parse('code=some-function-key')).toEqual({ ok: true, query: { view: 'failed', limit: 50 } });
  });

  it('takes every filter, normalised', () => {
    expect(
      parse(
        'status=needs_review&errorCode=account_not_found&source=shop-eu&legalEntity=usrt&from=2026-11-26T18:00:00Z&to=2026-11-26T19:00:00%2B01:00&limit=200&cursor=abc_-',
      ),
    ).toEqual({
      ok: true,
      query: {
        view: 'needs_review',
        errorCode: 'account_not_found',
        source: 'shop-eu',
        legalEntity: 'USRT',
        from: '2026-11-26T18:00:00.000Z',
        to: '2026-11-26T18:00:00.000Z',
        limit: 200,
        cursor: 'abc_-',
      },
    });
  });

  it('names each bad parameter by pointer, and refuses unknown ones', () => {
    const result = parse('status=done&errorCode=nope&limit=500&colour=red');
    expect(result.ok).toBe(false);
    const pointers = !result.ok ? result.errors.map((e) => e.pointer).sort() : [];
    expect(pointers).toEqual(['/colour', '/errorCode', '/limit', '/status']);
    expect(parse('from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z')).toEqual({
      ok: false,
      errors: [{ pointer: '/from', detail: 'from must not be later than to' }],
    });
  });
});
