import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';

/** A throw-away certificate authority and the server certificate it signed. */
export interface TlsMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Generates a CA and a server certificate for `localhost`, `127.0.0.1` and `::1` (plus `extraHosts`).
 * Trusting the CA (e.g. with NODE_EXTRA_CA_CERTS) makes Node's TLS accept the server.
 */
export async function createTlsMaterial(extraHosts: string[] = []): Promise<TlsMaterial> {
  const notBeforeDate = new Date(Date.now() - DAY_MS);
  const notAfterDate = new Date(Date.now() + 90 * DAY_MS);
  // A unique name per CA: several emulators' CAs may be trusted at once, and TLS finds a CA by its name.
  const caName = `d365-customer-sync local emulator CA ${randomBytes(6).toString('hex')}`;
  const ca = await generate([{ name: 'commonName', value: caName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const ips = new Set(['127.0.0.1', '::1']);
  const names = new Set(['localhost']);
  for (const host of extraHosts) {
    if (host === '0.0.0.0' || host === '::' || host === '') continue;
    if (/^[\d.]+$/.test(host) || host.includes(':')) ips.add(host);
    else names.add(host);
  }
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...[...names].map((value) => ({ type: 2 as const, value })),
          ...[...ips].map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { caCertPem: ca.cert, certPem: server.cert, keyPem: server.private };
}

/** Writes the CA certificate as `ca.pem` into `certDir` (default: a new temporary folder) and returns its path. */
export async function writeCaCertificate(caCertPem: string, certDir?: string): Promise<string> {
  const dir = certDir ?? (await mkdtemp(path.join(tmpdir(), 'd365-emulator-')));
  await mkdir(dir, { recursive: true });
  const file = path.join(path.resolve(dir), 'ca.pem');
  await writeFile(file, caCertPem, 'utf8');
  return file;
}
