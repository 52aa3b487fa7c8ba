import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settings } from '../../shared/config/settings';
import { appRoot } from './app-root';
import { realSampleSettings, sampleSettings } from './local-environment';

/**
 * `npm run settings:docs`: rewrites the configuration table in README.md and the Values of
 * local.settings.sample.json from `settings` in shared/config/config.ts (a test checks they agree).
 */
function main(): void {
  const root = appRoot();
  const samplePath = join(root, 'local.settings.sample.json');
  const sample = JSON.parse(readFileSync(samplePath, 'utf8')) as {
    Values: Record<string, string>;
    Host?: unknown;
  };
  sample.Values = sampleSettings();
  writeFileSync(samplePath, `${JSON.stringify(sample, null, 2)}\n`);
  const realPath = join(root, 'local.settings.real.sample.json');
  const real = { IsEncrypted: false, Values: realSampleSettings(), Host: sample.Host };
  writeFileSync(realPath, `${JSON.stringify(real, null, 2)}\n`);

  const readmePath = join(root, 'README.md');
  const lines = readFileSync(readmePath, 'utf8').split('\n');
  const rows = settings.map(
    (s) =>
      `| \`${s.name}\` | ${s.default === undefined ? 'required' : `\`${s.default}\``} | ${s.local === undefined ? 'from the emulator' : `\`${s.local}\``} | ${s.description.replace(/\|/g, '\\|')} |`,
  );
  const start = lines.findIndex((l) => l.startsWith(`| \`${settings[0]!.name}\``));
  const end = lines.findIndex((l) => l.startsWith('| `AzureWebJobsStorage`'));
  if (start < 0 || end < start) throw new Error('README.md has no configuration table to rewrite');
  lines.splice(start, end - start, ...rows);
  writeFileSync(readmePath, lines.join('\n'));
  console.log(
    `Wrote ${settings.length} settings to README.md, local.settings.sample.json and local.settings.real.sample.json`,
  );
}

main();
