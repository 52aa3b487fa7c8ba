import { settings } from '../../shared/config/settings';

/**
 * A complete, valid app environment for unit tests: every setting's local value, plus made-up
 * values for the settings the local stack takes from the emulator (URLs, tenant and client IDs).
 */
export function validSettings(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(settings.map((s) => [s.name, s.local])),
    D365_URL: 'https://127.0.0.1:7443',
    KEY_VAULT_URL: 'https://127.0.0.1:7443',
    ENTRA_AUTHORITY_HOST: 'https://127.0.0.1:7443',
    D365_TENANT_ID: '5c9a7f8e-1b2d-4e3f-9a0b-1c2d3e4f5a6b',
    D365_CLIENT_ID: '6d0b8a9f-2c3e-4f4a-8b1c-2d3e4f5a6b7c',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  };
}
