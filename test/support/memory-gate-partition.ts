import type { GateRow, GateRows } from '../../shared/adapters/d365/gate-rows';

/** The gate partition in memory, as storage would keep it (ETags, conditional writes), shared by instances. */
export function memoryPartition() {
  const rows = new Map<string, GateRow>();
  let etags = 0;
  const io = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** One instance's view: counts its calls, the most in flight at once, and its takes that lost a race. */
  const instance = () => {
    const calls = { list: 0, write: 0, lostRaces: 0, listsInFlight: 0, maxListsInFlight: 0 };
    const port: GateRows = {
      async list() {
        calls.list += 1;
        calls.maxListsInFlight = Math.max(calls.maxListsInFlight, ++calls.listsInFlight);
        await io();
        calls.listsInFlight -= 1;
        return [...rows.values()].map((row) => ({ ...row }));
      },
      async write(row, etag) {
        calls.write += 1;
        await io();
        const current = rows.get(row.rowKey);
        if (etag === undefined ? current !== undefined : current?.etag !== etag) {
          if (row.holder !== '') calls.lostRaces += 1;
          return undefined;
        }
        const written = { ...row, etag: `e${++etags}` };
        rows.set(row.rowKey, written);
        return written.etag;
      },
      async upsert(row) {
        await io();
        rows.set(row.rowKey, { ...row, etag: `e${++etags}` });
      },
      async remove(rowKey, etag) {
        await io();
        if (rows.get(rowKey)?.etag === etag) rows.delete(rowKey);
      },
    };
    return { port, calls };
  };
  return { rows, instance };
}
