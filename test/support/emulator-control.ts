/**
 * The emulator's control API (`/_emulator/…`, `/_shopify/…`, `/_bigcommerce/…`) as the tests call it:
 * JSON in and out, and any answer but 2xx thrown with its status and body. `url` is read at each call,
 * so a suite can make the caller before its `beforeAll` has started the emulator.
 */
export type EmulatorControl = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<T>;

export function emulatorControl(url: () => string): EmulatorControl {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await fetch(`${url()}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
