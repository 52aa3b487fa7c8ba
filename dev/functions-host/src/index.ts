/**
 * The local Azure Functions host as a library: start it as a child process (`spawnHost`), start the
 * Azurite storage emulator it needs (`startAzurite`), or load an app in-process the way the host does
 * (`loadEntryPoints` with the core API). The command line is `functions-host` (src/main.ts).
 */
export { spawnHost, compiledHostPath } from './spawn';
export type { SpawnHostOptions, SpawnedHost, HostExit } from './spawn';
export { startProcess } from './child-process';
export type { RunningProcess, StartProcessOptions } from './child-process';
export { startAzurite, azuriteConnectionString, AZURITE_ACCOUNT, AZURITE_KEY } from './azurite';
export type { AzuriteOptions, RunningAzurite } from './azurite';
export { loadEntryPoints, entryPointFiles, AppLoadError } from './app-loader';
export { createCoreApi, createWorkerApp, installCoreModule } from './core-api';
export type { CoreApi, WorkerApp, RegisteredFunction, SystemLog } from './core-api';
