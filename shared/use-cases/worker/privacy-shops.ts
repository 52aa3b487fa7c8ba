import type { PrivacyState } from '../../domain/privacy';
import { CustomerLink, ShopAccessError } from '../../ports';
import type { PrivacyWorkerDeps } from './privacy-job';

/**
 * The D365 account we wrote into a shop's customer (issue 28's write-back: a Shopify metafield, a
 * BigCommerce attribute value) is data we put there: an erasure of that customer removes it too,
 * before the link that names the shop's customer goes (so a retried batch finds it again). The
 * shop client's `forgetAccount` is idempotent (`absent` when the shop holds none).
 *
 * - `shop/redact` (a whole shop) calls no shop: it comes 48 hours after the app was uninstalled,
 *   when our token no longer works and the shop removes the app's data itself.
 * - A shop that refuses our token (revoked, scopes withdrawn) cannot be asked: the erasure goes on
 *   with our own stores and names the shop in `shopsUnreached` for the merchant.
 * - A shop that throttles or fails throws `ProcessingError`: the request comes back later.
 */
export async function forgetShopAccount(
  state: PrivacyState,
  link: CustomerLink,
  deps: PrivacyWorkerDeps,
): Promise<void> {
  if (state.subject.scope === 'source' || link.sourceCustomerId === undefined) return;
  if (link.customerAccount === undefined || state.shopsUnreached.includes(link.source)) return;
  const client = deps.shopClients?.forSource(link.source);
  if (!client?.forgetAccount) return;
  try {
    const result = await client.forgetAccount(link.sourceCustomerId, { log: deps.log });
    if (result.kind === 'forgotten') state.erased.shopAccounts = (state.erased.shopAccounts ?? 0) + 1;
  } catch (error) {
    if (!(error instanceof ShopAccessError)) throw error;
    state.shopsUnreached = [...state.shopsUnreached, link.source];
    deps.log.warn('privacy.shop_unreached', { source: link.source, reason: 'ShopAccessError' });
  }
}
