import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  execute,
  FieldNode,
  GraphQLError,
  GraphQLObjectType,
  getNamedType,
  Kind,
  OperationDefinitionNode,
  parse,
  SelectionSetNode,
  validate,
} from 'graphql';
import { RequestContext } from '../http';
import { requireScope, ResolverContext } from './shopify-metafields';
import { rootValue } from './shopify-resolvers';
import { shopifyAdminSchema } from './shopify-schema';
import { gid, ShopifyShop } from './shopify-store';

/**
 * Shopify's bulk query operations (issue 30), as Shopify documents them
 * (https://shopify.dev/docs/api/usage/bulk-operations/queries; schema in shopify-bulk-schema.ts):
 * - `bulkOperationRunQuery` takes a query with one top-level field, a connection, at least one and at
 *   most five connections, nested at most two levels deep; anything else is a user error `INVALID`
 *   on `query`. Connections need no `first`: Shopify pages them itself. Not rate limited beyond the
 *   mutation's own cost (10 points);
 * - how many may run at once per shop and app: one before 2026-01 (a second is
 *   `OPERATION_IN_PROGRESS`), five as of 2026-01 (a sixth is `LIMIT_REACHED`);
 * - the operation is `CREATED`, then `RUNNING` (objectCount grows), then `COMPLETED` after the
 *   shop's `bulkRunMs`; `url` (completed only) is a signed download URL that expires seven days after
 *   completion (`bulkUrlTtlMs` shortens it) — https://shopify.dev/docs/api/admin-graphql/latest/objects/BulkOperation;
 * - the JSONL file: one line per object; a nested connection's nodes are lines of their own with
 *   `__parentId` (the parent's `id`). With `groupObjects: true` a parent's children follow it directly;
 *   without, Shopify promises no order ("Avoid relying on a particular sequence of lines"): the
 *   emulator then writes every root line first and the children after them all;
 * - the download is Google Cloud Storage's: `Range` requests are answered 206 with `Content-Range`
 *   (https://cloud.google.com/storage/docs/xml-api/get-object-download), an expired signature 400
 *   `ExpiredToken`, a wrong one 403 `SignatureDoesNotMatch`
 *   (https://cloud.google.com/storage/docs/xml-api/reference-status).
 * `bulkOperation(id:)` exists as of 2026-01 (https://shopify.dev/changelog/new-queries-for-bulk-operations).
 */
export interface BulkOperationRecord {
  id: string;
  number: string;
  query: string;
  createdAt: number;
  completesAt: number;
  expiresAt: number;
  /** Read since it was created: `RUNNING` from then on until it completes. */
  seen: boolean;
  file: Buffer;
  objectCount: number;
  rootObjectCount: number;
  /** Downloads and bytes served (tests: each page reads only its part). */
  downloads: number;
  bytesServed: number;
}

const SEVEN_DAYS_MS = 7 * 24 * 3600_000;
const URL_SECRET = randomBytes(32);
let nextNumber = 4_100_000_000;

export const BULK_DOWNLOAD_PATH = /^\/shopify-bulk\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/(\d+)\.jsonl$/;

const signatureOf = (shop: string, number: string, expires: number): string =>
  createHmac('sha256', URL_SECRET).update(`${shop}/${number}/${expires}`).digest('hex');

const statusOf = (op: BulkOperationRecord, now: number): string =>
  now >= op.completesAt ? 'COMPLETED' : op.seen ? 'RUNNING' : 'CREATED';

function view(ctx: ResolverContext, op: BulkOperationRecord) {
  const now = Date.now();
  const status = statusOf(op, now);
  op.seen = true;
  const done = status === 'COMPLETED';
  const share = done ? 1 : status === 'RUNNING' ? (now - op.createdAt) / (op.completesAt - op.createdAt) : 0;
  const expires = op.expiresAt;
  return {
    id: op.id,
    query: op.query,
    type: 'QUERY',
    status,
    createdAt: new Date(op.createdAt).toISOString(),
    completedAt: done ? new Date(op.completesAt).toISOString() : null,
    errorCode: null,
    objectCount: String(Math.floor(op.objectCount * share)),
    rootObjectCount: String(Math.floor(op.rootObjectCount * share)),
    fileSize: done ? String(op.file.length) : null,
    partialDataUrl: null,
    url: done
      ? `${ctx.origin}/shopify-bulk/${ctx.shop.domain}/${op.number}.jsonl?expires=${expires}` +
        `&signature=${signatureOf(ctx.shop.domain, op.number, expires)}`
      : null,
  };
}

