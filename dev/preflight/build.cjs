#!/usr/bin/env node
'use strict';
/**
 * `npm run build:all` (and so `npm start` and `npm test`): builds the app (dist/), the two dev
 * workspaces and the client (their dist/) and the dev tools (dist-dev/) incrementally, in one
 * `tsc --build` process: a project whose sources did not change is not compiled again (tsc keeps a
 * .tsbuildinfo per project, in its outDir, with a hash of every input). Nothing stale can be run or
 * tested:
 *
 * - changed sources: tsc compares each input's content hash with the one it built from;
 * - deleted sources: tsc never deletes outputs, so before it runs every output whose source is gone
 *   (or became a test file) is deleted here; a compiled function file of a removed function would
 *   otherwise still be loaded by the host (package.json `main` is a glob over dist/functions);
 * - outputs deleted by hand (`rm -rf dist`): tsc rebuilds the project;
 * - a file a project compiles without including it (imported from outside its `include`): tsc
 *   --build looks only at the included files to decide whether a project is up to date, so a change
 *   there would not rebuild it. The build fails, naming the file and the tsconfig to include it in.
 *
 *   node dev/preflight/build.cjs            build what changed
 *   node dev/preflight/build.cjs --clean    delete every output first, then build everything
 *   node dev/preflight/build.cjs --verbose  say why each project is (not) rebuilt
 *
 * `npm run build` (the remote build in Azure) stays a clean, non-incremental build of the app alone.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

/** Every project of the repository, in build order (the tools import the workspaces' declarations). */
const PROJECTS = [
  { config: 'tsconfig.build.json', rootDir: '.', outDir: 'dist' },
  {
    config: 'dev/functions-host/tsconfig.build.json',
    rootDir: 'dev/functions-host/src',
    outDir: 'dev/functions-host/dist',
    bin: 'main.js',
  },
  {
    config: 'dev/d365-emulator/tsconfig.build.json',
    rootDir: 'dev/d365-emulator/src',
    outDir: 'dev/d365-emulator/dist',
    bin: 'main.js',
  },
  {
    config: 'packages/client/tsconfig.build.json',
    rootDir: 'packages/client/src',
    outDir: 'packages/client/dist',
  },
  { config: 'tsconfig.tools.json', rootDir: '.', outDir: 'dist-dev' },
];

const OUTPUT_SUFFIXES = ['.d.ts.map', '.js.map', '.d.ts', '.js'];

/** The source an output was compiled from (`dist/shared/x.js` → `<root>/shared/x.ts`); undefined for other files. */
function sourceOf(root, project, outputRelative) {
  const suffix = OUTPUT_SUFFIXES.find((s) => outputRelative.endsWith(s));
  if (!suffix) return undefined;
  return path.join(root, project.rootDir, outputRelative.slice(0, -suffix.length) + '.ts');
}

function* filesUnder(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else yield full;
  }
}

/** Deletes the outputs of sources that no longer exist (or became tests); returns how many. */
function pruneOrphans(root, project) {
  const outDir = path.join(root, project.outDir);
  let removed = 0;
  for (const file of filesUnder(outDir)) {
    const source = sourceOf(root, project, path.relative(outDir, file));
    if (source === undefined) continue;
    if (fs.existsSync(source) && !source.endsWith('.test.ts')) continue;
    fs.rmSync(file, { force: true });
    removed += 1;
  }
  return removed;
}

/** The project's `include` folders, absolute (its tsconfig is plain JSON). */
function includesOf(root, project) {
  const config = JSON.parse(fs.readFileSync(path.join(root, project.config), 'utf8'));
  return (config.include || []).map((dir) => path.join(root, path.dirname(project.config), dir));
}

/** Compiled files whose source the project does not include (see the header); empty when none. */
function unincludedSources(root, project) {
  const includes = includesOf(root, project);
  const outDir = path.join(root, project.outDir);
  const found = [];
  for (const file of filesUnder(outDir)) {
    if (!file.endsWith('.js')) continue;
    const source = sourceOf(root, project, path.relative(outDir, file));
    if (!includes.some((dir) => source === dir || source.startsWith(dir + path.sep)))
      found.push(path.relative(root, source));
  }
  return found;
}

/** Builds `projects` under `root`; returns the exit code (tsc's errors and the build's own lines are printed). */
function build(root, projects, { clean = false, verbose = false } = {}) {
  if (clean) {
    // Each project keeps its .tsbuildinfo in its outDir, so this forgets the earlier builds too.
    for (const project of projects)
      fs.rmSync(path.join(root, project.outDir), { recursive: true, force: true });
  }
  let pruned = 0;
  for (const project of projects) pruned += pruneOrphans(root, project);
  if (pruned > 0) console.log(`build: removed ${pruned} compiled file(s) whose source is gone`);

  const tsc = require.resolve('typescript/bin/tsc', { paths: [root, __dirname] });
  const result = spawnSync(
    process.execPath,
    [tsc, '--build', ...projects.map((p) => p.config), ...(verbose ? ['--verbose'] : [])],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) return result.status ?? 1;
  for (const project of projects) {
    const outside = unincludedSources(root, project);
    if (outside.length > 0) {
      console.error(
        `build: ${project.config} compiles ${outside.join(', ')} without including it, so a change there ` +
          `would not rebuild it: add its folder to "include" in ${project.config}`,
      );
      return 1;
    }
    if (project.bin) fs.chmodSync(path.join(root, project.outDir, project.bin), 0o755);
  }
  return 0;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const root = path.join(__dirname, '..', '..');
  process.exit(
    build(root, PROJECTS, { clean: argv.includes('--clean'), verbose: argv.includes('--verbose') }),
  );
}

module.exports = { PROJECTS, build };
