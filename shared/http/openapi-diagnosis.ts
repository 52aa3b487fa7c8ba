import { z } from 'zod';
import { DIAGNOSIS_STEPS } from '../use-cases/diagnose-configuration';
import { callerProblems, header, Json, keySecurity, ref } from './openapi-parts';

const stepSchema = z.strictObject({
  step: z.enum(DIAGNOSIS_STEPS),
  ok: z.boolean(),
  checked: z.string(),
  problem: z.string().optional(),
  fix: z.string().optional().meta({ description: 'What to do, in one line.' }),
});

/** `GET /api/health/deep` when every step passed (functions/health-deep.ts). */
export const deepHealthSchema = z
  .strictObject({ status: z.literal('ok'), steps: z.array(stepSchema) })
  .meta({ description: 'Every step of the configuration check passed.' });

/** …and when one failed: an RFC 9457 problem whose `steps` end with the failed one. */
export const DEEP_HEALTH_PROBLEM_TYPE = 'urn:d365-customer-sync:problem:configuration';
export const deepHealthProblemSchema = z
  .strictObject({
    type: z.literal(DEEP_HEALTH_PROBLEM_TYPE),
    title: z.string(),
    status: z.literal(503),
    detail: z.string().meta({ description: 'The failed step, its problem and its fix.' }),
    steps: z.array(stepSchema),
  })
  .meta({ description: 'A configuration check failed: the last of `steps`, with `problem` and `fix`.' });

const APP = '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a';
const EXAMPLE = {
  type: DEEP_HEALTH_PROBLEM_TYPE,
  title: 'A configuration check failed',
  status: 503,
  detail: `entra-id: Entra ID: AADSTS7000222 The provided client secret keys for app '${APP}' are expired. … Fix: App registrations > ${APP} > Certificates & secrets > New client secret, then az keyvault secret set …`,
  steps: [
    { step: 'settings', ok: true, checked: 'the settings loaded and validated' },
    {
      step: 'key-vault',
      ok: true,
      checked:
        "Key Vault https://kv-d365sync.vault.azure.net: the secret 'd365-client-secret' (D365_CLIENT_SECRET_NAME) is readable",
    },
    {
      step: 'entra-id',
      ok: false,
      checked: `Entra ID: a token of app ${APP} in tenant 0d3b1e4f-5a6f-4c2a-8e0b-9a510c3d2b1e for https://contoso.operations.dynamics.com`,
      problem: `Entra ID: AADSTS7000222 The provided client secret keys for app '${APP}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds. The client secret of app ${APP} has expired.`,
      fix: `App registrations > ${APP} > Certificates & secrets > New client secret, then az keyvault secret set --vault-name kv-d365sync --name d365-client-secret --value '<the secret's Value>' (no restart needed)`,
    },
  ],
};

export function diagnosisPaths(): Record<string, Json> {
  const headers = { 'Cache-Control': header('Cache-Control') };
  return {
    '/health/deep': {
      get: {
        operationId: 'diagnoseConfiguration',
        tags: ['operations'],
        summary: 'Check the configuration against the real services',
        description:
          "The master (admin) key (`CALLER_ROLE_OPERATOR` with `CALLER_AUTH=app-service`). Checks, in order, the settings, the D365 client secret in Key Vault, the Entra ID token for D365, D365 (reachable, the app registered and allowed), the target (custom service or CustomersV3), the default customer group and each shop's legal entity, customer group and currency, the shops' secrets and API credentials, and the callback signing secret; stops at the first failure, with its fix. Makes real calls on every request: not a liveness probe (`/health` is). `npm run doctor` runs the same checks from a laptop.",
        security: keySecurity('admin'),
        responses: {
          '200': {
            description: 'Every step passed.',
            headers,
            content: { 'application/json': { schema: ref('DeepHealth') } },
          },
          '503': {
            description: 'A step failed: the last of `steps`, with `problem` and `fix`.',
            headers,
            content: {
              'application/problem+json': {
                schema: ref('DeepHealthProblem'),
                examples: { failed: { value: EXAMPLE } },
              },
            },
          },
          ...callerProblems('admin'),
        },
      },
    },
  };
}
