import { validSettings } from '../../test/support/valid-settings';
import { ConfigError, loadConfig } from './config';
import { settings } from './settings';

const validEnv = validSettings;
/** A real environment: D365 and Key Vault in Azure, Entra ID's default authority. */
const realEnv = (): NodeJS.ProcessEnv => {
  const env = validEnv();
  delete env.ENTRA_AUTHORITY_HOST;
  return {
    ...env,
    D365_URL: 'https://contoso.operations.dynamics.com',
    KEY_VAULT_URL: 'https://kv-d365sync.vault.azure.net',
  };
};

describe('configuration', () => {
  it('reads the local defaults into a typed configuration', () => {
    const config = loadConfig(validEnv());
    expect(config.d365).toMatchObject({
      url: 'https://127.0.0.1:7443',
      target: 'custom-service',
      accountField: 'CustomerAccount',
      timeoutMs: 30000,
    });
    expect(config.queueName).toBe('customer-create');
    expect(config.poisonQueueName).toBe('customer-create-poison');
    expect(config.storage).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
    expect(config.applicationInsights).toBeUndefined();
  });

  it('gives each outside service a timeout of its own (D365, Key Vault, Entra ID, BigCommerce)', () => {
    const config = loadConfig({
      ...validEnv(),
      D365_TIMEOUT_MS: '45000',
      KEY_VAULT_TIMEOUT_MS: '4000',
      ENTRA_TIMEOUT_MS: '6000',
      BIGCOMMERCE_TIMEOUT_MS: '8000',
    });
    expect([
      config.d365.timeoutMs,
      config.keyVault.timeoutMs,
      config.entraTimeoutMs,
      config.bigCommerceTimeoutMs,
    ]).toEqual([45000, 4000, 6000, 8000]);
    const defaults = loadConfig(validEnv());
    expect([defaults.keyVault.timeoutMs, defaults.entraTimeoutMs, defaults.bigCommerceTimeoutMs]).toEqual([
      10000, 10000, 10000,
    ]);
  });

  it.each(settings.filter((s) => s.default === undefined).map((s) => s.name))(
    'stops with a message naming %s when it is missing',
    (name) => {
      const env = validEnv();
      delete env[name];
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(`${name} is missing`));
    },
  );

  it('uses the documented default when an optional setting is absent', () => {
    const env = realEnv();
    for (const s of settings) if (s.default !== undefined) delete env[s.name];
    const config = loadConfig(env);
    expect(config.authorityHost).toBe('https://login.microsoftonline.com');
    expect(config.d365.defaultCustomerGroup).toBe('30');
  });

  it.each([
    ['D365_URL', 'http://contoso.operations.dynamics.com', 'https://'],
    ['D365_TENANT_ID', 'contoso', 'GUID'],
    ['D365_TARGET', 'soap', 'one of custom-service, odata'],
    ['D365_TIMEOUT_MS', '-5', 'whole number'],
    ['KEY_VAULT_TIMEOUT_MS', '0', 'whole number'],
    ['ENTRA_TIMEOUT_MS', '-1', 'whole number'],
    ['BIGCOMMERCE_TIMEOUT_MS', '0', 'whole number'],
    ['CUSTOMER_QUEUE_NAME', 'Customer_Create', 'queue name'],
    ['STATUS_TABLE_NAME', 'status-table', 'table name'],
    ['D365_SERVICE_PATH', '/data/Customers', '/api/services'],
  ])('rejects a malformed %s, naming it', (name, value, hint) => {
    const env = { ...validEnv(), [name]: value };
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}.*${hint.replace(/[/.]/g, '\\$&')}`));
  });

  it('names every problem at once', () => {
    const env = validEnv();
    delete env.D365_URL;
    delete env.KEY_VAULT_URL;
    delete env.AzureWebJobsStorage;
    const error = (() => {
      try {
        loadConfig(env);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.problems.map((p) => p.setting).sort()).toEqual([
      'AzureWebJobsStorage__queueServiceUri',
      'AzureWebJobsStorage__tableServiceUri',
      'D365_URL',
      'KEY_VAULT_URL',
    ]);
  });

  it('accepts identity-based storage settings as the Bicep template sets them', () => {
    const env = validEnv();
    delete env.AzureWebJobsStorage;
    env.AzureWebJobsStorage__queueServiceUri = 'https://stsync.queue.core.windows.net';
    env.AzureWebJobsStorage__tableServiceUri = 'https://stsync.table.core.windows.net';
    env.AzureWebJobsStorage__clientId = '44444444-4444-4444-8444-444444444444';
    expect(loadConfig(env).storage).toEqual({
      kind: 'identity',
      queueServiceUri: 'https://stsync.queue.core.windows.net',
      tableServiceUri: 'https://stsync.table.core.windows.net',
      clientId: '44444444-4444-4444-8444-444444444444',
    });
  });

  it('turns on Entra ID authentication for Application Insights as the authentication string says', () => {
    const cs = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x.example/';
    expect(
      loadConfig({ ...validEnv(), APPLICATIONINSIGHTS_CONNECTION_STRING: cs }).applicationInsights,
    ).toEqual({
      connectionString: cs,
    });
    const withAad = loadConfig({
      ...validEnv(),
      APPLICATIONINSIGHTS_CONNECTION_STRING: cs,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
        'ClientId=44444444-4444-4444-8444-444444444444;Authorization=AAD',
    });
    expect(withAad.applicationInsights).toEqual({
      connectionString: cs,
      entraClientId: '44444444-4444-4444-8444-444444444444',
    });
  });

  it('strips a trailing slash from URLs so token scopes and paths are built right', () => {
    const config = loadConfig({ ...realEnv(), D365_URL: 'https://contoso.operations.dynamics.com/' });
    expect(config.d365.url).toBe('https://contoso.operations.dynamics.com');
  });

  describe('refuses a mix of emulator and real endpoints, naming the setting', () => {
    it.each([
      ['KEY_VAULT_URL', { KEY_VAULT_URL: 'https://127.0.0.1:7443' }],
      ['ENTRA_AUTHORITY_HOST', { ENTRA_AUTHORITY_HOST: 'https://127.0.0.1:7443' }],
      ['AZURE_AUTHORITY_HOST', { AZURE_AUTHORITY_HOST: 'https://localhost:7443' }],
    ])('a real D365_URL with %s on the emulator', (name, change) => {
      const env = { ...realEnv(), ...change };
      expect(() => loadConfig(env)).toThrow(
        new RegExp(
          `${name} names a local emulator \\(https://(127\\.0\\.0\\.1|localhost):7443\\) while D365_URL names a real environment`,
        ),
      );
    });

    it.each([
      ['KEY_VAULT_URL', { KEY_VAULT_URL: 'https://kv-d365sync.vault.azure.net' }],
      ['ENTRA_AUTHORITY_HOST', { ENTRA_AUTHORITY_HOST: undefined }],
    ])('the emulator D365_URL with %s real', (name, change) => {
      const env = { ...validEnv(), ...change };
      expect(() => loadConfig(env)).toThrow(new RegExp(`${name} names a real service`));
    });

    it('accepts all-emulator and all-real configurations', () => {
      expect(() => loadConfig(validEnv())).not.toThrow();
      expect(() => loadConfig(realEnv())).not.toThrow();
    });
  });
});
