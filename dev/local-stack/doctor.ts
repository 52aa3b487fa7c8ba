import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { configurationProbes } from '../../shared/adapters/configuration-probes';
import { isLoopbackUrl } from '../../shared/config/urls';
import {
  checkSettings,
  Diagnosis,
  diagnoseConfiguration,
  DiagnosisStep,
} from '../../shared/use-cases/diagnose-configuration';
import { appRoot } from './app-root';
import { DEFAULT_EMULATOR_URL, localAppSettings, readLocalSettings } from './local-environment';
import { localStackDir, StackState, stateFile } from './stack-state';

/**
 * `npm run doctor`: checks the configuration `npm start` would run with (local.settings.json, then
 * the environment) step by step against the real services, and stops at the first failure with its
 * fix in one line: the settings' shape, the D365 client secret in Key Vault, the Entra ID token,
 * D365 (reachable, the app registered and allowed), the target, the reference data the defaults
 * name, the shops' credentials, the callback signing secret. Exit code 0 when every step passed.
 *
 *   npm run doctor                                  this machine's configuration
 *   npm run doctor -- --app https://<app>/api --key <master key>   a deployed app's (GET /api/health/deep)
 */

/** The environment `npm start` gives the app: the emulator's defaults when it uses the emulator. */
export function doctorEnvironment(appDir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const local = readLocalSettings(appDir).Values;
  const configured = { ...local, ...env };
  const emulator = isLoopbackUrl(configured.D365_URL) || isLoopbackUrl(configured.KEY_VAULT_URL);
  if (!emulator) return configured;
  // On the emulator: the running npm start's (its URL and CA), else the default port's.
  let state: StackState | undefined;
  try {
    state = JSON.parse(readFileSync(stateFile(localStackDir(appDir, env)), 'utf8')) as StackState;
  } catch {
    state = undefined;
  }
  const caPath = state?.emulatorCaPath;
  if (caPath) {
    const pem = readFileSync(caPath, 'utf8');
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), pem]);
  }
  const defaults = localAppSettings(
    state?.emulatorUrl ?? DEFAULT_EMULATOR_URL,
    'UseDevelopmentStorage=true',
    {
      tryIt: true,
    },
  );
  return { ...defaults, ...configured };
}

/** Runs every step on `env`, printing each as it is done; resolves with the diagnosis. */
export async function runDoctor(env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<Diagnosis> {
  const settings = checkSettings(env);
  if (!settings.config) {
    printStep(settings.step, print);
    return { ok: false, steps: [settings.step] };
  }
  const probes = withEnvironment(env, () => configurationProbes(settings.config!));
  const diagnosis = await diagnoseConfiguration(settings.config, probes);
  diagnosis.steps[0] = settings.step;
  for (const step of diagnosis.steps) printStep(step, print);
  return diagnosis;
}

/** Runs `make` with `env` as process.env (DefaultAzureCredential reads AZURE_* when it is made). */
function withEnvironment<T>(env: NodeJS.ProcessEnv, make: () => T): T {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return make();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

export function printStep(step: DiagnosisStep, print: (line: string) => void): void {
  print(`${step.ok ? 'ok  ' : 'FAIL'}  ${step.step.padEnd(15)} ${step.checked}`);
  if (step.problem) print(`      problem: ${step.problem}`);
  if (step.fix) print(`      fix:     ${step.fix}`);
}

async function remote(url: string, key: string | undefined, print: (line: string) => void): Promise<boolean> {
  const response = await fetch(`${url.replace(/\/+$/, '')}/health/deep`, {
    headers: key ? { 'x-functions-key': key } : {},
  });
  if (response.status !== 200 && response.status !== 503) {
    print(
      `FAIL  ${url}/health/deep answered ${response.status}${response.status === 401 ? ': send the master key (--key)' : ''}.`,
    );
    return false;
  }
  const answer = (await response.json()) as { steps: DiagnosisStep[] };
  for (const step of answer.steps) printStep(step, print);
  return response.status === 200;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const print = (line: string): void => console.log(line);
  const app = option('--app');
  if (app) {
    print(`doctor: ${app}/health/deep`);
    process.exit((await remote(app, option('--key'), print)) ? 0 : 1);
  }
  print(
    'doctor: the configuration npm start runs with (local.settings.json, then the environment), step by step',
  );
  const diagnosis = await runDoctor(doctorEnvironment(appRoot()), print);
  print(
    diagnosis.ok
      ? 'doctor: every step passed.'
      : 'doctor: stopped at the first failure (fix it and run npm run doctor again).',
  );
  process.exit(diagnosis.ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`npm run doctor: ${(error as Error).message}`);
    process.exit(2);
  });
}
