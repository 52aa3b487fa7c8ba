import { CustomerLink, CustomerLinkKey, CustomerLinks } from '../ports';

/** A link as an operator sees it: which customer is which, never the customer's data. */
export type LinkAnswer = Pick<
  CustomerLink,
  | 'source'
  | 'sourceCustomerId'
  | 'legalEntity'
  | 'customerAccount'
  | 'createCorrelationId'
  | 'createdAt'
  | 'linkedAt'
  | 'verification'
>;

export function toLinkAnswer(link: CustomerLink): LinkAnswer {
  return {
    source: link.source,
    ...(link.sourceCustomerId !== undefined && { sourceCustomerId: link.sourceCustomerId }),
    legalEntity: link.legalEntity,
    ...(link.customerAccount !== undefined && { customerAccount: link.customerAccount }),
    createCorrelationId: link.createCorrelationId,
    createdAt: link.createdAt,
    ...(link.linkedAt !== undefined && { linkedAt: link.linkedAt }),
    ...(link.verification !== undefined && { verification: link.verification }),
  };
}

/** The operator's lookup by either side: the source's customer, or the D365 account. */
export async function lookUpLink(
  key: CustomerLinkKey,
  links: CustomerLinks,
): Promise<LinkAnswer | undefined> {
  const link = await links.get(key);
  return link && toLinkAnswer(link);
}
