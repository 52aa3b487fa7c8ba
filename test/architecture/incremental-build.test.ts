import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm start` and `npm test` build incrementally (dev/preflight/build.cjs): what did not change is
 * not compiled again, and nothing stale is ever run. Checked on a small project of its own (the
 * repository's dist/ is in use by the other tests): a changed source is compiled again, the output of a
 * deleted source is deleted, an unchanged project is left alone, and a file compiled from outside a
 * project's `include` (which tsc --build would not notice changing) fails the build.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { build, PROJECTS } = require('../../dev/preflight/build.cjs') as {
  build(
    root: string,
    projects: { config: string; rootDir: string; outDir: string }[],
    options?: { clean?: boolean },
  ): number;
  PROJECTS: { config: string; outDir: string }[];
};

const APP = { config: 'tsconfig.app.json', rootDir: '.', outDir: 'dist' };
const TOOLS = { config: 'tsconfig.tools.json', rootDir: '.', outDir: 'dist-dev' };
const options = { target: 'ES2023', module: 'commonjs', rootDir: '.', strict: true, types: [] };

describe('the incremental build (dev/preflight/build.cjs)', () => {
  let root: string;
  const write = (file: string, text: string): void => {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const quiet = (run: () => number): number => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      return run();
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'incremental-build-'));
    write(
      APP.config,
      JSON.stringify({ compilerOptions: { ...options, outDir: 'dist' }, include: ['functions', 'shared'] }),
    );
    write(
      TOOLS.config,
      JSON.stringify({ compilerOptions: { ...options, outDir: 'dist-dev' }, include: ['tools', 'shared'] }),
    );
    write('shared/greeting.ts', "export const greeting = 'hello';\n");
    write('functions/a.ts', "import { greeting } from '../shared/greeting';\nexport const a = greeting;\n");
    write('functions/b.ts', 'export const b = 2;\n');
    write('tools/t.ts', "import { greeting } from '../shared/greeting';\nexport const t = greeting;\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('compiles what changed, deletes what was removed, and leaves the rest alone', () => {
    expect(quiet(() => build(root, [APP, TOOLS]))).toBe(0);
    expect(existsSync(join(root, 'dist/functions/b.js'))).toBe(true);

    write('shared/greeting.ts', "export const greeting = 'changed';\n");
    rmSync(join(root, 'functions/b.ts'));
    expect(quiet(() => build(root, [APP, TOOLS]))).toBe(0);

    expect(readFileSync(join(root, 'dist/shared/greeting.js'), 'utf8')).toContain("'changed'");
    expect(readFileSync(join(root, 'dist-dev/shared/greeting.js'), 'utf8')).toContain("'changed'");
    expect(existsSync(join(root, 'dist/functions/b.js'))).toBe(false);
    expect(existsSync(join(root, 'dist/functions/b.js.map'))).toBe(false);
    expect(existsSync(join(root, 'dist/functions/a.js'))).toBe(true);

    // Nothing changed in the tools: nothing of them is written. An output deleted by hand is rebuilt.
    const tool = statSync(join(root, 'dist-dev/tools/t.js')).mtimeMs;
    rmSync(join(root, 'dist/functions/a.js'));
    expect(quiet(() => build(root, [APP, TOOLS]))).toBe(0);
    expect(existsSync(join(root, 'dist/functions/a.js'))).toBe(true);
    expect(statSync(join(root, 'dist-dev/tools/t.js')).mtimeMs).toBe(tool);
  }, 240_000);

  it('fails, naming the file, when a project compiles a file it does not include', () => {
    write('test/fixtures/data.ts', 'export const data = 1;\n');
    write('tools/u.ts', "import { data } from '../test/fixtures/data';\nexport const u = data;\n");
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(build(root, [TOOLS])).toBe(1);
      expect(error.mock.calls.flat().join('\n')).toMatch(
        /tsconfig\.tools\.json compiles test\/fixtures\/data\.ts without including it/,
      );
    } finally {
      error.mockRestore();
    }
  }, 120_000);

  it("covers every project the repository's build:all used to build", () => {
    expect(PROJECTS.map((p) => p.outDir)).toEqual([
      'dist',
      'dev/functions-host/dist',
      'dev/d365-emulator/dist',
      'packages/client/dist',
      'dist-dev',
    ]);
  });
});
