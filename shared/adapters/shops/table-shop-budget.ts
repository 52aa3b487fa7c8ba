import { RestError, TableClient } from '@azure/data-tables';
import { book, BudgetState, changesNothing, merge } from '../../domain/shop-budget';
import { ShopBudget } from '../../ports';

/** Shop budgets live in the status table, one partition each: `~shop-budget-<shop>`, row ''. */
export const SHOP_BUDGET_PARTITION_PREFIX = '~shop-budget-';

interface BudgetRow {
  partitionKey: string;
  rowKey: string;
  /** JSON BudgetState. No `createdAt`: retention's age queries never match these rows. */
  state: string;
}

const is = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A row key for a shop: Table keys may not hold `/ \ # ?`. */
const partitionOf = (shop: string): string =>
  `${SHOP_BUDGET_PARTITION_PREFIX}${shop.replace(/[/\\#?]/g, '_')}`;

export interface ShopBudgetOptions {
  /** The share of a shop's bucket or window the sync may spend (0–1); the rest is the reserve. */
  share: number;
  now?: () => number;
}

/**
 * ShopBudget over one Table entity per shop, changed only with its ETag: two instances that read the
 * same state cannot both book the last points above the reserve (the second one's write fails with
 * 412, it reads again and decides again). So the reserve holds across the fleet, not just per host.
 * Within an instance, bookings and observations of one shop go one at a time (they would only
 * conflict with each other), and an answer that lowers nothing is not written.
 */
export function tableShopBudget(table: () => Promise<TableClient>, options: ShopBudgetOptions): ShopBudget {
  const now = options.now ?? Date.now;
  const queues = new Map<string, Promise<unknown>>();
  /** Runs `step` after this instance's earlier steps for the same shop. */
  const inTurn = <T>(shop: string, step: () => Promise<T>): Promise<T> => {
    const previous = queues.get(shop) ?? Promise.resolve();
    const next = previous.then(step, step);
    queues.set(
      shop,
      next.catch(() => undefined),
    );
    return next;
  };

  const read = async (client: TableClient, shop: string) => {
    try {
      const row = await client.getEntity<BudgetRow>(partitionOf(shop), '');
      return { state: JSON.parse(row.state) as BudgetState, etag: row.etag };
    } catch (error) {
      if (is(error, 404)) return undefined;
      throw error;
    }
  };

  /** Writes `state` if the row is still as read (`etag`) or still absent; false when another wrote first. */
  const write = async (client: TableClient, shop: string, state: BudgetState, etag?: string) => {
    const row: BudgetRow = { partitionKey: partitionOf(shop), rowKey: '', state: JSON.stringify(state) };
    try {
      if (etag) await client.updateEntity(row, 'Replace', { etag });
      else await client.createEntity(row);
      return true;
    } catch (error) {
      if (is(error, 409, 412, 404)) return false;
      throw error;
    }
  };

  return {
    async take(shop, cost, maxWaitMs) {
      const client = await table();
      const deadline = now() + maxWaitMs;
      for (;;) {
        const decided = await inTurn(shop, async () => {
          const current = await read(client, shop);
          if (!current) return { kind: 'unknown' } as const;
          const booking = book(current.state, cost, options.share, now());
          if (booking.kind === 'wait') return booking;
          return (await write(client, shop, booking.state, current.etag))
            ? ({ kind: 'taken' } as const)
            : undefined;
        });
        if (decided === undefined) continue; // another instance wrote first: decide again
        if (decided.kind !== 'wait') return decided;
        const retryAt = now() + decided.waitMs;
        if (retryAt > deadline) return { kind: 'wait', retryAt };
        await sleep(decided.waitMs);
      }
    },
    async observe(shop, seen) {
      const client = await table();
      await inTurn(shop, async () => {
        for (let attempt = 0; attempt < 5; attempt += 1) {
          const current = await read(client, shop);
          const next = merge(current?.state, seen, now());
          if (current && changesNothing(current.state, next, now())) return;
          if (await write(client, shop, next, current?.etag)) return;
        }
      });
    },
  };
}
