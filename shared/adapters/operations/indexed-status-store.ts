import { attentionEntryOf, AttentionEntry, sameEntry } from '../../domain/operations/attention';
import { openFailureKeyOf } from '../../domain/operations/superseded';
import type { StatusRecord } from '../../domain/status';
import type { OperationsIndex, StatusStore } from '../../ports';

export interface IndexedStoreOptions {
  /** Told about an index write that failed after its status write (logged; the status stays right). */
  onIndexError?: (error: unknown, correlationId: string) => void;
  /** How often an index write is tried (default 3), with a short pause between tries. */
  attempts?: number;
  /**
   * Told when a request's write as `succeeded` starts (the record before it, with its payload, and
   * the write, which it awaits before it changes anything), with this store: automatic resolution of
   * the customer's earlier failures, whose read runs beside the write (issue 33: one storage round
   * trip less after the ending). The write's answer waits for it. Its errors are reported like an
   * index write's; when the write itself fails, it has changed nothing and is not reported.
   */
  onSucceeded?: (before: StatusRecord, after: Promise<StatusRecord>, store: StatusStore) => Promise<void>;
}

/**
 * The status store that keeps the operations index (issue 31) in step: after every write of a
 * record, the record's row moves to the view its new state belongs to (shared/domain/operations/
 * attention.ts), so every path that ends, retries, replays, resolves or purges a request keeps the
 * index without knowing of it. The status record is the truth and is written first; a request
 * that needs no attention (on its way, or succeeded without a retry) costs no index call at all.
 *
 * An index write that still fails after its tries is reported, not thrown: the status change it
 * follows has happened and must not be undone or retried. The row is mended the next time the
 * record changes, or by an operator's action on it (operations use-cases read the record itself).
 */
export function indexedStatusStore(
  inner: StatusStore,
  index: OperationsIndex,
  options: IndexedStoreOptions = {},
): StatusStore {
  const attempts = options.attempts ?? 3;
  const move = async (before: AttentionEntry | undefined, after: AttentionEntry | undefined) => {
    if (sameEntry(before, after)) return;
    // A row that moves within its view keeps its key: one replace.
    if (
      before !== undefined &&
      (after === undefined || after.view !== before.view || after.rowKey !== before.rowKey)
    )
      await index.remove(before);
    if (after !== undefined) await index.put(after);
  };
  /** Runs an index change, tried `times` times; still failing: reported, never thrown. */
  const tried = async (correlationId: string, change: () => Promise<void>, times = attempts) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await change();
        return;
      } catch (error) {
        if (attempt >= times) {
          options.onIndexError?.(error, correlationId);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** (attempt - 1)));
      }
    }
  };
  const keep = (
    correlationId: string,
    before: AttentionEntry | undefined,
    after: AttentionEntry | undefined,
  ) => tried(correlationId, () => move(before, after));
  /** The customer's open-failure row follows the record into and out of failed / needs_review. */
  const keepOpen = async (before: StatusRecord | undefined, after: StatusRecord | undefined) => {
    const from = before && openFailureKeyOf(before);
    const to = after && openFailureKeyOf(after);
    if (from === to) return;
    const { correlationId, createdAt } = (after ?? before)!;
    await tried(correlationId, async () => {
      if (from !== undefined) await index.removeOpen(from, correlationId);
      if (to !== undefined) await index.putOpen(to, { correlationId, createdAt });
    });
  };
  const store: StatusStore = {
    ...inner,
    async create(record) {
      const created = await inner.create(record);
      await keep(created.correlationId, undefined, attentionEntryOf(created));
      await keepOpen(undefined, created);
      return created;
    },
    async update(current: StatusRecord, changes) {
      const writing = inner.update(current, changes);
      const { onSucceeded } = options;
      const succeeding =
        onSucceeded && changes.status === 'succeeded' && current.status !== 'succeeded'
          ? tried(
              current.correlationId,
              () =>
                // A failed write changed nothing: the hook's failure (it awaited the write) is not an index error.
                onSucceeded(current, writing, store).catch((error: unknown) =>
                  writing.then(
                    () => Promise.reject(error),
                    () => undefined,
                  ),
                ),
              1,
            )
          : undefined;
      let next: StatusRecord;
      try {
        next = await writing;
      } catch (error) {
        await succeeding; // never rejects (tried)
        throw error;
      }
      await keep(current.correlationId, attentionEntryOf(current), attentionEntryOf(next));
      await keepOpen(current, next);
      await succeeding;
      return next;
    },
    async delete(record) {
      await inner.delete(record);
      await keep(record.correlationId, attentionEntryOf(record), undefined);
      await keepOpen(record, undefined);
    },
  };
  return store;
}
