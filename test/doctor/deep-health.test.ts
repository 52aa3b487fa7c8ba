import { DIAGNOSIS_STEPS } from '../../shared/use-cases/diagnose-configuration';
import { AppStack, startAppStack } from '../support/app-stack';

/**
 * `GET /api/health/deep`: the doctor's checks from inside the running app (admin key), against
 * the emulator: 200 with every step on a good configuration, 503 problem+json ending with the
 * failed step and its fix on a bad one. (Its answers are checked against the OpenAPI document too.)
 */
describe('GET /api/health/deep', () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 200 with every step when the configuration works', async () => {
    const answer = await fetch(`${stack.url}/api/health/deep`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { status: string; steps: { step: string; ok: boolean }[] };
    expect(body.status).toBe('ok');
    expect(body.steps.map((s) => s.step)).toEqual([...DIAGNOSIS_STEPS]);
    expect(body.steps.every((s) => s.ok)).toBe(true);
  });

  it('answers 503 problem+json that stops at the failed step with its fix (app not registered in F&O)', async () => {
    await stack.emulatorApi('PATCH', '/_emulator/settings', {
      unregisteredClientIds: ['22222222-2222-4222-8222-222222222222'],
    });
    try {
      const answer = await fetch(`${stack.url}/api/health/deep`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await answer.json()) as {
        type: string;
        detail: string;
        steps: { step: string; ok: boolean; fix?: string }[];
      };
      expect(problem.type).toBe('urn:d365-customer-sync:problem:configuration');
      expect(problem.steps.map((s) => [s.step, s.ok])).toEqual([
        ['settings', true],
        ['key-vault', true],
        ['correlation-key', true],
        ['entra-id', true],
        ['d365', false],
      ]);
      expect(problem.steps.at(-1)!.fix).toMatch(/Microsoft Entra ID applications > New: Client ID 22222222/);
      expect(problem.detail).toMatch(/^d365: D365 answered 401 .* Fix: In D365: System administration/);
    } finally {
      await stack.emulatorApi('PATCH', '/_emulator/settings', { unregisteredClientIds: [] });
    }
  });
});
