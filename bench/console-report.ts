import { countsProfileLines } from './counts-profile';
import { intakeProfileLines } from './intake-probe-rows';
import { Results } from './results';
import { runSettings } from './run-settings';
import { cells, HEADER, rows } from './table-rows';
import { targetLines } from './targets';

/** Plain-text columns for a terminal: each cell padded to its column's widest, two spaces apart. */
function columns(table: string[][]): string[] {
  const width = (text: string): number => [...text].length;
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => width(row[c] ?? ''))));
  return table.map((row) =>
    row
      .map((cell, c) => cell + ' '.repeat(widths[c]! - width(cell)))
      .join('  ')
      .trimEnd(),
  );
}

/** The table `npm run bench` prints. */
export function formatTable(r: Results): string {
  const lines = columns([HEADER, ...rows(r).map(cells)]);
  const m = r.machine;
  return [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.date}, commit ${m.commit}${m.uncommittedChanges ? ` (+${m.uncommittedChanges} changed files)` : ''}`,
    ...runSettings(r).map((line) => `  ${line}`),
    '',
    lines[0]!,
    '-'.repeat(lines[0]!.length),
    ...lines.slice(1),
    ...(r.counts?.cpuProfile ? ['', ...countsProfileLines(r.counts.cpuProfile)] : []),
    ...(r.intake?.oursProfiled ? ['', ...intakeProfileLines(r)] : []),
    '',
    'Targets:',
    ...targetLines(r.targets).map((line) => `  ${line}`),
    ...(r.errors.length
      ? ['', 'Phases that failed:', ...r.errors.map((e) => `  ${e.phase}: ${e.message.split('\n')[0]}`)]
      : []),
  ].join('\n');
}
