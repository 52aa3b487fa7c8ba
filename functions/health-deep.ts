import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { configurationProbes } from '../shared/adapters/configuration-probes';
import { appServices } from '../shared/composition';
import { requireCaller } from '../shared/http/caller';
import { DEEP_HEALTH_PROBLEM_TYPE } from '../shared/http/openapi-diagnosis';
import { problemResponse } from '../shared/http/problem';
import { diagnoseConfiguration } from '../shared/use-cases/diagnose-configuration';

/**
 * `GET /api/health/deep` (admin key; `CALLER_ROLE_OPERATOR` with App Service authentication): the
 * configuration checked step by step against the real services, as `npm run doctor` checks it
 * (Key Vault, Entra ID, D365, its reference data, the shops), stopping at the first failure with its
 * fix. 200 when every step passed, else a 503 problem whose `steps` end with the failed one. Each call makes real calls: not a liveness probe.
 */
export async function deepHealth(request: HttpRequest): Promise<HttpResponseInit> {
  const { config } = appServices();
  const check = requireCaller(request, 'operator', config.callers);
  if (!check.ok) return check.response;
  const diagnosis = await diagnoseConfiguration(config, configurationProbes(config));
  const headers = { 'cache-control': 'no-store' };
  if (diagnosis.ok) return { status: 200, jsonBody: { status: 'ok', steps: diagnosis.steps }, headers };
  const failed = diagnosis.steps.at(-1)!;
  return problemResponse(
    {
      type: DEEP_HEALTH_PROBLEM_TYPE,
      title: 'A configuration check failed',
      status: 503,
      detail: `${failed.step}: ${failed.problem ?? ''} Fix: ${failed.fix ?? ''}`,
      steps: diagnosis.steps,
    },
    headers,
  );
}

app.http('deepHealth', { methods: ['GET'], route: 'health/deep', authLevel: 'admin', handler: deepHealth });