const isConnection = (value: unknown): value is { edges?: { node: unknown }[]; nodes?: unknown[] } =>
  typeof value === 'object' &&
  value !== null &&
  (Array.isArray((value as { edges?: unknown }).edges) ||
    Array.isArray((value as { nodes?: unknown }).nodes));

const nodesOf = (value: { edges?: { node: unknown }[]; nodes?: unknown[] }): Record<string, unknown>[] =>
  (value.edges?.map((edge) => edge.node) ?? value.nodes ?? []) as Record<string, unknown>[];

/** The JSONL lines of a bulk query's result: every node its own line, children with `__parentId`. */
function linesOf(data: Record<string, unknown>, grouped: boolean): { lines: string[]; roots: number } {
  const lines: string[] = [];
  const later: string[] = [];
  const emit = (node: Record<string, unknown>, parentId: string | undefined, into: string[]) => {
    const own: Record<string, unknown> = {};
    const children: Record<string, unknown>[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (isConnection(value)) children.push(...nodesOf(value));
      else own[key] = value;
    }
    into.push(JSON.stringify(parentId === undefined ? own : { ...own, __parentId: parentId }));
    for (const child of children) emit(child, String(own.id), grouped ? into : later);
  };
  const roots = nodesOf(Object.values(data)[0] as { edges?: { node: unknown }[] });
  for (const root of roots) emit(root, undefined, lines);
  return { lines: [...lines, ...later], roots: roots.length };
}

/** Shopify's limits on a bulk query's shape; undefined when it keeps them. */
function shapeError(operation: OperationDefinitionNode): string | undefined {
  if (operation.operation !== 'query') return 'Bulk queries must be queries, not mutations or subscriptions.';
  const top = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  if (top.length !== 1) return 'Bulk queries must select exactly one top-level field.';
  const schema = shopifyAdminSchema();
  let connections = 0;
  let deepest = 0;
  const walk = (set: SelectionSetNode | undefined, type: GraphQLObjectType, depth: number) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind !== Kind.FIELD) continue;
      const field = type.getFields()[selection.name.value];
      const named = field && getNamedType(field.type);
      if (!(named instanceof GraphQLObjectType)) continue;
      const isConn = named.name.endsWith('Connection');
      if (isConn) connections += 1;
      deepest = Math.max(deepest, depth + (isConn ? 1 : 0));
      walk(selection.selectionSet, named, depth + (isConn ? 1 : 0));
    }
  };
  walk(operation.selectionSet, schema.getQueryType()!, 0);
  const topType = getNamedType(schema.getQueryType()!.getFields()[top[0]!.name.value]!.type);
  if (!topType.name.endsWith('Connection')) return 'Bulk queries must start at a connection field.';
  if (connections > 5) return 'Bulk queries cannot contain more than 5 connections.';
  if (deepest > 2) return 'Bulk queries cannot contain connections with a nesting depth greater than 2.';
  return undefined;
}

const userError = (code: string, message: string) => ({
  bulkOperation: null,
  userErrors: [{ code, field: ['query'], message }],
});

const versionAtLeast = (ctx: ResolverContext, version: string): boolean =>
  (ctx.version ?? 'unstable') === 'unstable' || (ctx.version ?? '') >= version;

