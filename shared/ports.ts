/**
 * The ports: the small interfaces the use-cases depend on. Adapters in shared/adapters implement
 * them with Azure Storage, Key Vault, Entra ID, D365 and Application Insights; tests implement
 * them in memory. Nothing here imports an SDK. One file per area under shared/ports/; this one
 * re-exports them all, so a use-case imports what it depends on from one place.
 */
export * from './ports/stores';
export * from './ports/secrets';
export * from './ports/d365';
export * from './ports/links';
export * from './ports/gate';
export * from './ports/telemetry';
export * from './ports/callbacks';
export * from './ports/operations';
export * from './ports/shops';
export * from './ports/audit';
