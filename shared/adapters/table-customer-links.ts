import { odata, RestError, TableClient } from '@azure/data-tables';
import { CustomerLink, CustomerLinks, StatusConflictError } from '../ports';

/**
 * Customer links in their own table (LINK_TABLE_NAME), one partition per row so every read is a
 * point read and every change a conditional write on one entity:
 * - `ref-<id>`: a customer named by its source (a shop's customer, a caller's `Customer-Reference`),
 *   written at intake (reserved) and completed when the create succeeds;
 * - `acct-<id>`: a D365 account. For a customer with a source reference it only points at the
 *   `ref-` row; for one created without, it is the link itself.
 * `<id>` is the base64url of the key's parts, as table keys may not hold `/`, `\`, `#` or `?`.
 * Retention reads the service's own `Timestamp` (set on every write), so no write path has to
 * remember to stamp a row; it is a scan of the table, as `Timestamp` is not a key.
 */
const id = (...parts: string[]): string => Buffer.from(parts.join('\n'), 'utf8').toString('base64url');
const referenceKey = (source: string, sourceCustomerId: string): string =>
  `ref-${id(source, sourceCustomerId)}`;
const accountKey = (legalEntity: string, customerAccount: string): string =>
  `acct-${id(legalEntity.toUpperCase(), customerAccount)}`;

const FIELDS = [
  'source',
  'sourceCustomerId',
  'legalEntity',
  'customerAccount',
  'createCorrelationId',
  'createdAt',
  'linkedAt',
  'verification',
  'baseline',
  'fieldStamps',
  'd365Etag',
  'inFlight',
  'lastUpdate',
  'sourceDigest',
] as const satisfies readonly (keyof CustomerLink)[];

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

const homeKey = (
  link: Pick<CustomerLink, 'source' | 'sourceCustomerId' | 'legalEntity' | 'customerAccount'>,
) =>
  link.sourceCustomerId !== undefined
    ? referenceKey(link.source, link.sourceCustomerId)
    : accountKey(link.legalEntity, link.customerAccount ?? '');

function toRow(link: Omit<CustomerLink, 'etag'>): Row {
  const row: Row = { partitionKey: homeKey(link), rowKey: '' };
  for (const field of FIELDS) row[field] = link[field] ?? '';
  return row;
}

function fromRow(row: Record<string, unknown>): CustomerLink {
  const link: Record<string, unknown> = { etag: row.etag };
  for (const field of FIELDS) {
    const value = row[field];
    if (typeof value === 'string' && value !== '') link[field] = value;
  }
  return link as unknown as CustomerLink;
}

const is = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

export function tableCustomerLinks(table: () => Promise<TableClient>): CustomerLinks {
  const read = async (partitionKey: string): Promise<Record<string, unknown> | undefined> => {
    try {
      return await (await table()).getEntity<Record<string, unknown>>(partitionKey, '');
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw error;
    }
  };
  /** Inserts a row; false when one is there already (the first writer's stays). */
  const insert = async (row: Row): Promise<boolean> => {
    try {
      await (await table()).createEntity(row);
      return true;
    } catch (error) {
      if (is(error, 409)) return false;
      throw error;
    }
  };
  /**
   * Inserts an account's row (its link, or its pointer to one); the first stands, unless it is a
   * pointer to a link that is gone (retention deleted the link and stopped before its pointer):
   * then the new row replaces it, so the account can be linked again.
   */
  const insertAccountRow = async (row: Row): Promise<void> => {
    if (await insert(row)) return;
    const existing = await read(row.partitionKey);
    const target = existing?.pointer;
    if (typeof target !== 'string' || target === '' || target === row.pointer || (await read(target))) return;
    try {
      await (await table()).updateEntity(row, 'Replace', { etag: existing!.etag as string });
    } catch (error) {
      if (!is(error, 404, 412)) throw error; // another writer's row stands
    }
  };
  const links: CustomerLinks = {
    async reserve(link) {
      const row = toRow(link);
      if (!(await insert(row))) {
        const existing = await read(row.partitionKey);
        if (existing) return fromRow(existing);
      }
      return fromRow((await read(row.partitionKey))!);
    },
    async complete(link, at) {
      if (link.sourceCustomerId === undefined) {
        await insertAccountRow(toRow({ ...link, linkedAt: at }));
        return;
      }
      const home = referenceKey(link.source, link.sourceCustomerId);
      for (let attempt = 0; attempt < 5; attempt++) {
        const existing = await read(home);
        if (!existing) {
          if (await insert(toRow({ ...link, linkedAt: at }))) break;
          continue;
        }
        const current = fromRow(existing);
        if (current.customerAccount !== undefined) break; // completed before (a redelivery): the first stands
        try {
          await links.save(current, {
            customerAccount: link.customerAccount,
            linkedAt: at,
            createCorrelationId: link.createCorrelationId,
            sourceDigest: link.sourceDigest,
            verification: link.verification,
          });
          break;
        } catch (error) {
          if (!(error instanceof StatusConflictError)) throw error;
        }
      }
      await insertAccountRow({
        partitionKey: accountKey(link.legalEntity, link.customerAccount),
        rowKey: '',
        pointer: home,
        legalEntity: link.legalEntity,
        customerAccount: link.customerAccount,
        source: link.source,
        sourceCustomerId: link.sourceCustomerId,
      });
    },
    async get(key) {
      const partitionKey =
        key.kind === 'reference'
          ? referenceKey(key.source, key.sourceCustomerId)
          : accountKey(key.legalEntity, key.customerAccount);
      const row = await read(partitionKey);
      if (!row) return undefined;
      const pointer = typeof row.pointer === 'string' && row.pointer !== '' ? row.pointer : undefined;
      if (pointer === undefined) return fromRow(row);
      const home = await read(pointer);
      return home ? fromRow(home) : undefined;
    },
    async save(current, changes) {
      const { etag, ...rest } = current;
      const next = { ...rest, ...changes };
      try {
        const response = await (await table()).updateEntity(toRow(next), 'Replace', { etag });
        return { ...next, etag: response.etag ?? '' };
      } catch (error) {
        if (is(error, 404, 412)) throw new StatusConflictError(current.createCorrelationId);
        throw error;
      }
    },
    async findChangedBefore(changedBefore, limit) {
      const found: CustomerLink[] = [];
      if (limit <= 0) return found;
      const rows = (await table()).listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`Timestamp lt ${new Date(changedBefore)}` },
      });
      for await (const row of rows) {
        if (typeof row.pointer === 'string' && row.pointer !== '') continue; // goes with its link
        found.push(fromRow(row));
        if (found.length >= limit) break;
      }
      return found;
    },
    async delete(link) {
      const client = await table();
      const home = homeKey(link);
      try {
        await client.deleteEntity(home, '', { etag: link.etag });
      } catch (error) {
        if (is(error, 412)) throw new StatusConflictError(link.createCorrelationId);
        if (!is(error, 404)) throw error;
      }
      if (link.sourceCustomerId === undefined || link.customerAccount === undefined) return;
      const pointerKey = accountKey(link.legalEntity, link.customerAccount);
      const pointer = await read(pointerKey);
      if (!pointer || pointer.pointer !== home) return;
      try {
        await client.deleteEntity(pointerKey, '', { etag: pointer.etag as string });
      } catch (error) {
        if (!is(error, 404, 412)) throw error;
      }
      // The same customer created and linked again in between (its pointer was the old one): restore it.
      const again = await read(home);
      if (again && again.customerAccount === link.customerAccount) {
        const { etag: _etag, timestamp: _timestamp, ...row } = pointer;
        await insert(row as Row);
      }
    },
  };
  return links;
}