function runQuery(args: { query: string; groupObjects: boolean }, ctx: ResolverContext) {
  requireScope(ctx, 'read_customers', 'bulkOperationRunQuery');
  const now = Date.now();
  const running = ctx.app.bulkOperations.filter((op) => now < op.completesAt);
  const limit = versionAtLeast(ctx, '2026-01') ? 5 : 1;
  if (running.length >= limit) {
    return limit === 1
      ? userError(
          'OPERATION_IN_PROGRESS',
          `A bulk query operation for this app and shop is already in progress: ${running[0]!.id}.`,
        )
      : userError('LIMIT_REACHED', 'Bulk operations limit reached. Please try again later.');
  }
  let document;
  try {
    document = parse(args.query);
  } catch (error) {
    return userError('INVALID', (error as GraphQLError).message);
  }
  const schema = shopifyAdminSchema();
  const invalid = validate(schema, document);
  if (invalid.length > 0) return userError('INVALID', invalid[0]!.message);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const shape = shapeError(operation);
  if (shape) return userError('INVALID', shape);
  const bulkContext: ResolverContext = { ...ctx, bulk: true, changed: new Set() };
  const result = execute({ schema, document, rootValue: rootValue(bulkContext), contextValue: bulkContext });
  if (result instanceof Promise) throw new Error('the emulated resolvers are synchronous');
  if (result.errors?.length) return userError('INVALID', result.errors[0]!.message);
  const { lines, roots } = linesOf(result.data as Record<string, unknown>, args.groupObjects);
  const number = String((nextNumber += 1));
  const completesAt = now + ctx.shop.bulkRunMs;
  const op: BulkOperationRecord = {
    id: gid('BulkOperation', number),
    number,
    query: args.query,
    createdAt: now,
    completesAt,
    expiresAt: completesAt + (ctx.shop.bulkUrlTtlMs ?? SEVEN_DAYS_MS),
    seen: false,
    file: Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'),
    objectCount: lines.length,
    rootObjectCount: roots,
    downloads: 0,
    bytesServed: 0,
  };
  ctx.app.bulkOperations.push(op);
  return { bulkOperation: view(ctx, { ...op, seen: false }), userErrors: [] };
}

/** The bulk operation fields of the root value (shopify-resolvers.ts). */
export function bulkOperationRoot(ctx: ResolverContext) {
  return {
    bulkOperationRunQuery: (args: { query: string; groupObjects: boolean }) => runQuery(args, ctx),
    currentBulkOperation: (args: { type?: string }) => {
      requireScope(ctx, 'read_customers', 'currentBulkOperation');
      const op = args.type === 'MUTATION' ? undefined : ctx.app.bulkOperations.at(-1);
      return op ? view(ctx, op) : null;
    },
    bulkOperation: ({ id }: { id: string }) => {
      if (!versionAtLeast(ctx, '2026-01'))
        throw new GraphQLError("Field 'bulkOperation' doesn't exist on type 'QueryRoot'");
      requireScope(ctx, 'read_customers', 'bulkOperation');
      const op = ctx.app.bulkOperations.find((o) => o.id === id);
      return op ? view(ctx, op) : null;
    },
  };
}

function sendXmlError(ctx: RequestContext, status: number, code: string, message: string): void {
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  ctx.res.writeHead(status, { 'Content-Type': 'application/xml; charset=UTF-8' });
  ctx.res.end(body);
}

const sameSignature = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** `GET /shopify-bulk/{shop}/{number}.jsonl?expires=…&signature=…`: a bulk operation's file. */
export function handleBulkDownload(ctx: RequestContext, shop: ShopifyShop | undefined, number: string): void {
  if (ctx.method !== 'GET') return sendXmlError(ctx, 405, 'MethodNotAllowed', 'Only GET is allowed.');
  const op =
    shop && [...shop.apps.values()].flatMap((a) => a.bulkOperations).find((o) => o.number === number);
  const expires = Number(ctx.url.searchParams.get('expires'));
  const signature = ctx.url.searchParams.get('signature') ?? '';
  if (!shop || !op || !sameSignature(signature, signatureOf(shop.domain, number, expires)))
    return sendXmlError(ctx, 403, 'SignatureDoesNotMatch', 'Access denied.');
  if (Date.now() >= expires) return sendXmlError(ctx, 400, 'ExpiredToken', 'Invalid argument.');
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(ctx.req.headers.range ?? ''));
  const size = op.file.length;
  op.downloads += 1;
  if (!range) {
    op.bytesServed += size;
    ctx.res.writeHead(200, { 'Content-Type': 'application/jsonl', 'Content-Length': size });
    ctx.res.end(op.file);
    return;
  }
  const start = Number(range[1]);
  const end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
  if (start >= size || end < start) {
    ctx.res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    ctx.res.end();
    return;
  }
  op.bytesServed += end - start + 1;
  ctx.res.writeHead(206, {
    'Content-Type': 'application/jsonl',
    'Content-Length': end - start + 1,
    'Content-Range': `bytes ${start}-${end}/${size}`,
  });
  ctx.res.end(op.file.subarray(start, end + 1));
}
