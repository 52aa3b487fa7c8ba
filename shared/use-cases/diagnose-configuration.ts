import { Config, ConfigError, loadConfig } from '../config/config';
import type { WebhookSource } from '../config/webhook-sources';
import type { ConfigurationProbes } from '../ports';
import { MIN_CORRELATION_KEY_LENGTH } from '../domain/correlation-id';
import { d365Finding, Finding, secretFinding, tokenFinding, vaultName } from './diagnosis-fixes';

/**
 * `npm run doctor` and `GET /api/health/deep` (issue 26): checks a configuration step by step, in
 * the order a request needs it, and stops at the first step that fails, with its fix in one line.
 * The probes make real calls (Key Vault, Entra ID, D365, the shops' APIs); no personal data is read
 * (reference data and one customer account number at most, which is not shown).
 */
export const DIAGNOSIS_STEPS = [
  'settings',
  'key-vault',
  'correlation-key',
  'entra-id',
  'd365',
  'd365-target',
  'd365-defaults',
  'shops',
  'callbacks',
] as const;
export type DiagnosisStepName = (typeof DIAGNOSIS_STEPS)[number];

export interface DiagnosisStep {
  step: DiagnosisStepName;
  ok: boolean;
  /** What was checked (and found, when ok). */
  checked: string;
  problem?: string;
  fix?: string;
}

export interface Diagnosis {
  ok: boolean;
  steps: DiagnosisStep[];
}

const passed = (step: DiagnosisStepName, checked: string): DiagnosisStep => ({ step, ok: true, checked });
const failed = (step: DiagnosisStepName, checked: string, finding: Finding): DiagnosisStep => ({
  step,
  ok: false,
  checked,
  ...finding,
});

