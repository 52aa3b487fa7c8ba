import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, availableParallelism, platform, release } from 'node:os';
import { join } from 'node:path';
import { runColdStart } from './cold-start';
import { runCounts } from './counts';
import { runLatencyModel } from './latency-model';
import { quietWaited, setQuietBudget } from './cpu';
import { startBenchEmulator } from './emulator-control';
import { runEndToEnd } from './end-to-end';
import { runIntake } from './intake';
import { runKeyedIntake } from './keyed-intake';
import { runFleet } from './fleet';
import { runFairness } from './fairness';
import { runFoEvents } from './fo-events';
import { runSettleCost } from './settle-cost';
import { runLowLoad } from './low-load';
import { runWebhookIntake } from './webhook-intake';
import { runNaiveComparison } from './naive-comparison';
import { BenchOptions, parseOptions, UsageError, usage } from './options';
import { repoRoot } from './paths';
import { formatTable } from './console-report';
import { markdownReport } from './markdown-report';
import { headlineCounts, Results } from './results';
import { latencySvg } from './svg';
import { checkTargets } from './targets';

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: repoRoot(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function machine(): Results['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: git(['status', '--porcelain', '--untracked-files=no']).split('\n').filter(Boolean)
      .length,
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    if (process.argv.includes('--help')) {
      console.log(usage());
      return;
    }
    options = parseOptions(process.argv.slice(2), process.env, join(repoRoot(), 'bench'));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${usage()}`);
    process.exit(2);
  }
  const started = Date.now();
  const log = (line: string): void =>
    console.log(`[bench +${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s] ${line}`);
  setQuietBudget(options.quietWaitSeconds);
  const results: Results = {
    machine: machine(),
    options,
    durationSeconds: 0,
    quietWaitSeconds: 0,
    errors: [],
    targets: [],
  };
  log(
    `${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; phases: ${options.phases.join(', ')}`,
  );

  const emulator = await startBenchEmulator({
    latencyMs: options.d365LatencyMs,
    throttleRate: options.throttleRate,
  });
  try {
    const phases: [BenchOptions['phases'][number], () => Promise<void>][] = [
      ['counts', async () => void (results.counts = await runCounts(options, emulator, log))],
      [
        'latency-model',
        async () => void (results.latencyModel = await runLatencyModel(options, emulator, log)),
      ],
      ['intake', async () => void (results.intake = await runIntake(options, emulator, log))],
      ['webhooks', async () => void (results.webhooks = await runWebhookIntake(options, emulator, log))],
      ['end-to-end', async () => void (results.endToEnd = await runEndToEnd(options, emulator, log))],
      ['low-load', async () => void (results.lowLoad = await runLowLoad(options, emulator, log))],
      ['naive', async () => void (results.naive = await runNaiveComparison(options, emulator, log))],
      ['cold-start', async () => void (results.coldStart = await runColdStart(options, emulator, log))],
      ['keyed', async () => void (results.keyed = await runKeyedIntake(options, emulator, log))],
      ['fleet', async () => void (results.fleet = await runFleet(options, emulator, log))],
      ['settle', async () => void (results.settle = await runSettleCost(options, emulator, log))],
      ['fairness', async () => void (results.fairness = await runFairness(options, emulator, log))],
      ['fo-events', async () => void (results.foEvents = await runFoEvents(options, log))],
    ];
    for (const [phase, run] of phases) {
      if (!options.phases.includes(phase)) continue;
      try {
        await run();
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${phase} failed: ${message}`);
        results.errors.push({ phase, message });
      }
    }
  } finally {
    await emulator.stop();
  }

  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.quietWaitSeconds = quietWaited();
  Object.assign(results, headlineCounts(results));
  results.targets = checkTargets(results);
  mkdirSync(join(options.outDir, 'latest'), { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(options.outDir, 'results.json'), json);
  writeFileSync(join(options.outDir, 'latest', 'results.json'), json);
  const svg = latencySvg(results);
  writeFileSync(join(options.outDir, 'latency.svg'), svg);
  writeFileSync(join(options.outDir, 'latest', 'latency.svg'), svg);
  writeFileSync(join(options.outDir, 'latest', 'results.md'), await markdownReport(results));
  console.log('');
  console.log(formatTable(results));
  console.log('');
  console.log(
    `Wrote ${join(options.outDir, 'results.json')}, latency.svg and latest/ in ${results.durationSeconds} s.`,
  );
  if (results.errors.length > 0) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
