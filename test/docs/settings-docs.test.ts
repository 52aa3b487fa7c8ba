import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleSettings } from '../../dev/local-stack/local-environment';
import { loadConfig } from '../../shared/config/config';
import { settings } from '../../shared/config/settings';

// The configuration table in README.md and local.settings.sample.json are written by
// `npm run settings:docs` from the settings catalogue; these checks fail when they drift.
const root = join(__dirname, '..', '..');
const sample = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as {
  Values: Record<string, string>;
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('settings documentation', () => {
  it('local.settings.sample.json holds exactly what the local stack sets, and the app accepts it', () => {
    expect(sample.Values).toEqual(sampleSettings());
    for (const s of settings) expect(sample.Values[s.name]).toBeDefined();
    expect(() => loadConfig(sample.Values)).not.toThrow();
  });

  it('the README configuration table documents every setting with its default and local value', () => {
    for (const s of settings) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${s.name}\``));
      expect(row).toBeDefined();
      expect(row).toContain(s.default === undefined ? 'required' : `\`${s.default}\``);
      expect(row).toContain(s.local === undefined ? 'from the emulator' : `\`${s.local}\``);
    }
  });
});
