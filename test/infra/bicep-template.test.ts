import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settings } from '../../shared/config/settings';
import { HOST_BODY_SIZE_LIMIT_BYTES, MAX_BODY_BYTES } from '../../shared/http/request-body';
import { MAX_WEBHOOK_BODY_BYTES } from '../../shared/http/webhooks/answers';
import { formatLogLine } from '../../shared/adapters/invocation-log';
import type { CustomerLinks, LogFields, StatusStore } from '../../shared/ports';
import { purgeExpiredLinks, purgeExpiredRecords } from '../../shared/use-cases/retention';

/**
 * Checks the compiled deployment template (infra/main.json, built from infra/main.bicep by
 * dev/bicep/check.sh, which also fails when the committed file is stale) against the app's
 * configuration module and the security requirements: every setting the app needs in Azure is set,
 * no secret reaches a setting or an output, storage and Key Vault are locked down, and every role
 * assignment is the expected least-privilege built-in role on the expected scope.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const repoRoot = join(__dirname, '..', '..');
const readJson = (relativePath: string): Json =>
  JSON.parse(readFileSync(join(repoRoot, relativePath), 'utf8'));

const main = readJson('infra/main.json');
const configDir = join(repoRoot, 'shared', 'config');
const configSource = [
  'config.ts',
  'settings.ts',
  ...readdirSync(join(configDir, 'settings')).map((file) => join('settings', file)),
]
  .map((file) => readFileSync(join(configDir, file), 'utf8'))
  .join('\n');
const mainText = JSON.stringify(main);
const parametersFile = readJson('infra/main.parameters.json');

/** A template and how it was reached: the nested deployment that holds it, and its parent. */
interface Scope {
  template: Json;
  deployment?: Json;
  parent?: Scope;
  path: string;
}

interface Found {
  resource: Json;
  scope: Scope;
}

const resourcesOf = (template: Json): Json[] =>
  Array.isArray(template.resources) ? template.resources : Object.values(template.resources ?? {});

function walk(scope: Scope): Found[] {
  return resourcesOf(scope.template).flatMap((resource) => {
    const found: Found[] = [{ resource, scope }];
    if (resource.type === 'Microsoft.Resources/deployments' && resource.properties?.template) {
      found.push(
        ...walk({
          template: resource.properties.template,
          deployment: resource,
          parent: scope,
          path: `${scope.path}/${resource.name}`,
        }),
      );
    }
    return found;
  });
}

const rootScope: Scope = { template: main, path: 'main' };
const all = walk(rootScope);
const ofType = (type: string): Found[] =>
  all.filter((f) => f.resource.type?.toLowerCase() === type.toLowerCase());
const only = (type: string): Found => {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0]!;
};

type Resolved =
  | { kind: 'literal'; value: unknown }
  | { kind: 'parameter'; name: string; definition: Json }
  | { kind: 'expression'; expression: string; path: string };

/**
 * Follows `[parameters('x')]` from a nested template up through the deployments that pass it, to a
 * literal, a parameter of main.bicep, or another expression.
 */
function resolve(value: unknown, scope: Scope): Resolved {
  if (typeof value !== 'string' || !value.startsWith('[') || value.startsWith('[[')) {
    return { kind: 'literal', value };
  }
  const parameter = /^\[parameters\('([^']+)'\)\]$/.exec(value)?.[1];
  if (parameter !== undefined) {
    if (!scope.deployment || !scope.parent) {
      return { kind: 'parameter', name: parameter, definition: scope.template.parameters?.[parameter] ?? {} };
    }
    const passed = scope.deployment.properties.parameters?.[parameter];
    if (passed === undefined) {
      const definition = scope.template.parameters?.[parameter] ?? {};
      return { kind: 'literal', value: definition.defaultValue };
    }
    return resolve(passed.value, scope.parent);
  }
  const variable = /^\[variables\('([^']+)'\)\]$/.exec(value)?.[1];
  if (variable !== undefined && typeof scope.template.variables?.[variable] === 'string') {
    return resolve(scope.template.variables[variable], scope);
  }
  return { kind: 'expression', expression: value, path: scope.path };
}

const site = (): Found => only('Microsoft.Web/sites');
const appSettings = (): Map<string, Resolved> => {
  const { resource, scope } = site();
  const list: { name: string; value: unknown }[] = resource.properties.siteConfig.appSettings;
  expect(Array.isArray(list)).toBe(true);
  return new Map(list.map((s) => [s.name, resolve(s.value, scope)]));
};

/**
 * `[if(parameters('flag'), 'a', 'b')]` in the function app's template: the main.bicep parameter the flag comes
 * from, and the two values.
 */
function switchOf(
  resolved: Resolved,
): { parameter: Resolved; whenTrue: string; whenFalse: string } | undefined {
  if (resolved.kind !== 'expression') return undefined;
  const match = /^\[if\(parameters\('(\w+)'\), '([^']*)', '([^']*)'\)\]$/.exec(resolved.expression);
  if (!match) return undefined;
  return {
    parameter: resolve(`[parameters('${match[1]}')]`, site().scope),
    whenTrue: match[2]!,
    whenFalse: match[3]!,
  };
}

describe('infra/main.json', () => {
  test('is a template compiled by Bicep from infra/main.bicep', () => {
    expect(main.$schema).toContain('subscriptionDeploymentTemplate.json');
    expect(main.metadata?._generator?.name).toBe('bicep');
    expect(ofType('Microsoft.Resources/resourceGroups')).toHaveLength(1);
  });
});