/** Step 1, for the doctor: the settings' shape (the app itself does not start without it). */
export function checkSettings(env: NodeJS.ProcessEnv): { step: DiagnosisStep; config?: Config } {
  const checked = 'every setting against the catalogue (shared/config/settings.ts)';
  try {
    return { step: passed('settings', checked), config: loadConfig(env) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const first = error.problems[0]!;
    const placeholder = /<[^>]*>/.test(env[first.setting] ?? '');
    return {
      step: failed('settings', checked, {
        problem: placeholder
          ? `${first.setting} still holds the placeholder of local.settings.real.sample.json (${env[first.setting]}).`
          : `${first.setting} ${first.message}.`,
        fix: `Set ${first.setting} in local.settings.json (locally) or in the function app's settings (in Azure)${error.problems.length > 1 ? `; ${error.problems.length - 1} more setting(s) after it` : ''}.`,
      }),
    };
  }
}

/** Steps 2 to 8 against a configuration that loaded. */
export async function diagnoseConfiguration(config: Config, probes: ConfigurationProbes): Promise<Diagnosis> {
  const steps: DiagnosisStep[] = [passed('settings', 'the settings loaded and validated')];
  const done = (): Diagnosis => ({ ok: steps.every((s) => s.ok), steps });
  const add = (step: DiagnosisStep): boolean => {
    steps.push(step);
    return step.ok;
  };
  const { d365, keyVault } = config;

  const secret = await probes.readSecret(keyVault.secretName);
  const secretChecked = `Key Vault ${keyVault.url}: the secret '${keyVault.secretName}' (D365_CLIENT_SECRET_NAME) is readable`;
  if (secret.kind !== 'found') {
    add(
      failed(
        'key-vault',
        secretChecked,
        secretFinding(secret, keyVault.url, keyVault.secretName, "the D365 app registration's client secret"),
      ),
    );
    return done();
  }
  add(passed('key-vault', secretChecked));
  if (!add(await correlationKeyStep(config, probes))) return done();

  const token = await probes.d365Token(secret.value);
  const tokenChecked = `Entra ID: a token of app ${d365.clientId} in tenant ${d365.tenantId} for ${d365.url}`;
  if (token.kind !== 'issued') {
    const context = { ...d365, d365Url: d365.url, vaultUrl: keyVault.url, secretName: keyVault.secretName };
    add(failed('entra-id', tokenChecked, tokenFinding(token, context)));
    return done();
  }
  add(passed('entra-id', tokenChecked));

  const read = await probes.d365Get(
    '/data/CustomersV3?cross-company=true&$top=1&$select=dataAreaId',
    token.token,
  );
  const readChecked = `D365 ${d365.url}: reachable, the app registered (Microsoft Entra ID applications) and allowed to read CustomersV3`;
  if (read.kind !== 'answered' || read.status !== 200) {
    add(failed('d365', readChecked, d365Finding(read, d365.url, d365.clientId)));
    return done();
  }
  add(passed('d365', readChecked));

  if (!add(await targetStep(config, probes, token.token))) return done();
  if (!add(await defaultsStep(config, probes, token.token))) return done();
  if (!add(await shopsStep(config, probes))) return done();
  add(await callbacksStep(config, probes));
  return done();
}

/**
 * The correlation-ID key (issue 24): its oldest enabled version readable and long enough. Without
 * it every request with an Idempotency-Key, and every webhook, answers 503.
 */
async function correlationKeyStep(config: Config, probes: ConfigurationProbes): Promise<DiagnosisStep> {
  const { url, correlationKeyName } = config.keyVault;
  const checked = `Key Vault ${url}: the correlation-ID key '${correlationKeyName}' (CORRELATION_KEY_SECRET_NAME), its oldest enabled version, is readable`;
  const key = await probes.readOldestSecret(correlationKeyName);
  if (key.kind === 'found' && key.value.length >= MIN_CORRELATION_KEY_LENGTH)
    return passed('correlation-key', checked);
  if (key.kind === 'found')
    return failed('correlation-key', checked, {
      problem: `The oldest enabled version of '${correlationKeyName}' has fewer than ${MIN_CORRELATION_KEY_LENGTH} characters.`,
      // The app refuses such a key (keyed requests answer 503), so no request was accepted under it.
      fix: `Add a strong version, then disable the weak one (docs/deploy.md, "The correlation-ID key"): az keyvault secret set --vault-name ${vaultName(url)} --name ${correlationKeyName} --value "$(openssl rand -base64 32)", then az keyvault secret set-attributes --vault-name ${vaultName(url)} --name ${correlationKeyName} --version <its version> --enabled false`,
    });
  const finding = secretFinding(key, url, correlationKeyName, 'the correlation-ID key');
  if (key.kind !== 'missing') return failed('correlation-key', checked, finding);
  return failed('correlation-key', checked, {
    problem: finding.problem,
    fix: `Deploy again with CORRELATION_KEY_IN_VAULT unset (azd env set CORRELATION_KEY_IN_VAULT false; the deployment writes it once), or: az keyvault secret set --vault-name ${vaultName(url)} --name ${correlationKeyName} --value "$(openssl rand -base64 32)"`,
  });
}

async function targetStep(
  config: Config,
  probes: ConfigurationProbes,
  token: string,
): Promise<DiagnosisStep> {
  const { d365 } = config;
  if (d365.target === 'odata')
    return passed('d365-target', 'D365_TARGET=odata: the standard CustomersV3 entity answers (above)');
  const checked = `D365_TARGET=custom-service: the operation at D365_SERVICE_PATH (${d365.servicePath})`;
  const answer = await probes.d365Get(d365.servicePath, token);
  if (answer.kind === 'answered' && answer.status === 200) return passed('d365-target', checked);
  return failed('d365-target', checked, {
    problem:
      answer.kind === 'unreachable'
        ? `D365 did not answer at ${d365.servicePath} (${answer.reason}).`
        : `D365 answered ${answer.status}: no custom service operation at ${d365.servicePath}.`,
    fix: 'Deploy the X++ CreateCustomer service (its service group listed under /api/services) and set D365_SERVICE_PATH to /api/services/<group>/<service>/<operation>, or set D365_TARGET=odata (no X++).',
  });
}

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The legal entities, customer groups and currencies the defaults and the shops name, present in D365. */
async function defaultsStep(
  config: Config,
  probes: ConfigurationProbes,
  token: string,
): Promise<DiagnosisStep> {
  const group = config.d365.defaultCustomerGroup;
  const shops = config.webhooks.sources.filter(
    (s): s is Extract<WebhookSource, { legalEntity: string }> => s.kind !== 'standard',
  );
  const checked = `customer group ${group} (D365_DEFAULT_CUSTOMER_GROUP)${shops.length > 0 ? ", and each shop's legal entity, customer group and currency (WEBHOOK_SOURCES)" : ''}`;
  const rows = async (path: string): Promise<Record<string, string>[] | Finding> => {
    const answer = await probes.d365Get(path, token);
    if (answer.kind === 'answered' && answer.status === 200)
      return (JSON.parse(answer.body) as { value: Record<string, string>[] }).value;
    return {
      problem: `D365 did not answer ${path.split('?')[0]} (${answer.kind === 'answered' ? answer.status : answer.reason}).`,
      fix: 'Run the check again; the app needs read access to the reference data entities too.',
    };
  };
  const groups = await rows(
    `/data/CustomerGroups?cross-company=true&$filter=CustomerGroupId eq ${quote(group)}&$select=dataAreaId,CustomerGroupId`,
  );
  if (!Array.isArray(groups)) return failed('d365-defaults', checked, groups);
  if (groups.length === 0)
    return failed('d365-defaults', checked, {
      problem: `Customer group ${group} (D365_DEFAULT_CUSTOMER_GROUP) exists in no legal entity.`,
      fix: `Create customer group ${group} (Accounts receivable > Setup > Customers > Customer groups) or set D365_DEFAULT_CUSTOMER_GROUP to an existing one.`,
    });
  for (const shop of shops) {
    const entities = await rows(
      `/data/LegalEntities?$filter=LegalEntityId eq ${quote(shop.legalEntity)}&$select=LegalEntityId`,
    );
    if (!Array.isArray(entities)) return failed('d365-defaults', checked, entities);
    if (entities.length === 0)
      return failed('d365-defaults', checked, {
        problem: `WEBHOOK_SOURCES: ${shop.name} names legal entity ${shop.legalEntity}, which D365 does not have.`,
        fix: `Set the legalEntity of ${shop.name} in WEBHOOK_SOURCES to a legal entity of D365 (Organization administration > Legal entities).`,
      });
    const shopGroup = shop.customerGroup ?? group;
    const inCompany = await rows(
      `/data/CustomerGroups?cross-company=true&$filter=dataAreaId eq ${quote(shop.legalEntity.toLowerCase())} and CustomerGroupId eq ${quote(shopGroup)}&$select=CustomerGroupId`,
    );
    if (!Array.isArray(inCompany)) return failed('d365-defaults', checked, inCompany);
    if (inCompany.length === 0)
      return failed('d365-defaults', checked, {
        problem: `Customer group ${shopGroup} (${shop.customerGroup ? `customerGroup of ${shop.name}` : 'D365_DEFAULT_CUSTOMER_GROUP'}) does not exist in legal entity ${shop.legalEntity}.`,
        fix: `Create customer group ${shopGroup} in ${shop.legalEntity} (Accounts receivable > Setup > Customers > Customer groups) or name an existing one in WEBHOOK_SOURCES.`,
      });
    const currencies = await rows(
      `/data/Currencies?$filter=CurrencyCode eq ${quote(shop.currency)}&$select=CurrencyCode`,
    );
    if (!Array.isArray(currencies)) return failed('d365-defaults', checked, currencies);
    if (currencies.length === 0)
      return failed('d365-defaults', checked, {
        problem: `WEBHOOK_SOURCES: ${shop.name} names currency ${shop.currency}, which D365 does not have.`,
        fix: `Set the currency of ${shop.name} to a currency of D365 (General ledger > Currencies > Currencies) or add ${shop.currency} there.`,
      });
  }
  return passed('d365-defaults', checked);
}

/** Every source's secret readable; a BigCommerce store's API token accepted by the store. */
async function shopsStep(config: Config, probes: ConfigurationProbes): Promise<DiagnosisStep> {
  const sources = config.webhooks.sources;
  const checked =
    sources.length === 0
      ? 'no webhook sources (WEBHOOK_SOURCES is empty)'
      : `the secrets and API credentials of ${sources.map((s) => s.name).join(', ')} (WEBHOOK_SOURCES)`;
  const vault = config.keyVault.url;
  for (const source of sources) {
    const what = {
      shopify: "the Shopify app's client secret",
      bigcommerce: "the hook's X-Webhook-Secret value",
      standard: 'the whsec_ signing secret',
    }[source.kind];
    const secret = await probes.readSecret(source.secretName);
    if (secret.kind !== 'found')
      return failed(
        'shops',
        checked,
        secretFinding(secret, vault, source.secretName, `${what} of ${source.name}`),
      );
    if (source.kind !== 'bigcommerce') continue;
    const token = await probes.readSecret(source.apiTokenSecretName);
    if (token.kind !== 'found')
      return failed(
        'shops',
        checked,
        secretFinding(
          token,
          vault,
          source.apiTokenSecretName,
          `the store API account's access token of ${source.name}`,
        ),
      );
    const url = `${source.apiUrl}/stores/${source.storeHash}/v3/customers?limit=1`;
    const answer = await probes.shopGet(url, { 'x-auth-token': token.value, accept: 'application/json' });
    if (answer.kind === 'answered' && answer.status === 200) continue;
    return failed('shops', checked, {
      problem:
        answer.kind === 'unreachable'
          ? `BigCommerce at ${source.apiUrl} did not answer (${answer.reason}).`
          : answer.status === 401 || answer.status === 403
            ? `BigCommerce refused the access token in '${source.apiTokenSecretName}' for store ${source.storeHash} (${answer.status}).`
            : `BigCommerce answered ${answer.status} for store ${source.storeHash} (${source.name}).`,
      fix:
        answer.kind === 'answered' && answer.status === 404
          ? `Set storeHash of ${source.name} to the store hash (stores/<hash> in the store's API path) and apiUrl to https://api.bigcommerce.com.`
          : `Create a store API account with Customers: read-only (Settings > API > Store-level API accounts) and put its access token in '${source.apiTokenSecretName}'.`,
    });
  }
  return passed('shops', checked);
}

async function callbacksStep(config: Config, probes: ConfigurationProbes): Promise<DiagnosisStep> {
  const { allowedHosts, secretName } = config.callbacks;
  if (allowedHosts.length === 0)
    return passed('callbacks', 'result callbacks are off (CALLBACK_ALLOWED_HOSTS is empty)');
  const checked = `result callbacks: the signing secret '${secretName}' (CALLBACK_SECRET_NAME) is readable`;
  const secret = await probes.readSecret(secretName);
  if (secret.kind === 'found') return passed('callbacks', checked);
  return failed(
    'callbacks',
    checked,
    secretFinding(
      secret,
      config.keyVault.url,
      secretName,
      'a whsec_ secret: "whsec_" + 32 random bytes in base64',
    ),
  );
}
