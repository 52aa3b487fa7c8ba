import { createHmac } from 'node:crypto';

/**
 * Result callbacks are signed per caller (issue 24): each caller's `whsec_` secret is derived from
 * the app's secret in Key Vault (CALLBACK_SECRET_NAME) and the caller's principal, so a caller
 * holds only its own and cannot sign (forge) an event another caller's receiver would accept. The
 * one shared caller of unnamed function keys keeps the Key Vault secret itself (as before). During
 * a rotation each secret of the vault derives one, and every one signs. Pure.
 */
const LABEL = 'd365-customer-sync callback secret v1';

export function callbackSecretsFor(appSecrets: readonly string[], caller: string | undefined): string[] {
  if (caller === undefined || caller === 'anonymous') return [...appSecrets];
  return appSecrets.map((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const derived = createHmac('sha256', key).update(`${LABEL}\n${caller}`, 'utf8').digest('base64');
    return `whsec_${derived}`;
  });
}
