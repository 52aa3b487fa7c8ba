import { app } from '@azure/functions';
import { appServices } from '../shared/composition';
import { getConfig } from '../shared/config/config';
import { signingSecretRules } from '../shared/config/signing-secrets';
import { callbackSigningStartupLine } from '../shared/use-cases/callback-signing-report';

// Loaded with the function files (package.json `main`): validates the configuration when the app
// starts, so a missing or malformed setting stops the app with a message that names it.
const config = getConfig();

// Reads every signing secret once at start, so a weak one is refused (and named, with its setting)
// now rather than at the first delivery. Not awaited: Key Vault being slow must not delay the start;
// a secret that is not there yet is reported when it is used.
function checkSigningSecrets(): void {
  const { webhookSecrets } = appServices();
  for (const name of signingSecretRules(config).keys()) void webhookSecrets.get(name).catch(() => undefined);
}

// Result callbacks that are on but cannot be signed are named at start (the intake refuses every
// Callback-Url meanwhile), not found later in a delivery's log. Not awaited: start is not held up
// by Key Vault.
function reportUnsignableCallbacks(): void {
  if (config.callbacks.allowedHosts.length === 0) return;
  const { signing } = appServices().callbacks;
  void signing
    .state({ fresh: true })
    .then((state) => {
      const line = callbackSigningStartupLine(state, signing.secretName, config.keyVault.url);
      if (line) console.warn(line);
    })
    .catch(() => undefined);
}

// The correlation-ID key (issue 24) is read once per instance, now: the first keyed request does
// not wait for Key Vault. Not awaited; while it cannot be read, keyed requests answer 503 and read
// it again, and the problem is named here (never the value).
function readCorrelationKey(): void {
  void appServices()
    .correlationKey.get()
    .catch((error: unknown) =>
      console.error(
        `${error instanceof Error ? error.message : String(error)}. Keyed requests (Idempotency-Key, webhooks) answer 503 until it can be read; npm run doctor or GET /api/health/deep shows the fix.`,
      ),
    );
}

// A graceful shutdown (scale-in, deploy) gives the fleet gate's kept rows back at once rather than
// leaving them to their leases (issue 33's parked rows, fleet-gate.ts).
app.hook.appTerminate(async () => {
  await appServices().gate.close?.();
});

app.hook.appStart(() => {
  checkSigningSecrets();
  reportUnsignableCallbacks();
  readCorrelationKey();
});