describe('app settings required by shared/config', () => {
  const azureSettings = settings.filter((s) => s.azure);

  test('the configuration module lists settings for Azure', () => {
    expect(azureSettings.length).toBeGreaterThan(0);
  });

  /** A main.bicep parameter whose default is the app's own default, mapped by azd from the variable of that name. */
  const expectParameterFor = (
    resolved: Resolved,
    name: string,
    setting: (typeof azureSettings)[number],
  ): void => {
    expect(resolved.kind).toBe('parameter');
    if (resolved.kind !== 'parameter') return;
    // ARM escapes a literal string that starts with '[' by doubling it ('[]' is written '[[]').
    const rawDefault = resolved.definition.defaultValue;
    const defaultValue = typeof rawDefault === 'string' ? rawDefault.replace(/^\[\[/, '[') : rawDefault;
    if (setting.default === undefined) {
      expect(defaultValue).toBeUndefined();
    } else {
      expect(String(defaultValue)).toBe(setting.default);
    }
    const mapped = parametersFile.parameters[resolved.name]?.value;
    const expected = setting.default === undefined ? `\${${name}}` : `\${${name}=${setting.default}}`;
    expect(mapped).toBe(expected);
  };

  test.each(azureSettings.map((s) => [s.name, s] as const))(
    '%s is set on the function app',
    (name, setting) => {
      const resolved = appSettings().get(name);
      expect(resolved).toBeDefined();
      if (!resolved) return;

      if (resolved.kind === 'parameter') {
        // Set from a main.bicep parameter whose default is the app's own default (or none when required).
        expectParameterFor(resolved, name, setting);
      } else if (resolved.kind === 'literal') {
        expect(typeof resolved.value).toBe('string');
        if (setting.default !== undefined) expect(resolved.value).toBe(setting.default);
      } else if (/^\[string\(parameters\('\w+'\)\)\]$/.test(resolved.expression)) {
        // A number: an int parameter rendered as a string, with the same default and mapping.
        const inner = resolved.expression.replace(/^\[string\((.*)\)\]$/, '[$1]');
        expectParameterFor(resolve(inner, site().scope), name, setting);
      } else if (switchOf(resolved)) {
        // Derived from a bool switch of main.bicep (CALLER_AUTH): with the switch's default, the app's default.
        const { parameter, whenTrue, whenFalse } = switchOf(resolved)!;
        expect(parameter.kind).toBe('parameter');
        if (parameter.kind !== 'parameter') return;
        expect(parameter.definition.type).toBe('bool');
        expect(parameter.definition.defaultValue ? whenTrue : whenFalse).toBe(setting.default);
      } else {
        // Only values that come from the deployed resources may be expressions.
        expect(resolved.expression).toMatch(/^\[reference\(/);
      }
    },
  );

  test('no client secret for Key Vault: DefaultAzureCredential finds the managed identity', () => {
    for (const name of ['AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID', 'KEY_VAULT_AUTH']) {
      expect(appSettings().has(name)).toBe(false);
    }
  });

  test('KEY_VAULT_URL is the deployed vault', () => {
    const resolved = appSettings().get('KEY_VAULT_URL');
    expect(resolved?.kind).toBe('expression');
    expect(resolved?.kind === 'expression' && resolved.expression).toMatch(
      /reference\(resourceId\('Microsoft\.KeyVault\/vaults'.*\)\.vaultUri\]$/,
    );
  });

  test('numeric settings are rendered as strings from their integer parameters', () => {
    const { resource } = site();
    for (const s of resource.properties.siteConfig.appSettings as { name: string; value: unknown }[]) {
      expect(typeof s.value).toBe('string');
    }
  });

  test('every other app setting is one shared/config reads (no leftover settings)', () => {
    const appOwn = new Set<string>(azureSettings.map((s) => s.name));
    const platform =
      /^(AzureWebJobsStorage__\w+|AZURE_CLIENT_ID|APPLICATIONINSIGHTS_(CONNECTION|AUTHENTICATION)_STRING|FUNCTIONS_REQUEST_BODY_SIZE_LIMIT)$/;
    const leftovers = [...appSettings().keys()].filter((name) => !appOwn.has(name) && !platform.test(name));
    expect(leftovers).toEqual([]);
  });

  test('every setting-backed parameter in main.parameters.json exists in main.bicep', () => {
    for (const name of Object.keys(parametersFile.parameters)) {
      expect(main.parameters[name]).toBeDefined();
    }
  });
});

describe('Functions host settings', () => {
  test('the host refuses bodies over 1 MiB before reading them (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT), above every route limit', () => {
    expect(appSettings().get('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT')).toEqual({
      kind: 'literal',
      value: String(HOST_BODY_SIZE_LIMIT_BYTES),
    });
    expect(HOST_BODY_SIZE_LIMIT_BYTES).toBeGreaterThan(MAX_WEBHOOK_BODY_BYTES);
    expect(HOST_BODY_SIZE_LIMIT_BYTES).toBeGreaterThan(MAX_BODY_BYTES);
  });

  test('host storage is identity-based: service URIs, managedidentity credential, client ID', () => {
    const s = appSettings();
    expect(s.get('AzureWebJobsStorage__credential')).toEqual({ kind: 'literal', value: 'managedidentity' });
    for (const service of ['blob', 'queue', 'table']) {
      const uri = s.get(`AzureWebJobsStorage__${service}ServiceUri`);
      expect(uri?.kind === 'expression' && uri.expression).toMatch(
        new RegExp(
          `reference\\(resourceId\\('Microsoft\\.Storage/storageAccounts'.*\\.primaryEndpoints\\.${service}\\]$`,
        ),
      );
    }
    expect(s.has('AzureWebJobsStorage')).toBe(false);
  });

  test('the storage client ID, AZURE_CLIENT_ID and the App Insights auth string name the same identity', () => {
    const s = appSettings();
    const clientId = s.get('AzureWebJobsStorage__clientId');
    expect(clientId?.kind).toBe('expression');
    expect(s.get('AZURE_CLIENT_ID')).toEqual(clientId);
    const identityClientId = clientId?.kind === 'expression' ? clientId.expression : '';
    expect(identityClientId).toMatch(/reference\(.*'identity'.*\)\.outputs\.clientId\.value\]$/);

    const { resource } = site();
    const auth = (resource.properties.siteConfig.appSettings as { name: string; value: string }[]).find(
      (x) => x.name === 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    );
    expect(auth?.value).toBe("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]");
    expect(s.get('APPLICATIONINSIGHTS_CONNECTION_STRING')?.kind).toBe('expression');
  });

  test('no setting Flex Consumption rejects', () => {
    const s = appSettings();
    for (const name of [
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'WEBSITE_CONTENTSHARE',
    ]) {
      expect(s.has(name)).toBe(false);
    }
  });
});

describe('function app', () => {
  test('runs on the Flex Consumption plan (FC1) with Node.js 22', () => {
    const plan = only('Microsoft.Web/serverfarms').resource;
    expect(plan.sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
    expect(plan.properties.reserved).toBe(true);

    const { resource } = site();
    expect(resource.kind).toBe('functionapp,linux');
    expect(resource.properties.httpsOnly).toBe(true);
    expect(resource.properties.functionAppConfig.runtime).toEqual({ name: 'node', version: '22' });
  });

  test('runs as the user-assigned identity and deploys to a blob container with it', () => {
    const { resource, scope } = site();
    expect(resource.identity.type).toBe('UserAssigned');
    const storage = resource.properties.functionAppConfig.deployment.storage;
    expect(storage.type).toBe('blobContainer');
    expect(storage.value).toContain("parameters('deploymentContainerName')");
    expect(storage.authentication.type).toBe('UserAssignedIdentity');
    expect(resolve(storage.authentication.userAssignedIdentityResourceId, scope)).toEqual(
      resolve(`[parameters('identityId')]`, scope),
    );
  });

  test('instance count and memory are main.bicep parameters within the platform limits', () => {
    const { resource, scope } = site();
    const scale = resource.properties.functionAppConfig.scaleAndConcurrency;
    const count = resolve(scale.maximumInstanceCount, scope);
    const memory = resolve(scale.instanceMemoryMB, scope);
    expect(count.kind).toBe('parameter');
    expect(memory.kind).toBe('parameter');
    if (count.kind !== 'parameter' || memory.kind !== 'parameter') return;
    expect(count.definition.minValue).toBeGreaterThanOrEqual(1);
    expect(count.definition.maxValue).toBeLessThanOrEqual(1000);
    expect(count.definition.defaultValue).toBeLessThanOrEqual(count.definition.maxValue);
    expect(memory.definition.allowedValues).toEqual(expect.arrayContaining([2048]));
    expect(memory.definition.allowedValues).toContain(memory.definition.defaultValue);
  });
});

describe('callers: function keys, and App Service Authentication with Entra ID', () => {
  const functionsDir = join(repoRoot, 'functions');
  const functionSources = readdirSync(functionsDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(join(functionsDir, file), 'utf8'));
  /** Every HTTP function: its route and authLevel, from `app.http('name', {...})` in functions/*.ts. */
  const httpFunctions = functionSources.flatMap((source) =>
    [...source.matchAll(/app\.http\('(\w+)',\s*\{([^]*?)\}\);/g)].map((m) => ({
      name: m[1]!,
      route: /route: '([^']+)'/.exec(m[2]!)?.[1],
      // Operator routes (shared/http/operator-auth.ts): admin (master key) with keys, anonymous + Entra role with app-service.
      authLevel: /authLevel: operatorAuthLevel\(/.test(m[2]!)
        ? 'operator'
        : /authLevel: '(\w+)'/.exec(m[2]!)?.[1],
    })),
  );
  const authSettings = (): Found => {
    const found = ofType('Microsoft.Web/sites/config').filter((f) =>
      String(f.resource.name).includes("'authsettingsV2'"),
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const callerAuth = () => switchOf(appSettings().get('CALLER_AUTH')!);

  test('function keys stay the baseline: customer routes need a function key, replay the master key, only health and the API document none', () => {
    const levels = Object.fromEntries(httpFunctions.map((f) => [f.name, f.authLevel]));
    expect(levels).toEqual({
      createCustomer: 'function',
      customerStatus: 'function',
      replayCustomer: 'admin',
      retryWriteBack: 'admin',
      health: 'anonymous',
      // Webhook senders cannot send keys or tokens: the signature is their authentication (docs/webhooks.md).
      webhookBigCommerce: 'anonymous',
      webhookShopify: 'anonymous',
      webhookStandard: 'anonymous',
      getOpenApiDocument: 'anonymous',
      // F&O data events (issue 29): F&O cannot sign; the function key (`?code=`) is the authentication.
      foDataEvents: 'function',
      // Customer updates (issue 17): like the create; the link lookup is an operator route like replay.
      updateCustomerByAccount: 'function',
      updateCustomerByReference: 'function',
      verifyCustomerLink: 'admin',
      callbackSecret: 'function',
      customerLink: 'admin',
      // Privacy requests (issue 27): operator routes, console's operator auth.
      createPrivacyRequest: 'operator',
      privacyRequestStatus: 'operator',
      privacyRequestExport: 'operator',
      releasePrivacyRequest: 'operator',
      // The configuration checked against the real services (npm run doctor's checks): operators only.
      deepHealth: 'admin',
      // The operations API and console (issue 31).
      opsListRequests: 'operator',
      opsRequestDetail: 'operator',
      opsRequestPayload: 'operator',
      opsEditRequest: 'operator',
      opsRetryRequest: 'operator',
      opsResolveRequest: 'operator',
      opsLinkRequest: 'operator',
      opsCreateNewRequest: 'operator',
      opsAuditLog: 'operator',
      opsConsole: 'operator',
      opsStartReplay: 'operator',
      opsListReplays: 'operator',
      opsReplay: 'operator',
      opsCancelReplay: 'operator',
      // The backfill (issue 30): operator routes too.
      startBackfill: 'operator',
      startBackfillUpload: 'operator',
      backfillStatus: 'operator',
    });
  });

  test('App Service Authentication is off by default, and CALLER_AUTH is then keys', () => {
    const { resource, scope } = authSettings();
    const condition = resolve(resource.condition, scope);
    expect(condition).toEqual({
      kind: 'parameter',
      name: 'enableCallerAuthentication',
      definition: expect.objectContaining({ type: 'bool', defaultValue: false }),
    });
    expect(parametersFile.parameters.enableCallerAuthentication.value).toBe(
      '${ENABLE_CALLER_AUTHENTICATION=false}',
    );
    const { parameter, whenFalse } = callerAuth()!;
    expect(parameter).toEqual(condition);
    expect(whenFalse).toBe('keys');
  });

  test('when it is on, CALLER_AUTH is app-service: the same switch turns both on, and nothing else can', () => {
    const { resource, scope } = authSettings();
    const { parameter, whenTrue } = callerAuth()!;
    expect(parameter).toEqual(resolve(resource.condition, scope));
    expect(whenTrue).toBe('app-service');
    // CALLER_AUTH is neither a parameter nor mapped by azd: the X-MS-CLIENT-PRINCIPAL header is trusted only when
    // the platform validates tokens and injects it.
    expect(Object.keys(main.parameters).filter((p) => /callerAuth$/i.test(p))).toEqual([]);
    expect(JSON.stringify(parametersFile)).not.toMatch(/\$\{CALLER_AUTH[=}]/);
    expect(mainText.split("'app-service'").length - 1).toBe(1);
  });

  test('when it is on, unauthenticated requests get 401 from the platform, except the anonymous routes (health, the API document, the signed webhooks) and the keyed F&O data events endpoint', () => {
    const { properties } = authSettings().resource;
    expect(properties.platform.enabled).toBe(true);
    expect(properties.globalValidation.requireAuthentication).toBe(true);
    expect(properties.globalValidation.unauthenticatedClientAction).toBe('Return401');
    expect(properties.globalValidation.redirectToProvider).toBeUndefined();
    // The only paths left open are the anonymous functions' routes, and F&O's data events endpoint
    // (issue 29): F&O cannot get a token for it, so its function key (`?code=`) is its only authentication.
    const anonymous = httpFunctions.filter((f) => f.authLevel === 'anonymous').map((f) => `/api/${f.route}`);
    const keyOnly = httpFunctions.filter((f) => f.name === 'foDataEvents').map((f) => `/api/${f.route}`);
    expect(keyOnly).toEqual(['/api/d365/data-events']);
    // Event Grid's deliveries to the foEventGrid function: the extension's system key is their authentication.
    const systemKeyOnly = ['/runtime/webhooks/eventgrid'];
    expect([...properties.globalValidation.excludedPaths].sort()).toEqual(
      [...anonymous, ...keyOnly, ...systemKeyOnly].sort(),
    );
    expect(properties.httpSettings.requireHttps).toBe(true);
    // An API for callers with bearer tokens: no sign-in flow, no token store, no client secret.
    expect(properties.login.tokenStore.enabled).toBe(false);
    expect(JSON.stringify(properties)).not.toMatch(/clientSecret|MICROSOFT_PROVIDER_AUTHENTICATION_SECRET/i);
  });

  test("tokens are validated against the API's app registration: its client ID, tenant and allowed audiences", () => {
    const { resource, scope } = authSettings();
    const aad = resource.properties.identityProviders.azureActiveDirectory;
    expect(aad.enabled).toBe(true);
    expect(Object.keys(resource.properties.identityProviders)).toEqual(['azureActiveDirectory']);

    const clientId = resolve(aad.registration.clientId, scope);
    expect(clientId.kind).toBe('expression');
    // main.bicep stops the deployment when the switch is on without the app registration's client ID.
    expect(main.variables.checkedCallerAuthClientId).toMatch(
      /^\[if\(and\(parameters\('enableCallerAuthentication'\), empty\(parameters\('callerAuthClientId'\)\)\), fail\('.+'\), parameters\('callerAuthClientId'\)\)\]$/,
    );
    expect(main.parameters.callerAuthClientId.defaultValue).toBe('');
    expect(parametersFile.parameters.callerAuthClientId.value).toBe('${CALLER_AUTH_CLIENT_ID=}');

    // The v2.0 issuer of the tenant, on the cloud's own login endpoint (no hard-coded URL).
    expect(aad.registration.openIdIssuer).toBe(
      "[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, parameters('callerAuthTenantId'))]",
    );
    const functionApp = ofType('Microsoft.Resources/deployments').find(
      (f) => f.resource.name === 'function-app',
    )!;
    expect(JSON.stringify(functionApp.resource.properties.parameters.callerAuthTenantId)).toContain(
      'tenant().tenantId',
    );

    // Audiences: the parameter, or by default the app registration's App ID URI (v1 tokens) and client ID (v2).
    expect(aad.validation.allowedAudiences).toBe("[variables('allowedAudiences')]");
    expect(scope.template.variables.allowedAudiences).toBe(
      "[if(empty(parameters('callerAuthAllowedAudiences')), createArray(format('api://{0}', parameters('callerAuthClientId')), parameters('callerAuthClientId')), parameters('callerAuthAllowedAudiences'))]",
    );
    expect(main.parameters.callerAuthAllowedAudiences).toEqual({
      type: 'array',
      defaultValue: [],
      metadata: expect.anything(),
    });
  });

  test("the app roles the app requires are parameters with the app's defaults", () => {
    for (const [setting, parameter] of [
      ['CALLER_ROLE_CREATE', 'callerRoleCreate'],
      ['CALLER_ROLE_READ', 'callerRoleRead'],
      ['CALLER_ROLE_OPERATOR', 'callerRoleOperator'],
    ] as const) {
      expect(appSettings().get(setting)).toEqual(
        expect.objectContaining({ kind: 'parameter', name: parameter }),
      );
      expect(main.parameters[parameter].defaultValue).toBe(settings.find((s) => s.name === setting)?.default);
    }
  });

  test('the retention the app allows bounds the parameter; the deployment reports the caller mode', () => {
    expect(configSource).toMatch(/max\(3650, 'must be at most 3650'\)/);
    expect(main.parameters.recordRetentionDays).toEqual(
      expect.objectContaining({ type: 'int', minValue: 1, maxValue: 3650 }),
    );
    expect(main.outputs.CALLER_AUTH.value).toMatch(/'function-app'.*\)\.outputs\.callerAuth\.value\]$/);
  });
});

describe('secrets', () => {
  const secretParameter = 'd365ClientSecret';

  test('the D365 client secret is an optional secure parameter', () => {
    const definition = main.parameters[secretParameter];
    expect(definition.type).toBe('securestring');
    expect(definition.defaultValue ?? '').toBe('');
    // azd never maps it from its (plain-text) environment file.
    expect(parametersFile.parameters[secretParameter]).toBeUndefined();
  });

  test('the secret goes to the Key Vault module only (elsewhere only "is it empty?")', () => {
    const keyVault = ofType('Microsoft.Resources/deployments').find(
      (f) => f.resource.properties.parameters?.secretValue !== undefined,
    );
    expect(keyVault?.resource.properties.parameters.secretValue).toEqual({
      value: `[parameters('${secretParameter}')]`,
    });
    const uses = mainText.split(`parameters('${secretParameter}')`).length - 1;
    const emptinessChecks = mainText.split(`empty(parameters('${secretParameter}'))`).length - 1;
    expect(uses).toBe(1 + emptinessChecks);
  });

  test("inside the Key Vault module the secret is only the secret resource's value", () => {
    const secret = ofType('Microsoft.KeyVault/vaults/secrets').find(
      (f) => f.resource.properties.value === "[parameters('secretValue')]",
    )!;
    const template = secret.scope.template;
    expect(template.parameters.secretValue.type).toBe('securestring');
    expect(secret.resource.properties.value).toBe("[parameters('secretValue')]");
    const text = JSON.stringify(template);
    const uses = text.split("parameters('secretValue')").length - 1;
    const emptinessChecks = text.split("empty(parameters('secretValue'))").length - 1;
    expect(uses).toBe(1 + emptinessChecks);
  });

  test('the correlation-ID key is written by the first deployment only, from two secure generated GUIDs', () => {
    // Issue 24 (docs/deploy.md, "The correlation-ID key"): a new version under a running fleet would
    // change every keyed correlation ID; the output, kept by azd, turns the write off next time.
    for (const part of ['correlationKeyPartOne', 'correlationKeyPartTwo']) {
      expect(main.parameters[part]).toEqual(
        expect.objectContaining({ type: 'securestring', defaultValue: '[newGuid()]' }),
      );
      expect(parametersFile.parameters[part]).toBeUndefined();
    }
    expect(main.parameters.correlationKeyInVault).toEqual(
      expect.objectContaining({ type: 'bool', defaultValue: false }),
    );
    expect(parametersFile.parameters.correlationKeyInVault?.value).toBe('${CORRELATION_KEY_IN_VAULT=false}');
    expect(main.outputs.CORRELATION_KEY_IN_VAULT).toEqual({ type: 'bool', value: true });
    const keyVault = ofType('Microsoft.Resources/deployments').find(
      (f) => f.resource.properties.parameters?.correlationKeyValue !== undefined,
    );
    expect(keyVault?.resource.properties.parameters.correlationKeyValue).toBe(
      "[if(parameters('correlationKeyInVault'), createObject('value', ''), createObject('value', format('{0}{1}', parameters('correlationKeyPartOne'), parameters('correlationKeyPartTwo'))))]",
    );
    const secret = ofType('Microsoft.KeyVault/vaults/secrets').find(
      (f) => f.resource.properties.value === "[parameters('correlationKeyValue')]",
    );
    expect(secret?.resource.condition).toBe("[not(empty(parameters('correlationKeyValue')))]");
    expect(secret?.resource.name).toBe(
      "[format('{0}/{1}', parameters('name'), parameters('correlationKeySecretName'))]",
    );
  });

  test('no output, in any template, uses a secure parameter', () => {
    const templates = [
      rootScope.template,
      ...ofType('Microsoft.Resources/deployments').map((f) => f.resource.properties.template),
    ];
    for (const template of templates) {
      const secure = Object.entries(template.parameters ?? {})
        .filter(([, definition]) => /^secure(string|object)$/i.test((definition as Json).type))
        .map(([name]) => name);
      const outputs = JSON.stringify(template.outputs ?? {});
      for (const name of secure) expect(outputs).not.toContain(`parameters('${name}')`);
    }
    expect(JSON.stringify(main.outputs)).not.toMatch(/secretValue|d365ClientSecret'/);
  });

  test('no app setting is the secret, a key or a connection string with a key', () => {
    for (const [name, resolved] of appSettings()) {
      expect(resolved.kind === 'parameter' && resolved.name).not.toBe(secretParameter);
      expect(name).not.toMatch(/SECRET$|PASSWORD|ACCOUNT_KEY/i);
    }
    expect(JSON.stringify(site().resource.properties.siteConfig)).not.toMatch(
      /secretValue|d365ClientSecret'/,
    );
  });

  test('nothing lists keys or builds a connection string or SAS with one, but the Event Grid topic key written to Key Vault', () => {
    // F&O's Azure Event Grid endpoint reads the topic's key from Key Vault (issue 29): the one key listed
    // goes straight into that secret, never into a setting or an output.
    const topicKey = ofType('Microsoft.KeyVault/vaults/secrets').filter((f) =>
      /listKeys/.test(JSON.stringify(f.resource)),
    );
    expect(topicKey).toHaveLength(1);
    expect(topicKey[0]!.resource.name).toContain("parameters('topicKeySecretName')");
    expect(topicKey[0]!.resource.properties.value).toMatch(
      /^\[listKeys\(resourceId\('Microsoft\.EventGrid\/topics', parameters\('name'\)\), '[\d-]+'\)\.key1\]$/,
    );
    expect(mainText.split('listKeys').length - 1).toBe(1);
    expect(mainText).not.toMatch(
      /listConnectionStrings|listAccountSas|listServiceSas|listSecrets|AccountKey=|SharedAccessSignature|SharedAccessKey/i,
    );
  });
});

describe('storage account', () => {
  test('allows no shared key and requires TLS 1.2 and HTTPS', () => {
    const { properties } = only('Microsoft.Storage/storageAccounts').resource;
    expect(properties.allowSharedKeyAccess).toBe(false);
    expect(properties.minimumTlsVersion).toBe('TLS1_2');
    expect(properties.supportsHttpsTrafficOnly).toBe(true);
    expect(properties.allowBlobPublicAccess).toBe(false);
  });

  test('has the customer, callback, replay, shop write-back, backfill and F&O data events queues, their poison queues (and no other), the status, callback-endpoint, customer links, operations, audit, backfill and F&O data event IDs tables and the containers', () => {
    const names = (type: string) => ofType(type).map((f) => f.resource.name as string);
    expect(names('Microsoft.Storage/storageAccounts/queueServices/queues').sort()).toEqual([
      "[format('{0}/{1}/{2}', parameters('name'), 'default', format('{0}-poison', parameters('backfillQueueName')))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', format('{0}-poison', parameters('callbackQueueName')))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', format('{0}-poison', parameters('customerQueueName')))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', format('{0}-poison', parameters('foEventsQueueName')))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', format('{0}-poison', parameters('replayQueueName')))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', format('{0}-poison', parameters('writeBackQueueName')))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('backfillQueueName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('callbackQueueName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('customerQueueName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('foEventsQueueName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('replayQueueName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('writeBackQueueName'))]",
    ]);
    expect(names('Microsoft.Storage/storageAccounts/tableServices/tables').sort()).toEqual([
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('backfillTableName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('callbackEndpointsTableName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('foEventsTableName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('linkTableName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('operationsAuditTableName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('operationsTableName'))]",
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('statusTableName'))]",
    ]);
    const storage = ofType('Microsoft.Storage/storageAccounts')[0]!;
    expect(storage.scope.template.variables.hostContainerNames).toEqual([
      'azure-webjobs-hosts',
      'azure-webjobs-secrets',
    ]);
    expect(names('Microsoft.Storage/storageAccounts/blobServices/containers')).toContain(
      "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('deploymentContainerName'))]",
    );
  });

  test("queue and table names are the app's settings, and every module gets the same ones", () => {
    const modules = ofType('Microsoft.Resources/deployments').map((f) => f.resource);
    const passed = (parameter: string) =>
      modules
        .filter((m) => m.properties.parameters?.[parameter])
        .map((m) => m.properties.parameters[parameter].value);
    for (const parameter of ['customerQueueName', 'statusTableName', 'deploymentContainerName']) {
      const values = passed(parameter);
      expect(values.length).toBeGreaterThanOrEqual(2);
      expect(new Set(values).size).toBe(1);
    }
    expect(passed('customerQueueName')[0]).toBe("[parameters('customerQueueName')]");
    expect(passed('statusTableName')[0]).toBe("[parameters('statusTableName')]");
  });

  test('the poison queue is named as the app names it (<CUSTOMER_QUEUE_NAME>-poison), with room for the suffix', () => {
    expect(configSource).toMatch(/poisonQueueName: `\$\{v\.CUSTOMER_QUEUE_NAME\}-poison`/);
    expect(main.parameters.customerQueueName.maxLength).toBeLessThanOrEqual(63 - '-poison'.length);
    expect(main.parameters.customerQueueName.defaultValue).toBe(
      settings.find((s) => s.name === 'CUSTOMER_QUEUE_NAME')?.default,
    );
  });
});

describe('Key Vault and monitoring', () => {
  test('Key Vault uses RBAC, soft delete and purge protection', () => {
    const { properties } = only('Microsoft.KeyVault/vaults').resource;
    expect(properties.enableRbacAuthorization).toBe(true);
    expect(properties.enableSoftDelete).toBe(true);
    expect(properties.enablePurgeProtection).toBe(true);
    expect(properties.softDeleteRetentionInDays).toBeDefined();
    expect(properties.accessPolicies).toBeUndefined();
  });

  test('Application Insights is workspace-based with local authentication disabled', () => {
    const { properties } = only('Microsoft.Insights/components').resource;
    expect(properties.DisableLocalAuth).toBe(true);
    expect(properties.WorkspaceResourceId).toBeDefined();
    expect(
      only('Microsoft.OperationalInsights/workspaces').resource.properties.features.disableLocalAuth,
    ).toBe(true);
  });

  test('storage, Key Vault and the function app send diagnostics to the workspace', () => {
    const settingsFound = ofType('Microsoft.Insights/diagnosticSettings');
    const scopes = settingsFound.map((f) => String(f.resource.scope));
    for (const type of [
      "'Microsoft.Storage/storageAccounts'",
      "'Microsoft.Storage/storageAccounts/blobServices'",
      "'Microsoft.Storage/storageAccounts/queueServices'",
      "'Microsoft.Storage/storageAccounts/tableServices'",
      "'Microsoft.KeyVault/vaults'",
      "'Microsoft.Web/sites'",
    ]) {
      expect(scopes.some((s) => s.includes(`resourceId(${type},`))).toBe(true);
    }
    for (const f of settingsFound)
      expect(f.resource.properties.workspaceId).toBe("[parameters('workspaceId')]");
  });
});

describe('role assignments', () => {
  const roles: Record<string, string> = {
    'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
    'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
    '19e7f393-937e-4f77-808e-94535e297925': 'Storage Queue Data Reader',
    '8a0f0c08-91a1-4084-bc3d-661d67233fed': 'Storage Queue Data Message Processor',
    'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a': 'Storage Queue Data Message Sender',
    '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
    '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
    'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
    '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  };

  const scopeOf = (scope: string): string => {
    const rules: [RegExp, string][] = [
      [/containers'.*parameters\('deploymentContainerName'\)\)\]$/, 'deployment container'],
      [/containers'.*'azure-webjobs-hosts'\)\]$/, 'azure-webjobs-hosts container'],
      [/containers'.*'azure-webjobs-secrets'\)\]$/, 'azure-webjobs-secrets container'],
      [/queues'.*format\('\{0\}-poison', parameters\('customerQueueName'\)\)\)\]$/, 'poison queue'],
      [/queues'.*'default', parameters\('customerQueueName'\)\)\]$/, 'customer queue'],
      [/queues'.*'default', parameters\('replayQueueName'\)\)\]$/, 'replay queue'],
      [/queues'.*'default', parameters\('callbackQueueName'\)\)\]$/, 'callback queue'],
      [/queues'.*format\('\{0\}-poison', parameters\('callbackQueueName'\)\)\)\]$/, 'callback poison queue'],
      [/queues'.*'default', parameters\('writeBackQueueName'\)\)\]$/, 'write-back queue'],
      [
        /queues'.*format\('\{0\}-poison', parameters\('writeBackQueueName'\)\)\)\]$/,
        'write-back poison queue',
      ],
      [/queues'.*'default', parameters\('backfillQueueName'\)\)\]$/, 'backfill queue'],
      [/queues'.*format\('\{0\}-poison', parameters\('backfillQueueName'\)\)\)\]$/, 'backfill poison queue'],
      [/tables'.*parameters\('callbackEndpointsTableName'\)\)\]$/, 'callback endpoints table'],
      [/tables'.*parameters\('backfillTableName'\)\)\]$/, 'backfill jobs table'],
      [/queues'.*'default', parameters\('foEventsQueueName'\)\)\]$/, 'F&O data events queue'],
      [
        /queues'.*format\('\{0\}-poison', parameters\('foEventsQueueName'\)\)\)\]$/,
        'F&O data events poison queue',
      ],
      [/tables'.*parameters\('foEventsTableName'\)\)\]$/, 'F&O data event IDs table'],
      [/tables'.*parameters\('statusTableName'\)\)\]$/, 'status table'],
      [/tables'.*parameters\('linkTableName'\)\)\]$/, 'customer links table'],
      [/tables'.*parameters\('operationsTableName'\)\)\]$/, 'operations index and replay jobs table'],
      [/tables'.*parameters\('operationsAuditTableName'\)\)\]$/, 'operator audit log table'],
      [
        /^\[resourceId\('Microsoft\.Storage\/storageAccounts', parameters\('storageAccountName'\)\)\]$/,
        'storage account',
      ],
      [
        /^\[resourceId\('Microsoft\.KeyVault\/vaults\/secrets', parameters\('keyVaultName'\), parameters\('secretName'\)\)\]$/,
        'D365 secret',
      ],
      [
        /^\[resourceId\('Microsoft\.KeyVault\/vaults\/secrets', parameters\('keyVaultName'\), parameters\('correlationKeySecretName'\)\)\]$/,
        'correlation-ID key',
      ],
      [
        /^\[resourceId\('Microsoft\.KeyVault\/vaults\/secrets', parameters\('keyVaultName'\), parameters\('shopSecretNames'\)\[copyIndex\(\)\]\)\]$/,
        'each shop secret',
      ],
      [
        /^\[resourceId\('Microsoft\.KeyVault\/vaults\/secrets', parameters\('keyVaultName'\), parameters\('topicKeySecretName'\)\)\]$/,
        'Event Grid topic key',
      ],
      [/^\[resourceId\('Microsoft\.KeyVault\/vaults', parameters\('keyVaultName'\)\)\]$/, 'vault'],
      [
        /^\[resourceId\('Microsoft\.Insights\/components', parameters\('applicationInsightsName'\)\)\]$/,
        'Application Insights',
      ],
    ];
    return rules.find(([pattern]) => pattern.test(scope))?.[1] ?? `unexpected scope ${scope}`;
  };

  const assignments = () =>
    ofType('Microsoft.Authorization/roleAssignments').map(({ resource, scope }) => {
      const roleId = /'([0-9a-f-]{36})'\)\]$/.exec(resource.properties.roleDefinitionId)?.[1] ?? '';
      return {
        resource,
        scope,
        role: roles[roleId] ?? `unexpected role ${resource.properties.roleDefinitionId}`,
        on: scopeOf(String(resource.scope)),
        toAppIdentity: /userAssignedIdentities/.test(resource.properties.principalId),
      };
    });

  test('are named with guid() of scope, principal and role', () => {
    const found = assignments();
    expect(found.length).toBeGreaterThan(0);
    for (const { resource } of found) {
      expect(resource.name).toMatch(/^\[guid\(/);
      const roleId = /'([0-9a-f-]{36})'\)\]$/.exec(resource.properties.roleDefinitionId)?.[1];
      expect(resource.name).toContain(`'${roleId}'`);
      expect(resource.properties.roleDefinitionId).toMatch(
        /^\[subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', '[0-9a-f-]{36}'\)\]$/,
      );
      expect(resource.properties.principalType).toBeDefined();
    }
  });

  test('give the app identity exactly the expected built-in roles on the expected scopes', () => {
    const granted = assignments()
      .filter((a) => a.toAppIdentity && !a.resource.condition?.includes('hostBlobAccessAccountWide'))
      .map((a) => `${a.role} on ${a.on}`)
      .sort();
    expect(granted).toEqual(
      [
        'Storage Blob Data Contributor on deployment container',
        'Storage Blob Data Contributor on azure-webjobs-hosts container',
        'Storage Blob Data Contributor on azure-webjobs-secrets container',
        // The queue trigger (Reader + Processor); intake, retries, reconciler and replay send.
        'Storage Queue Data Reader on customer queue',
        'Storage Queue Data Message Processor on customer queue',
        'Storage Queue Data Message Sender on customer queue',
        // Nothing consumes the poison queue: the app and the host put messages there; QueueDepth reads it.
        'Storage Queue Data Reader on poison queue',
        'Storage Queue Data Message Sender on poison queue',
        'Storage Table Data Contributor on customer links table',
        'Storage Table Data Contributor on status table',
        // Operations (issue 31): the index and replay jobs, and the operator audit log.
        'Storage Table Data Contributor on operations index and replay jobs table',
        'Storage Table Data Contributor on operator audit log table',
        // Bulk replay ticks: the replay function's trigger; the routes, the function and the reconciler send.
        'Storage Queue Data Reader on replay queue',
        'Storage Queue Data Message Processor on replay queue',
        'Storage Queue Data Message Sender on replay queue',
        'Storage Queue Data Reader on callback queue',
        'Storage Queue Data Message Processor on callback queue',
        'Storage Queue Data Message Sender on callback queue',
        'Storage Queue Data Message Sender on callback poison queue',
        'Storage Queue Data Reader on write-back queue',
        'Storage Queue Data Message Processor on write-back queue',
        'Storage Queue Data Message Sender on write-back queue',
        'Storage Queue Data Message Sender on write-back poison queue',
        'Storage Queue Data Reader on backfill queue',
        'Storage Queue Data Message Processor on backfill queue',
        'Storage Queue Data Message Sender on backfill queue',
        'Storage Queue Data Message Sender on backfill poison queue',
        'Storage Table Data Contributor on callback endpoints table',
        'Storage Table Data Contributor on backfill jobs table',
        // F&O data events (issue 29): the intake claims each event ID and queues the change.
        'Storage Queue Data Reader on F&O data events queue',
        'Storage Queue Data Message Processor on F&O data events queue',
        'Storage Queue Data Message Sender on F&O data events queue',
        'Storage Queue Data Message Sender on F&O data events poison queue',
        'Storage Table Data Contributor on F&O data event IDs table',
        'Key Vault Secrets User on D365 secret',
        // Issue 24: the key correlation IDs are derived under, read once per instance.
        'Key Vault Secrets User on correlation-ID key',
        'Key Vault Secrets User on each shop secret',
        'Monitoring Metrics Publisher on Application Insights',
      ].sort(),
    );
  });

  test('account-wide blob access is only a fallback, off by default', () => {
    const fallback = assignments().filter((a) => a.toAppIdentity && a.on === 'storage account');
    expect(fallback.map((a) => a.role)).toEqual(['Storage Blob Data Owner']);
    expect(fallback[0]?.resource.condition).toBe("[parameters('hostBlobAccessAccountWide')]");
    expect(main.parameters.hostBlobAccessAccountWide.defaultValue).toBe(false);
  });

  test('the secret role exists only once the secret does; the operator role only when an operator is named', () => {
    const found = assignments();
    const secretUser = found.find((a) => a.role === 'Key Vault Secrets User' && a.on === 'D365 secret');
    expect(secretUser?.resource.condition).toBe("[parameters('grantSecretAccess')]");
    const rbac = ofType('Microsoft.Resources/deployments').find((f) => f.resource.name === 'rbac');
    expect(rbac?.resource.properties.parameters.grantSecretAccess.value).toBe(
      "[or(not(empty(parameters('d365ClientSecret'))), parameters('d365ClientSecretInVault'))]",
    );

    const operator = found.filter((a) => !a.toAppIdentity && a.on !== 'Event Grid topic key');
    expect(operator.map((a) => `${a.role} on ${a.on}`)).toEqual(['Key Vault Secrets Officer on vault']);
    // F&O's application (issue 29, Event Grid delivery) reads the topic key, and nothing else, when it is named.
    const fo = found.filter((a) => a.on === 'Event Grid topic key');
    expect(fo.map((a) => a.role)).toEqual(['Key Vault Secrets User']);
    expect(fo[0]?.resource.properties.principalId).toBe("[parameters('foKeyVaultReaderPrincipalId')]");
    expect(fo[0]?.resource.condition).toBe("[not(empty(parameters('foKeyVaultReaderPrincipalId')))]");
    expect(operator[0]?.resource.properties.principalId).toBe("[parameters('operatorPrincipalId')]");
    expect(operator[0]?.resource.condition).toBe("[not(empty(parameters('operatorPrincipalId')))]");
  });

  test('the secret the app reads is the secret the role is scoped to', () => {
    const modules = ofType('Microsoft.Resources/deployments').map((f) => f.resource);
    const byName = (name: string) => modules.find((m) => m.name === name)!.properties.parameters;
    expect(byName('rbac').secretName.value).toBe("[parameters('d365ClientSecretName')]");
    expect(byName('keyvault').secretName.value).toBe("[parameters('d365ClientSecretName')]");
    expect(byName('function-app').d365ClientSecretName.value).toBe("[parameters('d365ClientSecretName')]");
  });
});

describe('monitoring for the portal', () => {
  const telemetrySource = readFileSync(join(repoRoot, 'shared', 'ports', 'telemetry.ts'), 'utf8');
  const workbookQueries = (): { name: string; query: string }[] =>
    JSON.parse(workbookText)
      .items.filter((i: Json) => i.type === 3)
      .map((i: Json) => ({ name: i.name, query: i.content.query }));
  const rule = (namePart: string): Json => {
    const found = ofType('Microsoft.Insights/scheduledQueryRules').find((f) =>
      String(f.resource.name).includes(namePart),
    );
    expect(found).toBeDefined();
    return found!.resource;
  };
  /**
   * The query of a rule as written in alerts.bicep: the module variable it names, an ARM expression
   * in which quotes are doubled (`''`) and the resource names are still placeholders.
   */
  const queryOf = (resource: Json): string => {
    const expression = String(resource.properties.criteria.allOf[0].query);
    const variable = /^\[variables\('([^']+)'\)\]$/.exec(expression)?.[1];
    const text = variable === undefined ? expression : String(alertsTemplate().variables[variable]);
    return text.replace(/''/g, "'");
  };
  const workbookText = readFileSync(
    join(repoRoot, 'infra', 'workbooks', 'customer-sync.workbook.json'),
    'utf8',
  );
  const alertsTemplate = () =>
    ofType('Microsoft.Resources/deployments').find((f) => f.resource.name === 'alerts')!.resource.properties
      .template;

  test('every alert and the workbook link to the operator console, filtered (issue 31)', () => {
    const modules = ofType('Microsoft.Resources/deployments').map((f) => f.resource);
    const consoleUrl = (name: string) =>
      String(modules.find((m) => m.name === name)!.properties.parameters.consoleUrl.value);
    for (const name of ['alerts', 'workbook']) {
      // The app's own address (PUBLIC_BASE_URL when set) + the page's route.
      expect(consoleUrl(name)).toMatch(
        /^\[format\('\{0\}\/api\/console', if\(empty\(parameters\('publicBaseUrl'\)\)/,
      );
      expect(consoleUrl(name)).toContain('defaultHostName');
    }
    const links = alertsTemplate().variables.consoleLinks as Record<string, string>;
    expect(links).toEqual({
      poison: "[format('{0}?status=failed&errorCode=retries_exhausted', parameters('consoleUrl'))]",
      failed: "[format('{0}?status=failed', parameters('consoleUrl'))]",
      retrying: "[format('{0}?status=retrying', parameters('consoleUrl'))]",
    });
    const rules = ofType('Microsoft.Insights/scheduledQueryRules').map((f) => f.resource);
    // The shop write-back alert is about succeeded creates (not in the console's views): its own retry
    // route; the privacy-due alert is about privacy requests (GET /api/privacy/requests/{id}); the
    // drift-repair alert about a shop's webhooks (the customers it found are on their way); the F&O
    // safety net's about D365's data events (what it repaired is written).
    const aboutRequests = rules.filter(
      (r) => !/shop-write-back|privacy-due|drift-repair|fo-safety-net/.test(String(r.name)),
    );
    expect(aboutRequests).toHaveLength(rules.length - 4);
    for (const resource of aboutRequests)
      expect(resource.properties.actions.customProperties.operatorConsole).toMatch(
        /^\[variables\('consoleLinks'\)\.(poison|failed|retrying)\]$/,
      );
    const failureReasons = workbookQueries().find((q) => q.name === 'failure-reasons')!.query;
    expect(failureReasons).toContain("strcat('__CONSOLE_URL__?status=', View, '&errorCode=', Reason)");
    const byEntity = workbookQueries().find((q) => q.name === 'legal-entities')!.query;
    expect(byEntity).toContain("'__CONSOLE_URL__?status=failed&legalEntity='");
    const workbook = JSON.parse(workbookText) as { items: Json[] };
    const linkColumns = workbook.items.flatMap((i) =>
      (i.content.gridSettings?.formatters ?? []).filter((f: Json) => f.columnMatch === 'Console'),
    );
    expect(linkColumns).toHaveLength(2);
    for (const column of linkColumns)
      expect(column).toMatchObject({ formatter: 7, formatOptions: { linkTarget: 'Url' } });
    // The views the workbook's text links open are the list's views.
    const text = workbook.items.find((i) => i.name === 'operator-console-links')!.content.json as string;
    for (const view of ['failed', 'needs_review', 'retrying', 'resolved'])
      expect(text).toContain(`(__CONSOLE_URL__?status=${view})`);
  });

  test('ten log alert rules, notifying the action group parameter', () => {
    const rules = ofType('Microsoft.Insights/scheduledQueryRules');
    expect(rules).toHaveLength(10);
    for (const { resource } of rules) {
      expect(resource.properties.actions.actionGroups).toBe("[variables('actionGroups')]");
      expect(resource.properties.criteria.allOf).toHaveLength(1);
    }
    expect(main.parameters.actionGroupResourceId.type).toBe('string');
    const text = JSON.stringify(alertsTemplate());
    for (const needle of [
      'CustomerPoisoned',
      'PutMessage',
      'CustomerFailed',
      'endToEndMs',
      'D365Throttled',
      'success == false',
    ]) {
      expect(text).toContain(needle);
    }
  });

  test('the poison alert fires on arrivals: CustomerPoisoned, a rise of the poison QueueDepth, or a PutMessage', () => {
    const poison = rule('alert-poison-message');
    expect(poison.properties.scopes).toEqual(["[parameters('workspaceId')]"]);
    const query = queryOf(poison);
    // In the workspace, customEvents is AppEvents and customMetrics is AppMetrics (dimensions in Properties).
    expect(query).toContain("AppEvents\n    | where Name == 'CustomerPoisoned'");
    expect(query).toContain(
      "AppMetrics\n    | where Name == 'QueueDepth' and tostring(Properties.queue) endswith '-poison'",
    );
    expect(query).toMatch(/prev\(Depth\)/);
    expect(query).toContain("OperationName == 'PutMessage'");
    expect(query).not.toContain('poison-poison');
    expect(poison.properties.criteria.allOf[0].threshold).toBe(0);
  });

  test('the privacy-due alert fires on a request due within PRIVACY_DUE_ALERT_DAYS or past due, from the latest hourly report', () => {
    const due = rule('alert-privacy-due');
    const query = queryOf(due);
    expect(query).toContain("where name in ('PrivacyRequestsDueSoon', 'PrivacyRequestsPastDue')");
    expect(query).toContain('arg_max(timestamp, value) by name, type = tostring(customDimensions.type)');
    expect(due.properties.criteria.allOf[0]).toMatchObject({ metricMeasureColumn: 'due', threshold: 0 });
    // Reported hourly (purgeRecords): a window of two reports, checked every hour.
    expect(due.properties).toMatchObject({ evaluationFrequency: 'PT1H', windowSize: 'PT2H' });
    expect(main.parameters.privacyDueAlertDays).toMatchObject({ defaultValue: 7, maxValue: 29 });
    const tile = workbookQueries().find((q) => q.name === 'privacy-requests');
    for (const name of ['PrivacyRequestsOpen', 'PrivacyRequestsDueSoon', 'PrivacyRequestsPastDue']) {
      expect(tile?.query).toContain(name);
      expect(telemetrySource).toContain(`'${name}'`);
    }
  });

  test('drift repair (issue 30): any customer found alerts; the workbook charts them by source', () => {
    const alert = rule('alert-drift-repair');
    expect(queryOf(alert)).toContain("customMetrics\n| where name == 'DriftRepairFound'");
    expect(alert.properties.criteria.allOf[0]).toMatchObject({ metricMeasureColumn: 'found', threshold: 0 });
    expect(String(alert.properties.description)).toContain('webhooks are being missed');
    const tile = workbookQueries().find((q) => q.name === 'drift-repair');
    expect(tile?.query).toContain("where name == 'DriftRepairFound'");
    expect(tile?.query).toContain("where name == 'DriftRepairRun'");
    // The names the app sends, and the settings it reads, are the ones the template names.
    expect(telemetrySource).toContain("'DriftRepairFound'");
    expect(telemetrySource).toContain("'DriftRepairRun'");
    expect(main.parameters.driftRepairIntervalSeconds).toMatchObject({ defaultValue: 300, minValue: 0 });
  });

  test('F&O safety net (issue 29): a run that repairs more than the threshold alerts; the workbook shows repairs by field', () => {
    const alert = rule('alert-fo-safety-net');
    expect(queryOf(alert)).toContain("customEvents\n| where name == 'FoSafetyNetRun'");
    expect(alert.properties.criteria.allOf[0]).toMatchObject({
      metricMeasureColumn: 'repaired',
      threshold: "[parameters('foSafetyNetRepairedThreshold')]",
    });
    expect(String(alert.properties.description)).toContain('data events are being missed');
    const tile = workbookQueries().find((q) => q.name === 'fo-safety-net');
    expect(tile?.query).toContain("where name == 'FoSafetyNetRepaired'");
    expect(tile?.query).toContain('customDimensions.field');
    expect(tile?.query).toContain("where name == 'FoSafetyNetRun'");
    // The names the app sends, and the settings it reads, are the ones the template names.
    expect(telemetrySource).toContain("'FoSafetyNetRepaired'");
    expect(telemetrySource).toContain("'FoSafetyNetRun'");
    expect(main.parameters.foSafetyNetIntervalSeconds).toMatchObject({ defaultValue: 900, minValue: 0 });
    expect(main.parameters.foSafetyNetRepairedThreshold).toMatchObject({ defaultValue: 10 });
  });

  test('a shop write-back that ends failed alerts at once; the workbook shows write-backs per source and result', () => {
    const alert = rule('alert-shop-write-back');
    expect(queryOf(alert)).toContain("customEvents\n| where name == 'ShopWriteBackFailed'");
    expect(alert.properties.criteria.allOf[0].threshold).toBe(0);
    expect(String(alert.properties.description)).toContain('write-back/retry');
    const tile = workbookQueries().find((q) => q.name === 'shop-write-backs');
    expect(tile?.query).toContain("name in ('ShopWriteBackWritten', 'ShopWriteBackFailed')");
    // The dimensions it reads are the ones the write-back step sends.
    const step = readFileSync(join(repoRoot, 'shared', 'use-cases', 'worker', 'write-back.ts'), 'utf8');
    for (const field of ['source', 'outcome', 'reason', 'shopMs']) {
      expect(tile?.query).toContain(`.${field}`);
      expect(step).toMatch(new RegExp(`\\b${field}\\b`));
    }
  });

  test('duplicate rejections do not count as failed in the failure-rate alert', () => {
    expect(queryOf(rule('alert-failed-rate'))).toContain("reason != 'duplicate'");
  });

  test('the workbook charts the poison queue from the QueueDepth metric and totals its latest depth', () => {
    const depth = workbookQueries().find((q) => q.name === 'poison-depth');
    expect(depth?.query).toContain(
      "customMetrics\n| where name == 'QueueDepth' and tostring(customDimensions.queue) endswith '-poison'",
    );
    const totals = workbookQueries().find((q) => q.name === 'totals');
    expect(totals?.query).toContain("tostring(customDimensions.queue) endswith '-poison'");
    expect(totals?.query).toContain('CustomerPoisoned');
  });

  test('the metric the alerts and workbook query is one the app reports, with the dimension they filter on', () => {
    expect(telemetrySource).toMatch(/name: 'QueueDepth'/);
    expect(telemetrySource).toMatch(/properties: \{ queue: string \}/);
  });

  test('the workbook and docs/deploy.md name every function the app registers', () => {
    const functionsDir = join(repoRoot, 'functions');
    const registered = readdirSync(functionsDir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) => [
        ...readFileSync(join(functionsDir, file), 'utf8').matchAll(
          /app\.(?:http|storageQueue|timer|eventGrid)\('([A-Za-z]+)'/g,
        ),
      ])
      .map((m) => m[1]!);
    expect(registered).toEqual(
      expect.arrayContaining(['replayCustomer', 'reconcileCustomers', 'purgeRecords']),
    );
    const deployDoc = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8');
    const functionErrors = String(rule('alert-function-errors').properties.description);
    for (const name of registered) {
      expect(workbookText).toContain(name);
      expect(deployDoc).toContain(`\`${name}\``);
      if (name !== 'health') expect(functionErrors).toContain(name);
    }
    // ...and nothing that is no longer there.
    for (const text of [workbookText, deployDoc, JSON.stringify(alertsTemplate())]) {
      expect(text).not.toMatch(/customerPoison\b|poison-poison|IDEMPOTENCY_TABLE_NAME|idempotencyTable/);
    }
  });

  test('throttling must be sustained over several windows to alert', () => {
    const throttling = ofType('Microsoft.Insights/scheduledQueryRules').find((f) =>
      String(f.resource.properties.criteria.allOf[0].query).includes('throttling'),
    );
    const failing = throttling?.resource.properties.criteria.allOf[0].failingPeriods;
    expect(failing.minFailingPeriodsToAlert).toBe("[parameters('throttlingSustainedWindows')]");
    expect(main.parameters.throttlingSustainedWindows.defaultValue).toBeGreaterThan(1);
  });

  test("the workbook is valid JSON with charts over the app's events", () => {
    const workbook = JSON.parse(workbookText);
    expect(workbook.version).toBe('Notebook/1.0');
    const queries: string[] = workbook.items
      .filter((i: Json) => i.type === 3)
      .map((i: Json) => i.content.query);
    expect(queries.length).toBeGreaterThanOrEqual(8);
    const all = queries.join('\n');
    for (const needle of [
      'CustomerAccepted',
      'linked',
      'percentile(endToEndMs',
      'CustomerRetryScheduled',
      'D365Throttled',
      'StorageQueueLogs',
      "name == 'CustomerFailed'",
    ]) {
      expect(all).toContain(needle);
    }
    expect(only('Microsoft.Insights/workbooks').resource.kind).toBe('shared');
  });

  test('the retention chart counts the records and links the purge timer reports deleting', async () => {
    const lines: string[] = [];
    const log = {
      info: (event: string, fields?: LogFields) => lines.push(formatLogLine(event, fields)),
      warn: (event: string, fields?: LogFields) => lines.push(formatLogLine(event, fields)),
      error: (event: string, fields?: LogFields) => lines.push(formatLogLine(event, fields)),
    };
    const found = <T>(items: T[]) => {
      let left = items;
      return async () => [left, (left = [])][0]!;
    };
    const records = [{ correlationId: 'a' }, { correlationId: 'b' }, { correlationId: 'c' }];
    const statusStore = { findCreatedBefore: found(records), delete: async () => undefined };
    const links = {
      findChangedBefore: found([{ createCorrelationId: 'a' }, { createCorrelationId: 'b' }]),
      delete: async () => undefined,
    };
    await purgeExpiredRecords({ statusStore: statusStore as unknown as StatusStore, log, retentionDays: 30 });
    await purgeExpiredLinks({ links: links as unknown as CustomerLinks, log, retentionDays: 365 });

    // Each series of the chart: the trace messages it takes (startswith) and the count it extracts.
    const retention = workbookQueries().find((q) => q.name === 'retention')!.query;
    const series = [
      ...retention.matchAll(
        /message startswith '([^']+)'\n(?:\s*\| extend purged = toint\(extract\(@'([^']+)', 1, message\)\)\n)?\s*\| summarize Count = sum\((?:purged|itemCount)\) by Series = '([^']+)'/g,
      ),
    ].map(([, prefix, pattern, name]) => ({ prefix: prefix!, pattern, name: name! }));
    const counted = Object.fromEntries(
      series.map(({ prefix, pattern, name }) => [
        name,
        lines
          .filter((line) => line.startsWith(prefix))
          .reduce((sum, line) => sum + (pattern ? Number(new RegExp(pattern).exec(line)?.[1] ?? NaN) : 1), 0),
      ]),
    );
    expect(counted).toEqual({
      'records deleted': 3,
      'deletions failed': 0,
      'links deleted': 2,
      'link deletions failed': 0,
    });
  });

  test('every placeholder of the workbook JSON is one the workbook module fills in', () => {
    const placeholders = new Set([...workbookText.matchAll(/__[A-Z_]+__/g)].map((m) => m[0]));
    const module = ofType('Microsoft.Resources/deployments').find((f) => f.resource.name === 'workbook')!
      .resource.properties.template;
    expect(Object.keys(module.variables.placeholders).sort()).toEqual([...placeholders].sort());
  });

  test('every event the alerts and workbook query is one the app emits (shared/ports/telemetry.ts)', () => {
    const queried = new Set(
      [
        ...`${JSON.stringify(alertsTemplate())}\n${workbookText}`.matchAll(
          /'((?:Customer|D365|ShopWriteBack)[A-Z][A-Za-z]+)'/g,
        ),
      ].map((m) => m[1]!),
    );
    expect(queried.size).toBeGreaterThanOrEqual(6);
    for (const name of queried) expect(telemetrySource).toContain(`'${name}'`);
  });
});

describe('F&O data events through Event Grid (issue 29)', () => {
  const module = () =>
    ofType('Microsoft.Resources/deployments').find((f) => f.resource.name === 'fo-event-grid')!;

  test('the topic, its key in Key Vault and the subscription exist only when FO_EVENTS_DELIVERY asks for eventGrid', () => {
    expect(module().resource.condition).toBe("[equals(parameters('foEventsDelivery'), 'eventGrid')]");
    expect(main.parameters.foEventsDelivery.allowedValues).toEqual(['https', 'eventGrid']);
    expect(configSource).toContain("oneOf(['https', 'eventGrid'])");
    const topic = only('Microsoft.EventGrid/topics');
    expect(topic.scope.deployment?.name).toBe('fo-event-grid');
    // F&O publishes Event Grid events from outside the network, with the access key.
    expect(topic.resource.properties).toMatchObject({
      inputSchema: 'EventGridSchema',
      publicNetworkAccess: 'Enabled',
      disableLocalAuth: false,
      minimumTlsVersionAllowed: '1.2',
    });
  });

  test('the subscription calls the foEventGrid function (endpoint type AzureFunction), one event at a time, once the app is deployed', () => {
    const subscription = only('Microsoft.EventGrid/topics/eventSubscriptions');
    expect(subscription.resource.condition).toBe("[parameters('subscribeFunction')]");
    expect(module().resource.properties.parameters.subscribeFunction.value).toBe(
      "[parameters('foEventGridSubscribe')]",
    );
    expect(main.parameters.foEventGridSubscribe.defaultValue).toBe(false);
    const { destination, eventDeliverySchema, retryPolicy } = subscription.resource.properties;
    expect(destination.endpointType).toBe('AzureFunction');
    expect(destination.properties.resourceId).toBe(
      "[format('{0}/functions/foEventGrid', resourceId('Microsoft.Web/sites', parameters('functionAppName')))]",
    );
    expect(destination.properties.maxEventsPerBatch).toBe(1);
    expect(eventDeliverySchema).toBe('EventGridSchema');
    expect(retryPolicy).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    const registered = readFileSync(join(repoRoot, 'functions', 'fo-event-grid.ts'), 'utf8');
    expect(registered).toContain("app.eventGrid('foEventGrid'");
  });

  test("the topic endpoint is an output for F&O's endpoint; no output carries the key", () => {
    expect(main.outputs.FO_EVENT_GRID_TOPIC_ENDPOINT.value).toContain('outputs.endpoint.value');
    expect(JSON.stringify(main.outputs)).not.toMatch(/listKeys|key1/);
  });
});
