import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { RunningEmulator, startEmulator } from '@d365-customer-sync/d365-emulator';
import { runDoctor } from '../../dev/local-stack/doctor';
import { localAppSettings } from '../../dev/local-stack/local-environment';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';
import { ensureCorrelationKey } from '../../dev/local-stack/correlation-key';
import { trustCertificate } from '../support/app-stack';

/**
 * `npm run doctor` against a configuration set up wrong in each of the ways people set it up wrong
 * (issue 26), every one provoked through the emulator (or a setting): the doctor must stop at the
 * right step and name the right fix. README "Checking a configuration: npm run doctor" lists them.
 */
const D365_CLIENT = '22222222-2222-4222-8222-222222222222';
const READER = '33333333-3333-4333-8333-333333333333';
const OTHER_GUID = '99999999-9999-4999-8999-999999999999';

interface Case {
  name: string;
  settings?: (emulator: RunningEmulator) => Record<string, string>;
  provoke?: (emulator: RunningEmulator) => Promise<void>;
  step: string;
  /** The fix (and the problem) the doctor names. */
  fix: RegExp;
  problem?: RegExp;
}

const patch = (emulator: RunningEmulator, body: unknown) =>
  fetch(`${emulator.url}/_emulator/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const SHOP = {
  kind: 'shopify',
  name: 'doctor-shop',
  shopDomain: 'doctor-shop.myshopify.com',
  secretName: 'webhook-doctor-shop',
  legalEntity: 'USRT',
  currency: 'USD',
};

export const CASES: Case[] = [
  {
    name: 'a placeholder of local.settings.real.sample.json left in',
    settings: () => ({ D365_URL: 'https://<your-environment>.operations.dynamics.com' }),
    step: 'settings',
    problem: /D365_URL still holds the placeholder/,
    fix: /^Set D365_URL in local\.settings\.json/,
  },
  {
    name: 'KEY_VAULT_URL names no vault (nothing answers there)',
    settings: () => ({ KEY_VAULT_URL: `https://127.0.0.1:${PORTS.closed}` }),
    step: 'key-vault',
    problem: /did not answer \(ECONNREFUSED\)/,
    fix: /^Set KEY_VAULT_URL to the vault's Vault URI/,
  },
  {
    name: 'D365_CLIENT_SECRET_NAME names a secret the vault does not hold',
    settings: () => ({ D365_CLIENT_SECRET_NAME: 'd365-client-secret-typo' }),
    step: 'key-vault',
    problem: /has no secret 'd365-client-secret-typo'/,
    fix: /^az keyvault secret set --vault-name .* --name d365-client-secret-typo/,
  },
  {
    name: "the app's identity has no role on the vault (ForbiddenByRbac)",
    provoke: async (e) => void (await patch(e, { access: { keyVaultReaders: [] } })),
    step: 'key-vault',
    problem: new RegExp(`identity ${READER} may not read secrets .*ForbiddenByRbac`),
    fix: new RegExp(
      `^az role assignment create --role "Key Vault Secrets User" --assignee ${READER} --scope`,
    ),
  },
  {
    name: 'the correlation-ID key is not in Key Vault (CORRELATION_KEY_SECRET_NAME)',
    settings: () => ({ CORRELATION_KEY_SECRET_NAME: 'correlation-key-never-written' }),
    step: 'correlation-key',
    problem: /has no secret 'correlation-key-never-written' \(the correlation-ID key\)/,
    fix: /^Deploy again with CORRELATION_KEY_IN_VAULT unset .* az keyvault secret set --vault-name .* --name correlation-key-never-written/,
  },
  {
    name: 'the correlation-ID key is too short to be a secret',
    settings: () => ({ CORRELATION_KEY_SECRET_NAME: 'correlation-key-short' }),
    provoke: async (e) => void (await emulatorVault(e.url).setSecret('correlation-key-short', 'guessable')),
    step: 'correlation-key',
    problem: /oldest enabled version of 'correlation-key-short' has fewer than 32 characters/,
    fix: /^Add a strong version, then disable the weak one/,
  },
  {
    name: 'the vault holds a wrong client secret (AADSTS7000215)',
    provoke: async (e) =>
      void (await emulatorVault(e.url).setSecret('d365-client-secret', 'wrong~secret-value')),
    step: 'entra-id',
    problem: /AADSTS7000215 Invalid client secret provided/,
    fix: /Certificates & secrets: copy a secret's Value .* az keyvault secret set/,
  },
  {
    name: 'the client secret has expired (AADSTS7000222)',
    provoke: async (e) => void (await patch(e, { access: { expiredSecretClientIds: [D365_CLIENT] } })),
    step: 'entra-id',
    problem: /AADSTS7000222 The provided client secret keys for app .* are expired/,
    fix: /New client secret, then az keyvault secret set/,
  },
  {
    name: 'D365_TENANT_ID is no tenant (AADSTS90002)',
    settings: () => ({ D365_TENANT_ID: OTHER_GUID }),
    step: 'entra-id',
    problem: /AADSTS90002 Tenant '99999999-.*' not found/,
    fix: /^Set D365_TENANT_ID to the Directory \(tenant\) ID/,
  },
  {
    name: 'D365_CLIENT_ID is not an app of the tenant (AADSTS700016)',
    settings: () => ({ D365_CLIENT_ID: OTHER_GUID }),
    step: 'entra-id',
    problem: /AADSTS700016 Application with identifier/,
    fix: /^Set D365_CLIENT_ID and D365_TENANT_ID to the Application \(client\) ID and the Directory \(tenant\) ID of the same app registration/,
  },
  {
    name: 'D365_URL copied from the browser with a path, so Entra ID knows no such resource (AADSTS500011)',
    settings: (e) => ({ D365_URL: `${e.url}/namespaces/AXSF` }),
    step: 'entra-id',
    problem: /AADSTS500011 The resource principal named/,
    fix: /^Set D365_URL to the environment URL exactly as it opens in a browser/,
  },
  {
    name: 'D365 resets the connection (unreachable)',
    provoke: async (e) => void e.addFault({ service: 'd365', reset: true, path: '/data/CustomersV3' }),
    step: 'd365',
    problem: /D365 at .* did not answer/,
    fix: /^Set D365_URL to the environment URL/,
  },
  {
    name: 'the app is not registered in F&O (401)',
    provoke: async (e) => void (await patch(e, { unregisteredClientIds: [D365_CLIENT] })),
    step: 'd365',
    problem: /answered 401 to a valid token: app .* is not registered/,
    fix: /^In D365: System administration > Setup > Microsoft Entra ID applications > New: Client ID 22222222/,
  },
  {
    name: "the app's F&O user lacks the rights (403)",
    provoke: async (e) => void (await patch(e, { access: { forbiddenClientIds: [D365_CLIENT] } })),
    step: 'd365',
    problem: /answered 403: app .* is registered, but its user may not read customers/,
    fix: /a role that maintains customers/,
  },
  {
    name: 'D365_SERVICE_PATH names no custom service',
    settings: () => ({ D365_SERVICE_PATH: '/api/services/CustomerServices/CustomerService/Create' }),
    step: 'd365-target',
    problem: /answered 404: no custom service operation at \/api\/services\/CustomerServices/,
    fix: /Deploy the X\+\+ CreateCustomer service .* or set D365_TARGET=odata/,
  },
  {
    name: 'D365_DEFAULT_CUSTOMER_GROUP exists in no legal entity',
    settings: () => ({ D365_DEFAULT_CUSTOMER_GROUP: '99' }),
    step: 'd365-defaults',
    problem: /Customer group 99 \(D365_DEFAULT_CUSTOMER_GROUP\) exists in no legal entity/,
    fix: /^Create customer group 99 .* or set D365_DEFAULT_CUSTOMER_GROUP/,
  },
  {
    name: "a shop's legal entity does not exist",
    settings: () => ({ WEBHOOK_SOURCES: JSON.stringify([{ ...SHOP, legalEntity: 'ZZZZ' }]) }),
    step: 'd365-defaults',
    problem: /doctor-shop names legal entity ZZZZ, which D365 does not have/,
    fix: /^Set the legalEntity of doctor-shop in WEBHOOK_SOURCES/,
  },
  {
    name: "a shop's currency does not exist",
    settings: () => ({ WEBHOOK_SOURCES: JSON.stringify([{ ...SHOP, currency: 'ABC' }]) }),
    step: 'd365-defaults',
    problem: /doctor-shop names currency ABC, which D365 does not have/,
    fix: /^Set the currency of doctor-shop/,
  },
  {
    name: "a shop's webhook secret is not in Key Vault",
    settings: () => ({ WEBHOOK_SOURCES: JSON.stringify([SHOP]) }),
    step: 'shops',
    problem: /has no secret 'webhook-doctor-shop'/,
    fix: /^az keyvault secret set --vault-name .* --name webhook-doctor-shop/,
  },
  {
    name: 'the BigCommerce store refuses the API token in Key Vault (401)',
    settings: (e) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'bigcommerce',
          name: 'doctor-store',
          storeHash: 'doctor1',
          secretName: 'webhook-doctor-store',
          apiTokenSecretName: 'bigcommerce-doctor-token',
          apiUrl: e.url,
          legalEntity: 'USRT',
          currency: 'USD',
        },
      ]),
    }),
    provoke: async (e) => {
      const vault = emulatorVault(e.url);
      await vault.setSecret('webhook-doctor-store', 'hook-secret-0123456789');
      await vault.setSecret('bigcommerce-doctor-token', 'an-old-token');
      await fetch(`${e.url}/_emulator/bigcommerce/stores/doctor1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'the-current-token', customers: [] }),
      });
    },
    step: 'shops',
    problem: /BigCommerce refused the access token in 'bigcommerce-doctor-token' for store doctor1 \(401\)/,
    fix: /^Create a store API account with Customers: read-only/,
  },
  {
    name: 'callbacks are on, but their signing secret is not in Key Vault',
    settings: () => ({ CALLBACK_ALLOWED_HOSTS: 'hooks.example.com' }),
    step: 'callbacks',
    problem: /has no secret 'callback-signing-secret'/,
    fix: /^az keyvault secret set --vault-name .* --name callback-signing-secret/,
  },
];

const PORTS = { closed: 0 };

describe('npm run doctor names the fix of each misconfiguration', () => {
  beforeAll(async () => {
    PORTS.closed = await closedPort();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
    try {
      trustCertificate(emulator.caCertPem);
      // What npm start and the deployment do: the correlation-ID key is in the vault (issue 24).
      await ensureCorrelationKey(emulator.url);
      await c.provoke?.(emulator);
      const env = {
        ...localAppSettings(emulator.url, 'UseDevelopmentStorage=true'),
        ...c.settings?.(emulator),
      };
      const lines: string[] = [];
      const diagnosis = await runDoctor(env, (line) => lines.push(line));
      expect(diagnosis.ok).toBe(false);
      const last = diagnosis.steps.at(-1)!;
      expect({ step: last.step, ok: last.ok }).toEqual({ step: c.step, ok: false });
      expect(last.fix).toMatch(c.fix);
      if (c.problem) expect(last.problem).toMatch(c.problem);
      // Every step before it passed, and the output says what to do.
      expect(diagnosis.steps.slice(0, -1).every((s) => s.ok)).toBe(true);
      expect(lines.join('\n')).toContain(`fix:     ${last.fix}`);
    } finally {
      await emulator.stop();
    }
  });

  it('README lists each of these misconfigurations (at least ten) with its step', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(CASES.length).toBeGreaterThanOrEqual(10);
    for (const c of CASES) {
      expect(readme).toMatch(new RegExp(`\\|\\s*${escape(c.name)}\\s*\\|[^\\n]*\\|\\s*${c.step}\\s*\\|`));
    }
  });

  it('passes every step on the configuration npm start makes', async () => {
    const emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
    try {
      trustCertificate(emulator.caCertPem);
      await ensureCorrelationKey(emulator.url);
      const diagnosis = await runDoctor(
        localAppSettings(emulator.url, 'UseDevelopmentStorage=true'),
        () => undefined,
      );
      expect(diagnosis.steps.map((s) => [s.step, s.ok])).toEqual([
        ['settings', true],
        ['key-vault', true],
        ['correlation-key', true],
        ['entra-id', true],
        ['d365', true],
        ['d365-target', true],
        ['d365-defaults', true],
        ['shops', true],
        ['callbacks', true],
      ]);
    } finally {
      await emulator.stop();
    }
  });

  it('runs as `npm run doctor` and exits 1 at a failure', async () => {
    const root = join(__dirname, '..', '..');
    const run = promisify(execFile)('node', [join(root, 'dist-dev/dev/local-stack/doctor.js')], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        D365_URL: 'https://<your-environment>.operations.dynamics.com',
        KEY_VAULT_URL: 'https://kv-example.vault.azure.net',
      },
    });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/FAIL\s+settings[\s\S]*fix:\s+Set D365_URL in local\.settings\.json/),
    });
  });
});
