/**
 * A queue or table client whose resource is created once, on first use, when running on a
 * connection string (locally: Azurite); in Azure the deployment template creates it. A failed
 * creation is tried again by the next caller.
 */
export function ensuredOnce<T>(client: T, create: () => Promise<unknown>, local: boolean): () => Promise<T> {
  let ready: Promise<unknown> | undefined;
  return async () => {
    if (local) {
      ready ??= create().catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      await ready;
    }
    return client;
  };
}
