import { startAzurite } from '@d365-customer-sync/functions-host';
import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { keepSdksOffline } from './offline-sdk-env';

/**
 * Starts one Azurite (in memory) and one D365 / Entra / Key Vault emulator on free loopback
 * ports for the whole test run, so tests never collide with a running `npm start`.
 * Test files read the endpoints from the environment variables set here; test files that
 * change the emulator's faults or throttle start an emulator of their own.
 */
export default async function globalSetup(): Promise<void> {
  keepSdksOffline();
  const [azurite, emulator] = await Promise.all([
    startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 }),
    startEmulator({ host: '127.0.0.1', port: 0 }),
  ]);
  process.env.TEST_STORAGE_CONNECTION_STRING = azurite.connectionString;
  process.env.TEST_EMULATOR_URL = emulator.url;
  process.env.TEST_EMULATOR_CA_PATH = emulator.caCertPath;
  (globalThis as Record<string, unknown>).__testStack = { azurite, emulator };
}
