import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The folder a file sits in says which layer it is, and imports only point inward:
 * domain ← config ← ports ← use-cases ← adapters / http ← composition ← functions.
 * The local host and the emulator are packages of their own: they import no app code, and the
 * app imports neither.
 */
const root = resolve(__dirname, '..', '..');

type Layer =
  | 'domain'
  | 'config'
  | 'ports'
  | 'use-cases'
  | 'adapters'
  | 'http'
  | 'composition'
  | 'functions'
  | 'functions-host'
  | 'd365-emulator';

/** What each layer may import (besides itself, npm packages and node: built-ins). */
const allowed: Record<Layer, Layer[]> = {
  domain: [],
  config: ['domain'],
  ports: ['domain'],
  'use-cases': ['domain', 'config', 'ports'],
  adapters: ['domain', 'config', 'ports'],
  http: ['domain', 'config', 'ports', 'use-cases'],
  composition: ['domain', 'config', 'ports', 'use-cases', 'adapters', 'http'],
  functions: ['domain', 'config', 'ports', 'use-cases', 'adapters', 'http', 'composition'],
  'functions-host': [],
  'd365-emulator': [],
};

function layerOf(file: string): Layer | undefined {
  const path = relative(root, file).split(sep).join('/');
  if (path.startsWith('functions/')) return 'functions';
  if (path === 'shared/ports.ts' || path.startsWith('shared/ports/')) return 'ports';
  if (path === 'shared/composition.ts' || path.startsWith('shared/composition/')) return 'composition';
  const shared = /^shared\/(domain|config|use-cases|adapters|http)\//.exec(path);
  if (shared) return shared[1] as Layer;
  const pkg = /^dev\/(functions-host|d365-emulator)\/src\//.exec(path);
  if (pkg) return pkg[1] as Layer;
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const files = [
  ...sourceFiles(join(root, 'functions')),
  ...sourceFiles(join(root, 'shared')),
  ...sourceFiles(join(root, 'dev', 'functions-host', 'src')),
  ...sourceFiles(join(root, 'dev', 'd365-emulator', 'src')),
];

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map(
    (m) => m[1]!,
  );

/** The imports of `file` (given as specifiers) that point outward, described for the failure message. */
function outwardImports(file: string, specifiers: string[]): string[] {
  const from = layerOf(file)!;
  const outward: string[] = [];
  for (const spec of specifiers) {
    if (spec.startsWith('@d365-customer-sync/')) {
      outward.push(`${relative(root, file)} → ${spec} (the app never imports the dev packages)`);
      continue;
    }
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    const to = layerOf(`${target}.ts`) ?? layerOf(join(target, 'index.ts')) ?? layerOf(target);
    if (to === from) continue;
    if (to === undefined || !allowed[from].includes(to)) {
      outward.push(`${relative(root, file)} (${from}) → ${spec} (${to ?? 'outside the layers'})`);
    }
  }
  return outward;
}

describe('layers', () => {
  it('every app file sits in a layer folder', () => {
    const loose = files.filter((f) => layerOf(f) === undefined).map((f) => relative(root, f));
    expect(loose).toEqual([]);
  });

  it('no import points outward, and no package imports app code', () => {
    expect(files.flatMap((file) => outwardImports(file, importsOf(file)))).toEqual([]);
  });

  it('reports an outward import (the check can fail)', () => {
    const useCase = join(root, 'shared', 'use-cases', 'example.ts');
    expect(outwardImports(useCase, ['../adapters/d365/d365-client', '../ports', '../domain/status'])).toEqual(
      ['shared/use-cases/example.ts (use-cases) → ../adapters/d365/d365-client (adapters)'],
    );
    expect(outwardImports(join(root, 'shared', 'domain', 'example.ts'), ['../ports'])).toHaveLength(1);
    expect(
      outwardImports(join(root, 'shared', 'http', 'example.ts'), ['../use-cases/accept-customer']),
    ).toEqual([]);
    expect(
      outwardImports(join(root, 'dev', 'd365-emulator', 'src', 'example.ts'), ['../../../shared/ports']),
    ).toEqual(['dev/d365-emulator/src/example.ts (d365-emulator) → ../../../shared/ports (ports)']);
  });
});
