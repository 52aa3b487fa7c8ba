import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bulkCustomersQuery, parseBulkCursor, readBulkPage } from './shopify-bulk';

/**
 * Reading a bulk operation's JSONL file a page at a time (issue 30): Range requests of a few bytes
 * (lines cut across chunks, multi-byte characters cut across chunks), pages that end at a customer
 * line with all its `__parentId` lines, the byte to go on from, the end of the file, a refusal.
 */
const lines = [
  { id: 'gid://shopify/Customer/1', firstName: 'Zoë' },
  { id: 'gid://shopify/MailingAddress/10', city: 'Zürich', __parentId: 'gid://shopify/Customer/1' },
  { id: 'gid://shopify/MailingAddress/11', city: 'Bern', __parentId: 'gid://shopify/Customer/1' },
  { id: 'gid://shopify/Customer/2', firstName: 'Ann' },
  { id: 'gid://shopify/Customer/3', firstName: 'Bo' },
  { id: 'gid://shopify/MailingAddress/30', city: 'Oslo', __parentId: 'gid://shopify/Customer/3' },
];
const FILE = Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(''), 'utf8');

let server: Server;
let base: string;
const ranges: string[] = [];
let refuse = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (refuse) return void res.writeHead(refuse).end('<Error><Code>ExpiredToken</Code></Error>');
    const match = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!match) return void res.writeHead(200).end(FILE);
    ranges.push(req.headers.range!);
    const start = Number(match[1]);
    const end = Math.min(FILE.length - 1, Number(match[2]));
    if (start >= FILE.length)
      return void res.writeHead(416, { 'content-range': `bytes */${FILE.length}` }).end();
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${FILE.length}` });
    res.end(FILE.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file.jsonl`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  ranges.length = 0;
  refuse = 0;
});

describe('reading a bulk file a page at a time', () => {
  it('reads pages of customers with their address lines, across chunks, and says where the next begins', async () => {
    const seen: string[] = [];
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined) {
      const page = await readBulkPage(base, offset, 2, { timeoutMs: 5_000, chunkBytes: 7 });
      if (page.kind !== 'read') throw new Error(page.kind);
      pages += 1;
      for (const c of page.customers)
        seen.push(`${String(c.firstName)}:${c.addresses.map((a) => String(a.city)).join('+')}`);
      offset = page.next;
    }
    expect(pages).toBe(2);
    // Multi-byte characters cut between 7-byte chunks come back whole.
    expect(seen).toEqual(['Zoë:Zürich+Bern', 'Ann:', 'Bo:Oslo']);
    expect(ranges.every((r) => /^bytes=\d+-\d+$/.test(r))).toBe(true);
  });

  it('starts a page at the byte the last one gave, reading nothing before it', async () => {
    const first = await readBulkPage(base, 0, 1, { timeoutMs: 5_000, chunkBytes: 1_000 });
    if (first.kind !== 'read') throw new Error(first.kind);
    expect(first.customers.map((c) => c.id)).toEqual(['gid://shopify/Customer/1']);
    const next = first.next!;
    expect(FILE.subarray(next).toString('utf8').startsWith('{"id":"gid://shopify/Customer/2"')).toBe(true);
    ranges.length = 0;
    const second = await readBulkPage(base, next, 5, { timeoutMs: 5_000, chunkBytes: 1_000 });
    if (second.kind !== 'read') throw new Error(second.kind);
    expect(second.customers).toHaveLength(2);
    expect(second.next).toBeUndefined();
    expect(ranges).toEqual([`bytes=${next}-${next + 999}`]);
  });

  it('says refused when the file is (expired URL), and throws on a line whose parent is not before it', async () => {
    refuse = 400;
    expect(await readBulkPage(base, 0, 2, { timeoutMs: 5_000 })).toEqual({ kind: 'refused', status: 400 });
    refuse = 0;
    // Starting inside a customer's address lines: not a page boundary of this file.
    const inside = FILE.indexOf('{"id":"gid://shopify/MailingAddress/11"');
    await expect(readBulkPage(base, inside, 2, { timeoutMs: 5_000 })).rejects.toThrow(/parent/);
  });

  it('keeps the cursor and the query literal-safe', () => {
    expect(parseBulkCursor('bulk:41')).toEqual({ operation: '41' });
    expect(parseBulkCursor('bulk:41:1024')).toEqual({ operation: '41', offset: 1024 });
    expect(parseBulkCursor('eyJsYXN0X2lkIjoxfQ==')).toBeUndefined();
    const query = bulkCustomersQuery('d365', 'account', `updated_at:>='2026-12-01T00:00:00.000Z' "x"`);
    expect(query).toContain(`query: "updated_at:>='2026-12-01T00:00:00.000Z' \\"x\\""`);
  });
});
