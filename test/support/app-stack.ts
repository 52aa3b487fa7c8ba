import { AppStackOptions, startAppStack as startStack } from '../../dev/local-stack/app-stack';

export { postJson, trustCertificate, waitForTerminal } from '../../dev/local-stack/app-stack';
export type { AppStack } from '../../dev/local-stack/app-stack';

/** The app stack on the test run's Azurite (started by the global setup). */
export function startAppStack(options: AppStackOptions = {}) {
  const storageConnectionString = process.env.TEST_STORAGE_CONNECTION_STRING;
  if (!storageConnectionString) {
    throw new Error('TEST_STORAGE_CONNECTION_STRING is not set: run through jest (global setup).');
  }
  return startStack({ storageConnectionString, ...options });
}
