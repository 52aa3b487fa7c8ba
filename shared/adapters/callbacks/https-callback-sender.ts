import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { Agent, request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, isIpLiteral, unbracket } from '../../domain/network-address';
import { CallbackAnswer, CallbackSender } from '../../ports';

export interface HttpsCallbackSenderOptions {
  timeoutMs: number;
  /** IP literals that may be reached although not public (CALLBACK_ALLOWED_PRIVATE_ADDRESSES). */
  allowedPrivateAddresses: readonly string[];
  /** DNS, for tests: node's `dns.lookup` by default. */
  lookup?: typeof dnsLookup;
}

/** An address that callbacks may not reach, found when connecting (the DNS answer changed). */
class CallbackAddressRefusedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CallbackAddressRefusedError';
  }
}

/** The longest answer body read (and thrown away): receivers answer with little or nothing. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs callbacks with node's https (TLS verified against the system's CAs plus NODE_EXTRA_CA_CERTS).
 * The address is checked where the connection is made: a custom `lookup` refuses a DNS answer
 * that points at a private, loopback or link-local address, so a name that passed registration
 * cannot be re-pointed at the metadata service (DNS rebinding). Redirects are not followed (a
 * 3xx is a failed attempt); a slow endpoint is cut off after `timeoutMs`.
 */
export function httpsCallbackSender(options: HttpsCallbackSenderOptions): CallbackSender {
  const resolve = options.lookup ?? dnsLookup;
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refusal = addresses
        .map((a) => addressRefusal(hostname, a.address, options.allowedPrivateAddresses))
        .find(Boolean);
      if (refusal) return callback(new CallbackAddressRefusedError(refusal), '', 0);
      if (lookupOptions.all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      if (!first) return callback(new Error(`${hostname} does not resolve`), '', 0);
      return callback(null, first.address, first.family);
    });
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 32, lookup: guardedLookup });

  return {
    post(url, { headers, body }) {
      const target = new URL(url);
      const host = unbracket(target.hostname);
      if (isIpLiteral(host)) {
        const refusal = addressRefusal(host, host, options.allowedPrivateAddresses);
        if (refusal) return Promise.resolve({ kind: 'refused', reason: refusal });
      }
      return new Promise<CallbackAnswer>((settle) => {
        const req = request(
          target,
          {
            method: 'POST',
            agent,
            lookup: guardedLookup,
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            timeout: options.timeoutMs,
          },
          (res) => {
            let read = 0;
            res.on('data', (chunk: Buffer) => {
              read += chunk.length;
              if (read > MAX_ANSWER_BYTES) res.destroy();
            });
            const done = () =>
              settle({
                kind: 'answered',
                status: res.statusCode ?? 0,
                ...(typeof res.headers['retry-after'] === 'string' && {
                  retryAfter: res.headers['retry-after'],
                }),
              });
            res.on('end', done);
            res.on('close', done);
            res.on('error', done);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
        req.on('error', (error) =>
          settle(
            error instanceof CallbackAddressRefusedError
              ? { kind: 'refused', reason: error.reason }
              : { kind: 'unreachable', reason: `${error.name}: ${error.message}`.slice(0, 200) },
          ),
        );
        req.end(body);
      });
    },
  };
}
