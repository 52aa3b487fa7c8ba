import { CustomerLink, CustomerLinkKey, CustomerLinks, StatusConflictError } from '../../shared/ports';

/** An in-memory CustomerLinks with the Table adapter's rules (unit tests). */
export function memoryCustomerLinks(): CustomerLinks & { rows: Map<string, CustomerLink> } {
  const rows = new Map<string, CustomerLink>();
  const accounts = new Map<string, string>();
  let version = 0;
  const home = (l: Pick<CustomerLink, 'source' | 'sourceCustomerId' | 'legalEntity' | 'customerAccount'>) =>
    l.sourceCustomerId !== undefined
      ? `ref|${l.source}|${l.sourceCustomerId}`
      : `acct|${l.legalEntity}|${l.customerAccount}`;
  const keyOf = (key: CustomerLinkKey) =>
    key.kind === 'reference'
      ? `ref|${key.source}|${key.sourceCustomerId}`
      : (accounts.get(`${key.legalEntity}|${key.customerAccount}`) ??
        `acct|${key.legalEntity}|${key.customerAccount}`);
  const put = (link: Omit<CustomerLink, 'etag'>): CustomerLink => {
    const stored = { ...link, etag: `W/"${++version}"` } as CustomerLink;
    rows.set(home(link), stored);
    return { ...stored };
  };
  return {
    rows,
    async reserve(link) {
      const existing = rows.get(home(link));
      return existing ? { ...existing } : put(link);
    },
    async complete(link, at) {
      const existing = rows.get(home(link));
      if (!existing) put({ ...link, linkedAt: at });
      else if (existing.customerAccount === undefined)
        put({ ...existing, customerAccount: link.customerAccount, linkedAt: at });
      const account = `${link.legalEntity}|${link.customerAccount}`;
      if (!accounts.has(account)) accounts.set(account, home(link));
    },
    async get(key) {
      const found = rows.get(keyOf(key));
      return found && { ...found };
    },
    async save(current, changes) {
      const stored = rows.get(home(current));
      if (!stored || stored.etag !== current.etag) throw new StatusConflictError(current.createCorrelationId);
      const next = { ...stored, ...changes };
      for (const [key, value] of Object.entries(changes))
        if (value === undefined) delete (next as Record<string, unknown>)[key];
      return put(next);
    },
  };
}
