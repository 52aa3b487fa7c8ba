import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { keptCorrelationKey } from './correlation-key';
import { DEFAULT_PORT, startEmulator } from '@d365-customer-sync/d365-emulator';
import { spawnHost } from '@d365-customer-sync/functions-host';
import { APP_DIR, trustCertificate } from './app-stack';
import {
  emulatorSettings,
  isLoopbackUrl,
  localAppSettings,
  readLocalSettings,
  settingDefault,
} from './local-environment';
import { azuritePorts, environmentProblems, staleEmulatorUrls } from './environment-check';
import { Seeded, seedEmulator } from './seed-emulator';
import {
  callbackSigningSecret,
  localStackDir,
  localWebhookSources,
  readyLines,
  receiverTls,
  StackState,
  writeCaBundle,
  writeState,
} from './try-it';
import { writePostmanEnvironment } from './postman-environment';
import { runDoctor } from './doctor';
import type { DiagnosisStep } from '../../shared/use-cases/diagnose-configuration';

/**
 * `npm start`: Azurite (in memory), the D365 / Entra ID / Key Vault emulator and the Functions
 * host, wired together with defaults that need no configuration. local.settings.json is optional;
 * its values win over the defaults, and when it names a real D365 and Key Vault the emulator is
 * not used. Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const appDir = APP_DIR;
  const local = readLocalSettings(appDir);
  const configured = {
    ...local.Values,
    ...pick(process.env, [
      ...Object.keys(emulatorSettings('')),
      'AZURE_AUTHORITY_HOST',
      'AzureWebJobsStorage',
    ]),
  };
  // Refuse settings that mix the emulator and real services before anything starts.
  const problems = environmentProblems(configured);
  if (problems.length > 0) {
    for (const line of problems) console.error(`Cannot start: ${line}`);
    process.exit(1);
  }
  const useEmulator = isLoopbackUrl(configured.D365_URL) || isLoopbackUrl(configured.KEY_VAULT_URL);
  const useAzurite =
    !configured.AzureWebJobsStorage || configured.AzureWebJobsStorage === 'UseDevelopmentStorage=true';
  const port = Number(process.env.PORT ?? local.Host.LocalHttpPort ?? 7071);
  /** A setting as the app will run with it: the environment, local.settings.json, else the default given or the catalogue's. */
  const effective = (name: string, fallback?: string): string =>
    process.env[name] ?? local.Values[name] ?? fallback ?? settingDefault(name);

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the host, the emulator and Azurite…');
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const ports = useAzurite ? await azuritePorts(process.env.AZURITE_PORT) : undefined;
    if (ports?.why) console.log(`Note: ${ports.why}.`);
    const stateDir = localStackDir(appDir);
    const certDir = join(stateDir, 'emulator');
    mkdirSync(certDir, { recursive: true });
    let seeded: Seeded | undefined;
    const callbackSecret = useEmulator ? callbackSigningSecret(stateDir) : '';
    // Azurite (a child process) and the emulator (in this one, then its Key Vault seeded) start side by side.
    const [azurite, emulator] = await startTogether(
      stoppers,
      ports ? startAzurite(ports) : undefined,
      useEmulator
        ? startEmulator({
            host: '127.0.0.1',
            port: Number(process.env.EMULATOR_PORT ?? DEFAULT_PORT),
            certDir,
          }).then(async (started) => {
            try {
              trustCertificate(started.caCertPem);
              seeded = await seedEmulator({
                appDir,
                emulatorUrl: started.url,
                webhookSources: effective('WEBHOOK_SOURCES', localWebhookSources(started.url)),
                callbackSecretName: effective('CALLBACK_SECRET_NAME'),
                callbackSecret,
                correlationKeySecretName: effective('CORRELATION_KEY_SECRET_NAME'),
                correlationKey: keptCorrelationKey(stateDir),
              });
              return started;
            } catch (error) {
              await started.stop();
              throw error;
            }
          })
        : undefined,
    );

    const defaults = localAppSettings(emulator?.url ?? '', azurite?.connectionString ?? '', { tryIt: true });
    // Against a real environment the emulator's identities are no defaults.
    if (!emulator) for (const name of Object.keys(emulatorSettings(''))) delete defaults[name];
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(defaults)) {
      // local.settings.json and the environment win; the host copies local.settings.json itself.
      if (value && env[name] === undefined && local.Values[name] === undefined) env[name] = value;
    }
    // Settings that name the emulator or Azurite on other ports than they run on (a copied sample
    // with EMULATOR_PORT or AZURITE_PORT set) follow them: the environment wins over local.settings.json.
    for (const { name, value, replacement } of emulator ? staleEmulatorUrls(configured, emulator.url) : []) {
      console.log(
        `Note: ${name} names ${value}; the emulator runs at ${emulator?.url}, so the app uses that.`,
      );
      env[name] = replacement;
    }
    if (
      azurite &&
      configured.AzureWebJobsStorage === 'UseDevelopmentStorage=true' &&
      ports?.blobPort !== 10000
    ) {
      console.log(
        'Note: AzureWebJobsStorage=UseDevelopmentStorage=true means ports 10000-10002; the app uses Azurite where it runs.',
      );
      env.AzureWebJobsStorage = azurite.connectionString;
    }
    const receiver = emulator ? await receiverTls(stateDir) : undefined;
    if (emulator && receiver) {
      // The user's own NODE_EXTRA_CA_CERTS is kept, with the emulator's and the local receiver's CAs added.
      const bundle = writeCaBundle(stateDir, process.env.NODE_EXTRA_CA_CERTS, [
        emulator.caCertPem,
        receiver.caPem,
      ]);
      if (bundle.note) console.log(`Note: ${bundle.note}`);
      else if (process.env.NODE_EXTRA_CA_CERTS?.trim())
        console.log(
          `Note: NODE_EXTRA_CA_CERTS (${process.env.NODE_EXTRA_CA_CERTS}) is kept: the host trusts it and the emulator's CA (${bundle.path}).`,
        );
      env.NODE_EXTRA_CA_CERTS = bundle.path;
    }

    // Against a real D365, what npm run doctor checks, before anything is sent: a wrong but
    // well-formed setting is named with its fix here instead of failing later in the host's log.
    const problem = emulator ? undefined : await configurationProblem({ ...local.Values, ...env });
    const host = await spawnHost({ appDir, port, env, onLine: (line) => console.log(line) });
    stoppers.push(() => host.stop());
    void host.exited.then(() => {
      if (!stopping) onSignal();
    });

    const state: StackState = {
      apiUrl: `${host.url}/api`,
      functionKey: effective('DEV_FUNCTION_KEY') || undefined,
      masterKey: effective('DEV_MASTER_KEY') || undefined,
      webhooks: seeded?.webhooks ?? [],
      ...(emulator && {
        emulatorUrl: emulator.url,
        emulatorCaPath: emulator.caCertPath,
        d365: {
          tenantId: emulator.tenantId,
          clientId: emulator.d365ClientId,
          clientSecret: emulator.currentClientSecret(),
        },
      }),
      ...(seeded &&
        receiver && {
          callbacks: {
            secretName: effective('CALLBACK_SECRET_NAME'),
            secret: callbackSecret,
            receiverCertPath: receiver.certPath,
            receiverKeyPath: receiver.keyPath,
          },
        }),
    };
    writeState(stateDir, state);
    const postman = writePostmanEnvironment(appDir, stateDir, state);

    console.log('');
    console.log('d365-customer-sync is running:');
    console.log(`  Functions host   ${host.url}/api  (health: ${host.url}/api/health)`);
    if (azurite)
      console.log(
        `  Azurite          blob ${azurite.blobUrl}  queue ${azurite.queueUrl}  table ${azurite.tableUrl}`,
      );
    if (emulator) {
      console.log(`  D365 emulator    ${emulator.url}  (control API: ${emulator.url}/_emulator/customers)`);
      console.log(`                   CA certificate: ${emulator.caCertPath}`);
    } else {
      console.log(`  D365             ${configured.D365_URL} (real; the emulator is not started)`);
    }
    if (problem) {
      console.log(`Problem: ${problem.step}: ${problem.problem}`);
      console.log(`Fix: ${problem.fix}`);
      console.log('Started, but requests will fail until that is fixed (npm run doctor checks again).');
    }
    console.log(`Ready: POST ${host.url}/api/customers  (Ctrl-C stops everything)`);
    for (const line of readyLines(state, (name) => effective(name), postman, appDir))
      console.log(`Ready: ${line}`);
  } catch (error) {
    console.error(`Could not start the local stack: ${(error as Error).message}`);
    await stopAll();
    process.exit(1);
  }
}

/**
 * Waits for parts started at once; each that started is registered to be stopped, also when another
 * failed (then the first failure is thrown).
 */
async function startTogether<A extends Stoppable, B extends Stoppable>(
  stoppers: (() => Promise<void>)[],
  first: Promise<A> | undefined,
  second: Promise<B> | undefined,
): Promise<[A | undefined, B | undefined]> {
  const settled = await Promise.allSettled([first, second]);
  for (const result of settled) {
    if (result.status === 'fulfilled' && result.value) {
      const part = result.value;
      stoppers.push(() => part.stop());
    }
  }
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [A | undefined, B | undefined];
}

interface Stoppable {
  stop(): Promise<void>;
}

/** The first step npm run doctor would fail on, or undefined when every step passes. */
async function configurationProblem(env: NodeJS.ProcessEnv): Promise<DiagnosisStep | undefined> {
  console.log('Checking the configuration against the real services (npm run doctor)…');
  const diagnosis = await runDoctor(env, () => undefined);
  return diagnosis.steps.find((step) => !step.ok);
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n] as string]));
}

void main();
