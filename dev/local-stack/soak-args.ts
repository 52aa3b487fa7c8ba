/**
 * The soak's command-line flags (`npm run soak -- --fleet --customers 300 --kills 2`). `npm run soak`
 * puts its own defaults first (`--customers 5000 --restarts 10`) and npm appends what follows `--`,
 * so the last time a flag is given wins: the first one would always be the script's default.
 */
export function numberArg(argv: readonly string[], name: string, fallback: number): number {
  const value = stringArg(argv, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} needs a number, got "${value}"`);
  return parsed;
}

/** A `--name value` flag's value, the last given; undefined when absent or without a value. */
export function stringArg(argv: readonly string[], name: string): string | undefined {
  const i = argv.lastIndexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}
