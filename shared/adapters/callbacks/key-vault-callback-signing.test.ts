import { WebhookSecrets } from '../../ports';
import { keyVaultCallbackSigning } from './key-vault-callback-signing';

/** Key Vault's answers as the SDK throws them: a RestError with the status code. */
const restError = (statusCode: number) => Object.assign(new Error(`status ${statusCode}`), { statusCode });

function secretsAnswering(...answers: (string[] | Error)[]) {
  let reads = 0;
  const secrets: WebhookSecrets = {
    get: async () => {
      const answer = answers[Math.min(reads, answers.length - 1)]!;
      reads += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    refresh: async () => [],
  };
  return { secrets, reads: () => reads };
}

describe('keyVaultCallbackSigning', () => {
  it.each([
    [[['whsec_a']], 'ready'],
    [[[]], 'missing'],
    [[restError(404)], 'missing'],
    [[restError(403)], 'forbidden'],
    [[restError(503)], 'unknown'],
    [[new Error('ECONNREFUSED')], 'unknown'],
  ] as const)('%j → %s', async (answers, expected) => {
    const { secrets } = secretsAnswering(...(answers as unknown as (string[] | Error)[]));
    expect(await keyVaultCallbackSigning(secrets, 'cb').state()).toBe(expected);
  });

  it('remembers a missing secret for 30 s (refused intakes do not each ask Key Vault), then asks again', async () => {
    let now = 0;
    const { secrets, reads } = secretsAnswering(restError(404), ['whsec_a']);
    const signing = keyVaultCallbackSigning(secrets, 'cb', () => now);
    expect(await signing.state()).toBe('missing');
    now = 29_000;
    expect(await signing.state()).toBe('missing');
    expect(reads()).toBe(1);
    now = 30_000;
    expect(await signing.state()).toBe('ready');
    expect(reads()).toBe(2);
  });

  it('a fresh check (at start) neither uses nor leaves a remembered problem', async () => {
    const { secrets, reads } = secretsAnswering(restError(404), ['whsec_a']);
    const signing = keyVaultCallbackSigning(secrets, 'cb', () => 0);
    expect(await signing.state({ fresh: true })).toBe('missing');
    expect(await signing.state()).toBe('ready');
    expect(reads()).toBe(2);
  });
});
