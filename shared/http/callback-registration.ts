import { lookup } from 'node:dns/promises';
import type { CallbackEndpoints, CallbackSigning } from '../ports';
import { callbackSigningRefusal } from '../use-cases/callback-signing-report';
import { CALLBACK_URL_HEADER, CallbackUrlPolicy, checkCallbackUrl, ResolveHost } from './callback-url';
import { Problem, problems } from './problem';

const resolveAll: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * The intake's side of result callbacks: the optional `Callback-Url` header, checked (SSRF, allow
 * list, a disabled endpoint, a signing secret that Key Vault says is missing or unreadable) and
 * refused as a 400 problem that names the header and the reason.
 */
export async function registerCallbackUrl(
  headers: { get(name: string): string | null },
  policy: CallbackUrlPolicy,
  endpoints: CallbackEndpoints,
  signing?: CallbackSigning,
  resolve: ResolveHost = resolveAll,
): Promise<{ ok: true; url?: string } | { ok: false; problem: Problem }> {
  const raw = headers.get(CALLBACK_URL_HEADER);
  if (raw === null) return { ok: true };
  const refuse = (detail: string) => ({
    ok: false as const,
    problem: problems.invalidHeader(CALLBACK_URL_HEADER, { pointer: '', detail }),
  });
  const check = await checkCallbackUrl(raw, policy, resolve);
  if (!check.ok) return refuse(check.reason);
  // Storage unreachable must not refuse a customer: the delivery looks at the endpoint again.
  const disabled = await endpoints.isDisabled(check.url).catch(() => false);
  if (disabled) {
    return refuse(
      'Callback-Url refused: this URL answered 410 Gone to an earlier callback and is disabled (an operator can enable it again).',
    );
  }
  const unsigned = signing ? await callbackSigningRefusal(signing) : undefined;
  if (unsigned) return refuse(unsigned);
  return { ok: true, url: check.url };
}
