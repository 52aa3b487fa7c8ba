import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyVaultCorrelationKey } from '../../shared/adapters/key-vault-correlation-key';
import { CorrelationKey, MIN_CORRELATION_KEY_LENGTH } from '../../shared/domain/correlation-id';
import { CorrelationKeyError } from '../../shared/ports';
import { emulatorVault } from './emulator-clients';
import { settingDefault } from './local-environment';

/** A new correlation-ID key: 32 random bytes in base64 (the deployment's is two GUIDs). */
export const newCorrelationKey = (): string => randomBytes(32).toString('base64');

/**
 * The correlation-ID key on the local stack (issue 24), as the deployment writes it in Azure
 * (infra/main.bicep, `CORRELATION_KEY_IN_VAULT`): put into the emulator's Key Vault only when the
 * secret has no version yet, then kept, so every host started against one emulator (a fleet, the
 * benches' hosts one after another) derives the same IDs. Returns the key as the app reads it (the
 * oldest enabled version). The emulator's certificate must be trusted first.
 */
export async function ensureCorrelationKey(
  emulatorUrl: string,
  options: { secretName?: string; value?: string } = {},
): Promise<CorrelationKey> {
  const secretName = options.secretName ?? settingDefault('CORRELATION_KEY_SECRET_NAME');
  const vault = emulatorVault(emulatorUrl);
  try {
    return await keyVaultCorrelationKey(vault, secretName, 10_000).get();
  } catch (error) {
    if (!(error instanceof CorrelationKeyError) || error.problem !== 'missing') throw error;
  }
  await vault.setSecret(secretName, options.value ?? newCorrelationKey());
  return keyVaultCorrelationKey(vault, secretName, 10_000).get();
}

/**
 * As `ensureCorrelationKey`, for a stack whose emulator may refuse the app's identity on purpose
 * (a test of `ForbiddenByRbac`): then nothing is written (the local writer is that identity) and
 * the app answers keyed requests 503, as it would in Azure without the role.
 */
export async function ensureCorrelationKeyIfAllowed(
  emulatorUrl: string,
  options: { secretName?: string; value?: string } = {},
): Promise<CorrelationKey | undefined> {
  try {
    return await ensureCorrelationKey(emulatorUrl, options);
  } catch (error) {
    if (error instanceof CorrelationKeyError && error.problem === 'forbidden') return undefined;
    throw error;
  }
}

/**
 * The key `npm start` puts into its emulator: made once and kept (`.local/correlation-key`), so a
 * retry of an Idempotency-Key after a restart of the stack on the same storage finds its request.
 */
export function keptCorrelationKey(stateDir: string): string {
  const file = join(stateDir, 'correlation-key');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= MIN_CORRELATION_KEY_LENGTH) return kept;
  }
  const value = newCorrelationKey();
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}
