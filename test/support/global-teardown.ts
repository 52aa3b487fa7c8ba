interface Stoppable {
  stop(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__testStack as
    { azurite: Stoppable; emulator: Stoppable } | undefined;
  await Promise.all([stack?.azurite.stop(), stack?.emulator.stop()]);
}
