import { readFileSync } from 'node:fs';
import { appRoot } from './app-root';
import { startCallbackReceiver } from './callback-receiver';
import { callbackReceiverPort, localStackDir, readState } from './stack-state';

/**
 * `npm run callbacks [-- --port N]` (or `CALLBACK_RECEIVER_PORT`; default 7444): a result-callback receiver for the local stack, as an
 * integrator would run one: HTTPS on 127.0.0.1 with the certificate `npm start` made (the host
 * trusts its CA), every delivery's Standard Webhooks signature verified with the signing secret
 * `npm start` put in the emulator's Key Vault (the official `standardwebhooks` library), each
 * event printed once per `webhook-id`. Ctrl-C stops it.
 */
async function main(): Promise<void> {
  const state = readState(localStackDir(appRoot()));
  const callbacks = state.callbacks;
  if (!callbacks) {
    throw new Error(
      'npm start runs without the emulator, so it put no callback signing secret anywhere: run your own receiver with the secret from your Key Vault.',
    );
  }
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : callbackReceiverPort();
  const receiver = await startCallbackReceiver(callbacks.secret, () => ({ status: 204 }), {
    tls: {
      keyPem: readFileSync(callbacks.receiverKeyPath, 'utf8'),
      certPem: readFileSync(callbacks.receiverCertPath, 'utf8'),
      caCertPem: '',
    },
    port,
    onEvent: (event, duplicate) =>
      console.log(
        `${duplicate ? 'again (already taken, same webhook-id)' : 'verified'} ${event.body.type} ${event.id} ${JSON.stringify(event.body.data)}`,
      ),
    onInvalid: (path, reason) => console.log(`refused POST ${path}: ${reason}`),
  });
  console.log(
    `Receiving result callbacks at https://127.0.0.1:${receiver.port}/callbacks (signatures verified with the Key Vault secret ${callbacks.secretName}; Ctrl-C stops)`,
  );
  const stop = (): void => void receiver.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`npm run callbacks: ${(error as Error).message}`);
  process.exit(1);
});
