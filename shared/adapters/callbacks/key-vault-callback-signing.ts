import { CallbackSigning, CallbackSigningState, WebhookSecrets } from '../../ports';

/** A state other than `ready` is remembered this long, so refused intakes do not each ask Key Vault. */
const REMEMBER_PROBLEM_MS = 30_000;

/**
 * The callback signing secret's state, read through the cached webhook-secret reader (the same
 * cache and rotation rules as the deliveries): `ready` while it has a value; Key Vault's 404 is
 * `missing`, its 403 (`ForbiddenByRbac`, a disabled secret) `forbidden`, anything else `unknown`.
 */
export function keyVaultCallbackSigning(
  secrets: WebhookSecrets,
  secretName: string,
  now: () => number = Date.now,
): CallbackSigning {
  let problem: { state: CallbackSigningState; at: number } | undefined;
  return {
    secretName,
    async state(options = {}) {
      if (!options.fresh && problem && now() - problem.at < REMEMBER_PROBLEM_MS) return problem.state;
      let state: CallbackSigningState;
      try {
        state = (await secrets.get(secretName)).length > 0 ? 'ready' : 'missing';
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        state = status === 404 ? 'missing' : status === 403 ? 'forbidden' : 'unknown';
      }
      if (state === 'ready' || state === 'unknown') problem = undefined;
      else if (!options.fresh) problem = { state, at: now() };
      return state;
    },
  };
}
