import { CustomerLink, CustomerLinkKey, CustomerLinks, StatusConflictError } from '../../shared/ports';

/**
 * An in-memory CustomerLinks with the Table adapter's rules (unit tests). `now` stands in for the
 * service's `Timestamp`: every write stamps its row, and retention reads that stamp.
 */
export function memoryCustomerLinks(options: { now?: () => Date } = {}): CustomerLinks & {
  rows: Map<string, CustomerLink>;
  accounts: Map<string, string>;
} {
  const rows = new Map<string, CustomerLink>();
  const changedAt = new Map<string, number>();
  const now = options.now ?? (() => new Date());
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
    changedAt.set(home(link), now().getTime());
    return { ...stored };
  };
  return {
    rows,
    accounts,
    async reserve(link) {
      const existing = rows.get(home(link));
      return existing ? { ...existing } : put(link);
    },
    async complete(link, at) {
      const existing = rows.get(home(link));
      if (!existing) put({ ...link, linkedAt: at });
      else if (existing.customerAccount === undefined)
        put({
          ...existing,
          customerAccount: link.customerAccount,
          linkedAt: at,
          createCorrelationId: link.createCorrelationId,
          ...(link.verification !== undefined && { verification: link.verification }),
          ...(link.sourceDigest !== undefined && { sourceDigest: link.sourceDigest }),
        });
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
    async findChangedBefore(changedBefore, limit) {
      const cutoff = new Date(changedBefore).getTime();
      return [...rows.entries()]
        .filter(([key]) => (changedAt.get(key) ?? 0) < cutoff)
        .slice(0, Math.max(0, limit))
        .map(([, link]) => ({ ...link }));
    },
    async delete(link) {
      const key = home(link);
      const stored = rows.get(key);
      if (!stored) return;
      if (stored.etag !== link.etag) throw new StatusConflictError(link.createCorrelationId);
      rows.delete(key);
      changedAt.delete(key);
      for (const [account, target] of accounts) if (target === key) accounts.delete(account);
    },
  };
}
