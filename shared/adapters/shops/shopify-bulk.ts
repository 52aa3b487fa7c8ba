import { transient } from '../../domain/failure';
import type { ShopBulkStep, ShopCallOptions, ShopCustomer } from '../../ports';

/**
 * A Shopify shop's customers through a bulk query operation (issue 30), for shops too large to page
 * through `customers` at 1,000 points a request (https://shopify.dev/docs/api/usage/bulk-operations/queries):
 *
 * 1. `bulkOperationRunQuery` (10 points) with the customers, their account metafield and addresses,
 *    `groupObjects: true`, so each customer's address lines (`__parentId`) follow it directly and a
 *    page can end at any customer line (without grouping Shopify promises no order, and the whole
 *    file would have to be read before the first customer could be sent); the cursor becomes
 *    `bulk:<operation>`;
 * 2. `bulkOperation(id:)` (1 point; as of 2026-01: https://shopify.dev/changelog/new-queries-for-bulk-operations)
 *    until it is `COMPLETED`: the job waits `BULK_POLL_SECONDS` between reads;
 * 3. each page reads the JSONL from the operation's `url` (a signed Google Cloud Storage URL, read
 *    fresh every page since it expires) with `Range` requests of `BULK_CHUNK_BYTES` from the byte
 *    where the last page stopped, until it holds `limit` customers and their addresses; the cursor
 *    becomes `bulk:<operation>:<byte>` (the start of the next customer's line). Memory stays one page.
 *
 * The operation is bound to the query it ran: a killed host resumes at the byte the fleet saved.
 * `FAILED`, `CANCELED` or `EXPIRED` (results are kept seven days), or a download refused (400/403),
 * ends the job: starting it again runs a new operation.
 */
export const BULK_POLL_SECONDS = 2;
export const BULK_CHUNK_BYTES = 256 * 1024;

/** GraphQL's string literal: JSON's escapes are GraphQL's (https://spec.graphql.org/October2021/#sec-String-Value). */
const literal = (text: string): string => JSON.stringify(text);

export const bulkCustomersQuery = (namespace: string, key: string, search: string | null): string => `{
  customers(${search ? `query: ${literal(search)}, ` : ''}sortKey: ID) {
    edges { node {
      id firstName lastName updatedAt verifiedEmail
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
      metafield(namespace: ${literal(namespace)}, key: ${literal(key)}) { value }
      defaultAddress { id }
      addressesV2 { edges { node { id address1 address2 city provinceCode zip countryCodeV2 phone } } }
    } }
  }
}`;

export const BULK_RUN = `mutation RunBulk($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { code field message }
  }
}`;

export const BULK_READ = `query ReadBulk($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url }
}`;

type Request = (
  query: string,
  variables: Record<string, unknown>,
  cost: number,
  call?: ShopCallOptions,
) => Promise<Record<string, unknown>>;

/** A customer line of the file, with the address lines that followed it. */
export interface BulkCustomerLine {
  id: string;
  addresses: Record<string, unknown>[];
  [field: string]: unknown;
}

const gidNumber = (id: string): string => id.slice(id.lastIndexOf('/') + 1);

interface Cursor {
  operation: string;
  offset?: number;
}

export function parseBulkCursor(cursor: string | undefined): Cursor | undefined {
  const match = /^bulk:(\d+)(?::(\d+))?$/.exec(cursor ?? '');
  if (!match) return undefined;
  return { operation: match[1]!, ...(match[2] !== undefined && { offset: Number(match[2]) }) };
}

/**
 * Reads `limit` customer lines (and their children) from `offset`; `next`: the byte of the next
 * customer line, absent at the end of the file.
 */
export async function readBulkPage(
  url: string,
  offset: number,
  limit: number,
  options: { timeoutMs: number; abortSignal?: AbortSignal; chunkBytes?: number },
): Promise<
  { kind: 'read'; customers: BulkCustomerLine[]; next?: number } | { kind: 'refused'; status: number }
