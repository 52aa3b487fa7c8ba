import { Agent, createServer, IncomingMessage, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A counting proxy in front of Azurite: one port per service (Blob, Queue, Table), every request
 * forwarded unchanged and counted by service and REST operation, so that the bench can say how
 * many storage transactions a customer costs (Azure bills Storage per operation: one REST call is
 * one transaction; an entity group transaction counts as one, the way Azure meters `$batch`).
 */
export type StorageService = 'blob' | 'queue' | 'table';

export interface StorageCounts {
  total: number;
  byService: Record<StorageService, number>;
  /** `queue GetMessages`, `table InsertEntity`, … */
  byOperation: Record<string, number>;
  /**
   * Of the table calls, those on the fleet gate's partition (`~d365-gate`, named in the URL): reads
   * of the partition, and writes by key (replace, delete; a row's first insert names it only in its
   * body and is not counted here).
   */
  gate: { reads: number; writes: number };
}

/** One storage call as the proxy saw it (times: `performance.now()` of the bench's process). */
export interface StorageCall {
  operation: string;
  /** The table or queue (a table's name without the entity's keys), and a gate call marked `~d365-gate`. */
  resource: string;
  /** The request's path, decoded, without the account (the entity's keys, the message's ID): for traces. */
  path: string;
  /** The request arrived at the proxy. */
  start: number;
  /** The answer's last byte went back to the caller (the modelled delay included). */
  end: number;
  /** Azurite's answer (its status and headers) reached the proxy; NaN until then. */
  answered: number;
  /** The proxy began sending the answer on, after holding it `delayMs` (the hold as it came out); NaN until then. */
  forwarded: number;
}

export interface StorageCounterOptions {
  /**
   * The storage latency model: each call's answer is held back this long before it goes to the
   * caller, so that every round trip costs what it would against real storage (0: none).
   */
  delayMs?: number;
}

export interface StorageCounter {
  /** The connection string that sends every call through the proxy. */
  connectionString: string;
  counts(): StorageCounts;
  reset(): void;
  /** Starts (again) keeping every call's operation and times; `calls()` reads them. */
  record(): void;
  /** The calls since `record()`, in the order they arrived (empty when not recording). */
  calls(): StorageCall[];
  stop(): Promise<void>;
}

/** The REST operation of a storage request (Azure Storage REST API names). */
export function storageOperation(service: StorageService, method: string, url: string): string {
  const { pathname, searchParams } = new URL(url, 'http://x');
  const comp = searchParams.get('comp');
  const parts = pathname.split('/').filter(Boolean); // [account, resource, ...]
  if (service === 'queue') {
    if (parts[2] === 'messages') {
      if (method === 'GET') return searchParams.get('peekonly') === 'true' ? 'PeekMessages' : 'GetMessages';
      if (method === 'POST') return 'PutMessage';
      if (method === 'DELETE') return parts[3] ? 'DeleteMessage' : 'ClearMessages';
      if (method === 'PUT') return 'UpdateMessage';
    }
    if (comp === 'metadata')
      return method === 'GET' || method === 'HEAD' ? 'GetQueueMetadata' : 'SetQueueMetadata';
    if (comp === 'list') return 'ListQueues';
    if (method === 'PUT') return 'CreateQueue';
    if (method === 'DELETE') return 'DeleteQueue';
    return `${method} queue`;
  }
  if (service === 'table') {
    const resource = parts[1] ?? '';
    if (resource === '$batch') return 'EntityGroupTransaction';
    if (/^Tables/.test(resource))
      return method === 'POST' ? 'CreateTable' : method === 'DELETE' ? 'DeleteTable' : 'QueryTables';
    const keyed = /\(.+\)$/.test(resource) && !/\(\)$/.test(resource);
    if (method === 'POST') return 'InsertEntity';
    if (method === 'GET') return keyed ? 'GetEntity' : 'QueryEntities';
    if (method === 'PUT') return 'UpdateEntity';
    if (method === 'MERGE' || method === 'PATCH') return 'MergeEntity';
    if (method === 'DELETE') return 'DeleteEntity';
    return `${method} table`;
  }
  if (comp) return `${method} blob comp=${comp}`;
  if (parts.length <= 2) return method === 'PUT' ? 'CreateContainer' : `${method} container`;
  return method === 'PUT'
    ? 'PutBlob'
    : method === 'GET'
      ? 'GetBlob'
      : method === 'HEAD'
        ? 'GetBlobProperties'
        : `${method} blob`;
}

/** The table or queue a call names (`~d365-gate` added when it names the gate's partition). */
function resourceOf(url: string): string {
  const path = decodeURIComponent(new URL(url, 'http://x').pathname);
  const name = (path.split('/').filter(Boolean)[1] ?? '').replace(/\(.*$/, '');
  return path.includes("'~d365-gate'") || url.includes('d365-gate') ? `${name} ~d365-gate` : name;
}

/** The call's path without the account, decoded, with a query's filter (for traces: which entity, which message). */
function pathOf(url: string): string {
  const { pathname, searchParams } = new URL(url, 'http://x');
  const filter = searchParams.get('$filter');
  const path = decodeURIComponent(pathname).split('/').slice(2).join('/');
  return filter === null ? path : `${path}?$filter=${filter}`;
}

const ENDPOINT = { blob: 'BlobEndpoint', queue: 'QueueEndpoint', table: 'TableEndpoint' } as const;

/** Starts the proxy in front of the Azurite that `connectionString` names. */
export async function startStorageCounter(
  connectionString: string,
  options: StorageCounterOptions = {},
): Promise<StorageCounter> {
  const delayMs = options.delayMs ?? 0;
  let log: StorageCall[] | undefined;
  let counts: StorageCounts;
  const reset = (): void => {
    counts = {
      total: 0,
      byService: { blob: 0, queue: 0, table: 0 },
      byOperation: {},
      gate: { reads: 0, writes: 0 },
    };
  };
  reset();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const servers: Server[] = [];
  let proxied = connectionString;
  for (const service of ['blob', 'queue', 'table'] as const) {
    const match = new RegExp(`${ENDPOINT[service]}=(http://[^;/]+)(/[^;]*)?`).exec(connectionString);
    if (!match) throw new Error(`the connection string has no ${ENDPOINT[service]}`);
    const target = new URL(match[1]!);
    const server = createServer((req: IncomingMessage, res) => {
      const start = performance.now();
      counts.total += 1;
      counts.byService[service] += 1;
      const operation = `${service} ${storageOperation(service, req.method ?? 'GET', req.url ?? '/')}`;
      counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
      if (service === 'table' && decodeURIComponent(req.url ?? '').includes("'~d365-gate'"))
        counts.gate[req.method === 'GET' ? 'reads' : 'writes'] += 1;
      let call: StorageCall | undefined;
      if (log) {
        const logged: StorageCall = {
          operation,
          resource: resourceOf(req.url ?? '/'),
          path: pathOf(req.url ?? '/'),
          start,
          end: NaN,
          answered: NaN,
          forwarded: NaN,
        };
        log.push(logged);
        res.on('finish', () => (logged.end = performance.now()));
        call = logged;
      }
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (answer) => {
          if (call) call.answered = performance.now();
          const forward = (): void => {
            if (call) call.forwarded = performance.now();
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          };
          if (delayMs > 0) setTimeout(forward, delayMs);
          else forward();
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const port = (server.address() as AddressInfo).port;
    proxied = proxied.replace(match[1]!, `http://127.0.0.1:${port}`);
  }
  return {
    connectionString: proxied,
    counts: () => structuredClone(counts),
    reset,
    record: () => void (log = []),
    calls: () => (log ?? []).map((call) => ({ ...call })),
    async stop() {
      agent.destroy();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
