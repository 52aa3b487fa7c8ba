/**
 * The `--name value` pairs of a bench script's command line (bench:replay, bench:backfill): each
 * option is taken once, as a number or as text, and `rest()` refuses any the script did not take.
 */
export interface NamedArgs {
  /** A non-negative number, `fallback` when absent. */
  number(name: string, fallback: number): number;
  text(name: string): string | undefined;
  /** Throws naming the options nobody took. */
  rest(): void;
}

export function namedArgs(argv: string[]): NamedArgs {
  const named = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!;
    if (!key.startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`expected --name value, got ${key}`);
    named.set(key.slice(2), argv[i + 1]!);
  }
  const take = (name: string): string | undefined => {
    const value = named.get(name);
    named.delete(name);
    return value;
  };
  return {
    number(name, fallback) {
      const value = Number(take(name) ?? fallback);
      if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
      return value;
    },
    text: take,
    rest() {
      if (named.size > 0) throw new Error(`unknown options: ${[...named.keys()].join(', ')}`);
    },
  };
}
