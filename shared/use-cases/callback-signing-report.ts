import type { CallbackSigning, CallbackSigningState } from '../ports';

/**
 * What the operator reads at start when result callbacks are on but cannot be signed (issue 26):
 * one line naming the secret, the vault and the fix; undefined when they can be (or Key Vault did
 * not answer: the first delivery reads it again and logs what it finds).
 */
export function callbackSigningStartupLine(
  state: CallbackSigningState,
  secretName: string,
  keyVaultUrl: string,
): string | undefined {
  const vault = new URL(keyVaultUrl).host.split('.')[0] ?? keyVaultUrl;
  if (state === 'missing') {
    return (
      `Result callbacks are on (CALLBACK_ALLOWED_HOSTS) but cannot be signed: the Key Vault secret ` +
      `'${secretName}' (CALLBACK_SECRET_NAME) is missing in ${keyVaultUrl}, so every request with a ` +
      `Callback-Url is refused until it is there: az keyvault secret set --vault-name ${vault} ` +
      `--name ${secretName} --value "whsec_$(openssl rand -base64 32)"`
    );
  }
  if (state === 'forbidden') {
    return (
      `Result callbacks are on (CALLBACK_ALLOWED_HOSTS) but cannot be signed: this app's identity may ` +
      `not read the Key Vault secret '${secretName}' (CALLBACK_SECRET_NAME) in ${keyVaultUrl}, so every ` +
      `request with a Callback-Url is refused: grant it the "Key Vault Secrets User" role on the vault`
    );
  }
  return undefined;
}

/** The intake's refusal of a Callback-Url that could not be signed, or undefined when it can (or may) be. */
export async function callbackSigningRefusal(signing: CallbackSigning): Promise<string | undefined> {
  const state = await signing.state();
  if (state === 'missing' || state === 'forbidden') {
    return (
      `Callback-Url refused: result callbacks cannot be signed on this app right now (its signing secret, ` +
      `CALLBACK_SECRET_NAME, is ${state === 'missing' ? 'missing in' : 'not readable from'} Key Vault). ` +
      'Send the request without Callback-Url and poll its status URL, or ask the operator to fix it.'
    );
  }
  return undefined;
}
