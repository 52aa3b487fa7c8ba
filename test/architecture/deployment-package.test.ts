import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ignore from 'ignore';

/**
 * What `func azure functionapp publish` (and the azd deploy) would upload: every file of the
 * repository that `.funcignore` does not exclude (Core Tools reads it with .gitignore semantics).
 * The remote build then runs `npm install` and `npm run build`, which compiles only functions/ and
 * shared/. Nothing of the local host, the emulator, the bench or the tests may be in it.
 */
const root = resolve(__dirname, '..', '..');
const funcignore = ignore().add(readFileSync(join(root, '.funcignore'), 'utf8'));
const repoFiles = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const deployed = repoFiles.filter((file) => !funcignore.ignores(file));

describe('the deployment package', () => {
  it('holds no dev code: no local host, emulator, local stack, bench, tests or test settings', () => {
    const devCode = deployed.filter((file) =>
      /^(dev|bench|test|dist-dev|docs|infra|\.ci)\/|\.test\.ts$|^local\.settings|^jest\.config|^tsconfig\.(json|tools\.json)$/.test(
        file,
      ),
    );
    expect(devCode).toEqual([]);
  });

  it('holds what the remote build needs to build and run the app', () => {
    for (const file of [
      'host.json',
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      'tsconfig.base.json',
    ]) {
      expect(deployed).toContain(file);
    }
    expect(deployed.filter((f) => f.startsWith('functions/')).length).toBeGreaterThan(0);
    expect(deployed.filter((f) => f.startsWith('shared/')).length).toBeGreaterThan(0);
    expect(deployed.every((f) => /^(functions|shared)\//.test(f) || !f.endsWith('.ts'))).toBe(true);
  });

  it('builds only functions/ and shared/ into dist/', () => {
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    expect(build.include.sort()).toEqual(['functions', 'shared']);
  });
});