> {
  const customers: BulkCustomerLine[] = [];
  let carry = Buffer.alloc(0);
  let position = offset;
  let lineStart = offset;
  const chunkBytes = options.chunkBytes ?? BULK_CHUNK_BYTES;
  for (;;) {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const answer = await fetch(url, {
      headers: { range: `bytes=${position}-${position + chunkBytes - 1}` },
      signal: options.abortSignal ? AbortSignal.any([timeout, options.abortSignal]) : timeout,
    });
    if (answer.status === 416) return { kind: 'read', customers };
    if (answer.status === 400 || answer.status === 403 || answer.status === 404)
      return { kind: 'refused', status: answer.status };
    if (answer.status !== 206) throw transient(`bulk file answered ${answer.status}`, { uncertain: true });
    const size = Number(/\/(\d+)$/.exec(answer.headers.get('content-range') ?? '')?.[1] ?? NaN);
    const chunk = Buffer.from(await answer.arrayBuffer());
    position += chunk.length;
    const atEnd = !(position < size);
    let text = Buffer.concat([carry, chunk]);
    for (
      let newline = text.indexOf(10);
      newline >= 0 || (atEnd && text.length > 0);
      newline = text.indexOf(10)
    ) {
      const end = newline >= 0 ? newline : text.length;
      const line = text.subarray(0, end).toString('utf8');
      const object = line.trim() ? (JSON.parse(line) as Record<string, unknown>) : undefined;
      if (object && typeof object.__parentId !== 'string') {
        if (customers.length === limit) return { kind: 'read', customers, next: lineStart };
        customers.push({ ...object, id: String(object.id), addresses: [] });
      } else if (object) {
        const parent = customers.at(-1);
        // Grouped (groupObjects: true): a child follows its parent; anything else is not this file.
        if (!parent || parent.id !== object.__parentId)
          throw transient('bulk file: a line without its parent before it');
        parent.addresses.push(object);
      }
      lineStart += end + (newline >= 0 ? 1 : 0);
      text = text.subarray(end + (newline >= 0 ? 1 : 0));
    }
    carry = text;
    if (atEnd) return { kind: 'read', customers };
  }
}

/** The bulk steps of `ShopClient.listCustomersInBulk`, over the client's paced GraphQL request. */
export function shopifyBulkCustomers(
  request: Request,
  toCustomer: (line: BulkCustomerLine) => ShopCustomer,
  account: { namespace: string; key: string },
  timeoutMs: number,
) {
  return async (
    page: { cursor?: string; updatedSince?: string; limit: number },
    call?: ShopCallOptions,
  ): Promise<ShopBulkStep> => {
    const cursor = parseBulkCursor(page.cursor);
    if (!cursor) {
      const search = page.updatedSince ? `updated_at:>='${page.updatedSince}'` : null;
      const data = (await request(
        BULK_RUN,
        { query: bulkCustomersQuery(account.namespace, account.key, search) },
        10,
        call,
      )) as {
        bulkOperationRunQuery: {
          bulkOperation: { id: string } | null;
          userErrors: { code: string | null; message: string }[];
        };
      };
      const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
      // Another operation of the app is running (the shop's limit): the same step a little later.
      if (!bulkOperation)
        throw transient(`Shopify bulk query refused (${userErrors.map((e) => e.code).join(', ')})`, {
          retryAfterSeconds: BULK_POLL_SECONDS * 5,
        });
      return {
        kind: 'running',
        cursor: `bulk:${gidNumber(bulkOperation.id)}`,
        retryAfterSeconds: BULK_POLL_SECONDS,
      };
    }
    const data = (await request(
      BULK_READ,
      { id: `gid://shopify/BulkOperation/${cursor.operation}` },
      1,
      call,
    )) as {
      bulkOperation: { status: string; rootObjectCount: string; url: string | null } | null;
    };
    const operation = data.bulkOperation;
    if (!operation) return { kind: 'failed', reason: 'The bulk operation no longer exists.' };
    if (operation.status === 'CREATED' || operation.status === 'RUNNING')
      return { kind: 'running', cursor: page.cursor!, retryAfterSeconds: BULK_POLL_SECONDS };
    if (operation.status !== 'COMPLETED' || !operation.url)
      return { kind: 'failed', reason: `The bulk operation ended ${operation.status}.` };
    if (!operation.url.startsWith('https://'))
      return { kind: 'failed', reason: 'The bulk operation gave a URL that is not https.' };
    const read = await readBulkPage(operation.url, cursor.offset ?? 0, page.limit, {
      timeoutMs,
      ...(call?.abortSignal && { abortSignal: call.abortSignal }),
    });
    if (read.kind === 'refused')
      return { kind: 'failed', reason: `The bulk operation's file was refused (${read.status}).` };
    return {
      kind: 'page',
      page: {
        customers: read.customers.map(toCustomer),
        ...(read.next !== undefined && { nextCursor: `bulk:${cursor.operation}:${read.next}` }),
        total: Number(operation.rootObjectCount),
      },
    };
  };
}
