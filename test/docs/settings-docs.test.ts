import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REAL_ENVIRONMENT_PLACEHOLDERS,
  realSampleSettings,
  sampleSettings,
} from '../../dev/local-stack/local-environment';
import { environmentProblems } from '../../dev/local-stack/environment-check';
import { loadConfig } from '../../shared/config/config';
import { settings } from '../../shared/config/settings';

// The configuration table in README.md and local.settings.sample.json are written by
// `npm run settings:docs` from the settings catalogue; these checks fail when they drift.
const root = join(__dirname, '..', '..');
const sample = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as {
  Values: Record<string, string>;
};
const realSample = JSON.parse(readFileSync(join(root, 'local.settings.real.sample.json'), 'utf8')) as {
  Values: Record<string, string>;
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('settings documentation', () => {
  it('local.settings.sample.json holds exactly what the local stack sets, and the app accepts it', () => {
    expect(sample.Values).toEqual(sampleSettings());
    for (const s of settings) expect(sample.Values[s.name]).toBeDefined();
    expect(() => loadConfig(sample.Values)).not.toThrow();
  });

  it('local.settings.real.sample.json names no emulator and is refused until its placeholders are filled in', () => {
    expect(realSample.Values).toEqual(realSampleSettings());
    expect(JSON.stringify(realSample)).not.toMatch(
      /127\.0\.0\.1|localhost|1111111|2222222|3333333|local-emulator/,
    );
    // As copied: every placeholder is named.
    const message = (() => {
      try {
        loadConfig(realSample.Values);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    for (const name of Object.keys(REAL_ENVIRONMENT_PLACEHOLDERS)) expect(message).toContain(name);
    // Filled in: the app and the local stack accept it.
    const filled = {
      ...realSample.Values,
      D365_URL: 'https://contoso.operations.dynamics.com',
      KEY_VAULT_URL: 'https://kv-d365sync.vault.azure.net',
      D365_TENANT_ID: '5c9a7f8e-1b2d-4e3f-9a0b-1c2d3e4f5a6b',
      D365_CLIENT_ID: '6d0b8a9f-2c3e-4f4a-8b1c-2d3e4f5a6b7c',
    };
    expect(() => loadConfig(filled)).not.toThrow();
    expect(environmentProblems(filled)).toEqual([]);
  });

  it('the local stack refuses the emulator sample with only D365_URL and KEY_VAULT_URL changed, naming each leftover', () => {
    const mixed = {
      ...sample.Values,
      D365_URL: 'https://contoso.operations.dynamics.com',
      KEY_VAULT_URL: 'https://kv-d365sync.vault.azure.net',
    };
    const problems = environmentProblems(mixed);
    expect(problems[0]).toMatch(
      /^ENTRA_AUTHORITY_HOST names a local emulator \(https:\/\/127\.0\.0\.1:7443\)/,
    );
    expect(problems.map((line) => line.split(' ')[0])).toEqual([
      'ENTRA_AUTHORITY_HOST',
      'D365_TENANT_ID',
      'D365_CLIENT_ID',
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_ID',
      'AZURE_CLIENT_SECRET',
    ]);
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
