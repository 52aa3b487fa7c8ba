import { responseViolations } from './openapi-validator';

/**
 * Jest setup (setupFilesAfterEnv) for every test file under test/: each answer the app gives to
 * `fetch` (plain http on loopback under `/api/`, the app's own routes; the emulator is https and
 * Azurite has no `/api/`) is checked against the OpenAPI document. An answer the document does
 * not describe fails the test that received it.
 */

const testPath = expect.getState().testPath ?? '';
const enabled = /[\\/]test[\\/]/.test(testPath) && !/[\\/]dev[\\/]/.test(testPath);

const violations: string[] = [];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isAppUrl(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname) && url.pathname.startsWith('/api/');
}

if (enabled) {
  const original = globalThis.fetch;
  globalThis.fetch = async function validatingFetch(input: string | URL | Request, init?: RequestInit) {
    const response = await original(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request?.url ?? String(input));
    if (!isAppUrl(url)) return response;
    const method = init?.method ?? request?.method ?? 'GET';
    const body = await response.clone().text();
    violations.push(
      ...responseViolations({
        method,
        url: url.toString(),
        status: response.status,
        headers: response.headers,
        body,
      }),
    );
    return response;
  };

  afterEach(() => {
    const found = violations.splice(0);
    if (found.length > 0) {
      throw new Error(`Answers the OpenAPI document does not describe:\n${[...new Set(found)].join('\n')}`);
    }
  });
}

/** For the validator's own test: the answers seen so far and not yet reported. */
export function takeViolations(): string[] {
  return violations.splice(0);
}
