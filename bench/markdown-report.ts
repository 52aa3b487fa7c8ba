import { join } from 'node:path';
import * as prettier from 'prettier';
import { n } from './cells';
import { repoRoot } from './paths';
import { countsProfileLines } from './counts-profile';
import { intakeProfileLines } from './intake-probe-rows';
import { Results } from './results';
import { runSettings } from './run-settings';
import { cells, HEADER, rows } from './table-rows';
import { targetLines } from './targets';

/** A Markdown table, unaligned: `formatMarkdown` lays it out. */
export function markdownTable(header: string[], body: string[][]): string[] {
  const line = (row: string[]): string => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)];
}

/**
 * Lays Markdown out with Prettier and the repository's Prettier settings, so that what the bench
 * writes to bench/latest/ stays `prettier --check` clean.
 */
export async function formatMarkdown(text: string): Promise<string> {
  const filepath = join(repoRoot(), 'bench', 'latest', 'results.md');
  const config = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(text, { ...config, filepath, parser: 'markdown' });
}

const cpuCells = (
  label: string,
  cpu: { benchCores: number; otherCores: number } | null | undefined,
): string[] => (cpu ? [label, n(cpu.benchCores, 2), n(cpu.otherCores, 2)] : [label, '–', '–']);

/** bench/latest/results.md: the table, the targets and the machine, for the README to cite. */
export async function markdownReport(r: Results): Promise<string> {
  const m = r.machine;
  const table = markdownTable(
    HEADER,
    rows(r).map((row) =>
      cells({
        ...row,
        // Markdown cells lose their leading spaces: sub-measures get an arrow instead.
        measure: row.measure.startsWith('  ') ? `↳ ${row.measure.trim()}` : row.measure,
      }),
    ),
  );
  const cpuRows = markdownTable(
    ['run', 'bench processes', 'other processes'],
    [
      ...(r.intake?.rounds.flatMap((round, k) => [
        cpuCells(`intake ${k + 1}, baseline`, round.baseline.cpu),
        cpuCells(`intake ${k + 1}, ours`, round.ours.cpu),
      ]) ?? []),
      ...(r.webhooks?.rounds.flatMap((round, k) =>
        Object.entries(round).map(([route, run]) => cpuCells(`webhooks ${k + 1}, ${route}`, run.cpu)),
      ) ?? []),
      ...(r.endToEnd?.runs.map((d) => cpuCells(d.label, d.cpu)) ?? []),
    ],
  );
  return formatMarkdown(
    [
      '# Latest benchmark results',
      '',
      `\`npm run bench\` on ${m.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, commit \`${m.commit}\`${m.uncommittedChanges ? ` with ${m.uncommittedChanges} changed files` : ''}; the run took ${r.durationSeconds} s. Method and how to reproduce: [bench/README.md](../README.md). Latency distributions: [latency.svg](latency.svg).`,
      '',
      ...runSettings(r).map((line) => `- ${line}`),
      '',
      ...table,
      '',
      '## Targets',
      '',
      ...targetLines(r.targets).map((line) => `- ${line}`),
      ...(r.counts?.cpuProfile
        ? [
            '',
            '## Host CPU profile (counts)',
            '',
            '```text',
            ...countsProfileLines(r.counts.cpuProfile),
            '```',
          ]
        : []),
      ...(r.intake?.oursProfiled
        ? ['', '## Intake CPU profile', '', '```text', ...intakeProfileLines(r), '```']
        : []),
      '',
      '## Machine load during the runs',
      '',
      "Average cores busy, for the bench's own processes and for everything else on the machine (a shared machine is noisy; figures measured while other processes took a core are worth less).",
      '',
      ...cpuRows,
      ...(r.errors.length
        ? [
            '',
            '## Phases that failed',
            '',
            ...r.errors.map((e) => `- ${e.phase}: ${e.message.split('\n')[0]}`),
          ]
        : []),
      '',
    ].join('\n'),
  );
}
