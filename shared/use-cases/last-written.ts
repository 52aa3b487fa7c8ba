import type { StatusRecord } from '../domain/status';
import type { StatusStore } from '../ports';

/**
 * A status store that remembers the record of one request as this invocation last wrote or read it:
 * the `Prefer: wait` intake answers with the record its own worker wrote at the end (the update's
 * answer is the stored record, ETag and all), instead of reading it back (issue 33: one storage
 * round trip less before the answer).
 */
export function watchedStatusStore(
  store: StatusStore,
  correlationId: string,
): { store: StatusStore; last(): StatusRecord | undefined } {
  let last: StatusRecord | undefined;
  const seen = (record: StatusRecord | undefined): StatusRecord | undefined => {
    if (record?.correlationId === correlationId) last = record;
    return record;
  };
  return {
    store: {
      ...store,
      create: async (record) => seen(await store.create(record))!,
      get: async (id) => seen(await store.get(id)),
      update: async (current, changes) => seen(await store.update(current, changes))!,
    },
    last: () => last,
  };
}
