import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { keepSdksOffline } from './offline-sdk-env';

keepSdksOffline();

/**
 * Makes this test process trust the emulator's self-signed certificate, as the stack does for
 * the host through NODE_EXTRA_CA_CERTS, so the real Azure SDK clients can talk to it over HTTPS.
 */
const caPath = process.env.TEST_EMULATOR_CA_PATH;
if (caPath) {
  const pem = readFileSync(caPath, 'utf8');
  const current = tls.getCACertificates('default');
  if (!current.includes(pem)) tls.setDefaultCACertificates([...current, pem]);
}
