/** True when a URL points at this machine (so a local emulator stands in for the service). */
export function isLoopbackUrl(value: string | undefined): boolean {
  if (!value) return true;
  try {
    const { hostname } = new URL(value);
    return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname);
  } catch {
    return false;
  }
}
