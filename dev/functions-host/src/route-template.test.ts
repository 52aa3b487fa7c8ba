import { matchRoute, parseRouteTemplate, RouteTemplateError } from './route-template';

const match = (template: string, path: string): Record<string, string> | undefined =>
  matchRoute(parseRouteTemplate(template), path);

describe('route templates', () => {
  it('matches literal segments case-insensitively, with or without a trailing slash', () => {
    expect(match('customers/status', 'Customers/STATUS')).toEqual({});
    expect(match('customers/status', 'customers/status/')).toEqual({});
    expect(match('customers/status', 'customers')).toBeUndefined();
    expect(match('customers/status', 'customers/status/extra')).toBeUndefined();
  });

  it('captures parameters, decoding percent-escapes except %2F', () => {
    expect(match('customers/{id}', 'customers/C%2001')).toEqual({ id: 'C 01' });
    expect(match('customers/{id}', 'customers/a%2Fb')).toEqual({ id: 'a%2Fb' });
    expect(match('customers/{id}', 'customers/')).toBeUndefined();
  });

  it('supports optional parameters and defaults', () => {
    expect(match('hello/{name?}', 'hello')).toEqual({});
    expect(match('hello/{name?}', 'hello/ada')).toEqual({ name: 'ada' });
    expect(match('page/{n=1}', 'page')).toEqual({ n: '1' });
    expect(match('page/{n:int=1}', 'page/3')).toEqual({ n: '3' });
  });

  it('checks typed constraints', () => {
    expect(match('items/{id:int}', 'items/-12')).toEqual({ id: '-12' });
    expect(match('items/{id:int}', 'items/2147483648')).toBeUndefined();
    expect(match('items/{id:long}', 'items/2147483648')).toEqual({ id: '2147483648' });
    expect(match('items/{id:guid}', 'items/1B4E28BA-2FA1-11D2-883F-0016D3CCA427')).toBeDefined();
    expect(match('items/{id:guid}', 'items/1b4e28ba2fa111d2883f0016d3cca427')).toBeDefined();
    expect(match('items/{id:guid}', 'items/not-a-guid')).toBeUndefined();
    expect(match('items/{name:alpha}', 'items/abc')).toEqual({ name: 'abc' });
    expect(match('items/{name:alpha}', 'items/abc1')).toBeUndefined();
    expect(match('items/{flag:bool}', 'items/True')).toEqual({ flag: 'True' });
    expect(match('items/{n:range(1,10)}', 'items/10')).toEqual({ n: '10' });
    expect(match('items/{n:range(1,10)}', 'items/11')).toBeUndefined();
    expect(match('items/{n:int:min(5)}', 'items/4')).toBeUndefined();
    expect(match('items/{code:length(3)}', 'items/abc')).toEqual({ code: 'abc' });
    expect(match('items/{code:minlength(4)}', 'items/abc')).toBeUndefined();
    expect(match('items/{code:regex(^[a-z]{{2}}\\d+$)}', 'items/ab12')).toEqual({ code: 'ab12' });
    expect(match('items/{code:regex(^[a-z]{{2}}\\d+$)}', 'items/abc')).toBeUndefined();
    expect(match('items/{x:double}', 'items/1.5e3')).toEqual({ x: '1.5e3' });
    expect(match('items/{x:decimal}', 'items/1.5e3')).toBeUndefined();
  });

  it('supports catch-all parameters and segments mixing literals and parameters', () => {
    expect(match('files/{*path}', 'files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(match('files/{**path}', 'files')).toEqual({});
    expect(match('files/{name}.{ext}', 'files/report.final.pdf')).toEqual({
      name: 'report.final',
      ext: 'pdf',
    });
    expect(match('files/v{version:int}', 'files/v2')).toEqual({ version: '2' });
    expect(match('files/v{version:int}', 'files/vx')).toBeUndefined();
  });

  it('ranks literals over constrained parameters over plain parameters over catch-alls', () => {
    const ranked = ['items/{*rest}', 'items/{id}', 'items/{id:int}', 'items/latest']
      .map(parseRouteTemplate)
      .sort((a, b) => a.precedence - b.precedence)
      .map((t) => t.template);
    expect(ranked).toEqual(['items/latest', 'items/{id:int}', 'items/{id}', 'items/{*rest}']);
  });

  it('rejects invalid templates with a message naming the template', () => {
    expect(() => parseRouteTemplate('a/{id:nope}')).toThrow(/'nope' could not be resolved/);
    expect(() => parseRouteTemplate('a/{*rest}/b')).toThrow(RouteTemplateError);
    expect(() => parseRouteTemplate('a/{x?}/b')).toThrow(/optional parameter must be at the end/);
    expect(() => parseRouteTemplate('a/{x}/{x}')).toThrow(/appears twice/);
    expect(() => parseRouteTemplate('a/{x')).toThrow(/unclosed/);
  });
});
