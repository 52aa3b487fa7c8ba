import {
  isAsSent,
  parseDigests,
  serialiseDigests,
  withSent,
} from '../../domain/customer-update/sent-digests';
import { entityValuesOf, ShopChanges, ShopField } from '../../domain/fo-events/shop-fields';
import { CustomerLinks, StatusConflictError } from '../../ports';

/**
 * No loops between D365 and the shop (issue 29), by the link's digests of what D365 holds as we
 * last sent it (`sentDigests`, the same the shop → D365 updates diff against):
 * - a D365 change our own PATCH caused carries the values we sent: those fields are not written to
 *   the shop (it is where they came from);
 * - after a D365 change is written to the shop, the digests say D365 holds it (it does): the shop's
 *   `customers/update` echo then diffs to nothing, and nothing is PATCHed back to D365.
 */
type Links = Pick<CustomerLinks, 'get' | 'save'>;
const MAX_RACES = 5;

/** The shop fields whose D365 value is the one we sent to D365 (our own PATCH's echo). */
export async function fieldsWeSent(
  links: Links,
  legalEntity: string,
  customerAccount: string,
  changes: ShopChanges,
): Promise<ShopField[]> {
  const link = await links.get({ kind: 'account', legalEntity, customerAccount });
  const digests = parseDigests(link?.sentDigests);
  if (!digests) return [];
  return (Object.entries(changes) as [ShopField, string][])
    .filter(([field, value]) => {
      const values = Object.entries(entityValuesOf(field, value));
      return values.length > 0 && values.every(([source, sent]) => isAsSent(digests, source, sent));
    })
    .map(([field]) => field);
}

/** Records that D365 holds `written` (now also in the shop), so the shop's echo changes nothing in D365. */
export async function recordWrittenToShop(
  links: Links,
  legalEntity: string,
  customerAccount: string,
  written: ShopChanges,
): Promise<void> {
  const entityValues = Object.assign(
    {},
    ...(Object.entries(written) as [ShopField, string][]).map(([field, value]) =>
      entityValuesOf(field, value),
    ),
  ) as Record<string, string>;
  for (let race = 0; race < MAX_RACES; race += 1) {
    const link = await links.get({ kind: 'account', legalEntity, customerAccount });
    const digests = parseDigests(link?.sentDigests);
    if (!link || !digests) return;
    try {
      await links.save(link, { sentDigests: serialiseDigests(withSent(digests, entityValues)) });
      return;
    } catch (error) {
      if (!(error instanceof StatusConflictError)) throw error;
    }
  }
}
