import {
  erasureMarkKey,
  holdsCustomerData,
  isEmptyQuery,
  PrivacyState,
  SOURCE_WIDE,
  queryForRequest,
  stillWorking,
  SubjectQuery,
  uploadedCustomerMatches,
} from '../../domain/privacy';
import { StatusRecord } from '../../domain/status';
import { CustomerLink, CustomerLinkKey, StatusConflictError } from '../../ports';
import { clock, secondsUntil } from '../clock';
import type { ProcessResult } from './deps';
import { comeBack, complete, PrivacyWork, PrivacyWorkerDeps, saveState, sliceUsed } from './privacy-job';
import { d365Phase } from './privacy-d365';
import { forgetShopAccount } from './privacy-shops';

/**
 * An erasure (issue 27): everything the app holds about a customer (or, `scope: source`, about
 * every customer of one shop), in five steps, each saved before the next:
 * 1. `mark`: the customer links found widen the identifiers (references, accounts, e-mail keys);
 *    an erasure mark per source customer (per shop for shop/redact) keeps later deliveries out.
 * 2. `wait`: a create or update of the customer still in flight finishes first (it is created once
 *    in D365); the request comes back until none is left.
 * 3. `d365`: the linked D365 customers are reported, or anonymised through the update pipeline
 *    (privacy-d365.ts).
 * 4. `erase`: in batches, each record keeps only its facts (status, codes, times, fingerprint:
 *    exactly once still holds), each link goes (the account we wrote into its shop customer
 *    first: privacy-shops.ts), the F&O data events held of its D365 accounts, and the claims of
 *    those requests with them; after the last batch, its rows in uploaded exports (CSV backfill). A batch is saved as
 *    under way before it starts, so a successor of an instance killed inside it counts what of it
 *    is gone (the proof's counts stay exact).
 * 5. `recheck`: once the marks have stood long enough for any intake that missed them to have
 *    written its record, a last look; anything found goes round again.
 */
export async function runErase(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<ProcessResult> {
  for (;;) {
    const stop = await step(job, deps);
    if (stop) return stop;
  }
}

/** Most rounds of erase → recheck before the request gives up (data keeps arriving). */
const MAX_ROUNDS = 5;

function step(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<ProcessResult | undefined> {
  switch (job.state.phase) {
    case 'mark':
      return markPhase(job, deps);
    case 'wait':
      return waitPhase(job, deps);
    case 'd365':
      return d365Phase(job, deps);
    case 'erase':
      return erasePhase(job, deps);
    case 'recheck':
      return recheckPhase(job, deps);
    case 'done':
      return complete(job, deps);
  }
}

async function advance(
  job: PrivacyWork,
  phase: PrivacyState['phase'],
  deps: PrivacyWorkerDeps,
): Promise<undefined> {
  job.state.phase = phase;
  await saveState(job, deps, { lastError: undefined });
  return undefined;
}

const batchOf = (deps: PrivacyWorkerDeps): number => deps.privacy.batchSize ?? 100;

async function markPhase(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<undefined> {
  const { state } = job;
  const query = queryForRequest(state);
  if (state.subject.scope === 'customer') state.expanded = await widen(query, deps);
  const keys =
    state.subject.scope === 'source'
      ? [erasureMarkKey(query.source ?? '', SOURCE_WIDE)]
      : (state.expanded?.references ?? []).map((r) => erasureMarkKey(r.source, r.sourceCustomerId));
  const at = clock(deps).toISOString();
  for (const key of keys) await deps.privacy.erasureMarks.mark(key, job.work.record.correlationId, at);
  state.marks = [...new Set([...state.marks, ...keys])];
  state.markedAt = at;
  return advance(job, 'wait', deps);
}

/** The query's identifiers and those of the customer links it finds (one step: a link names its customer). */
async function widen(
  query: SubjectQuery,
  deps: PrivacyWorkerDeps,
): Promise<NonNullable<PrivacyState['expanded']>> {
  const links = deps.links ? await deps.links.findForSubject(query, batchOf(deps)) : [];
  const references = [...(query.references ?? [])];
  const accounts = [...(query.accounts ?? [])];
  const emailKeys = new Set(query.emailKeys ?? []);
  for (const link of links) {
    if (link.sourceCustomerId !== undefined)
      references.push({ source: link.source, sourceCustomerId: link.sourceCustomerId });
    if (link.customerAccount !== undefined)
      accounts.push({ legalEntity: link.legalEntity, customerAccount: link.customerAccount });
    if (link.emailKey !== undefined) emailKeys.add(link.emailKey);
  }
  const unique = <T>(items: T[]): T[] => [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
  return { references: unique(references), accounts: unique(accounts), emailKeys: [...emailKeys] };
}

async function waitPhase(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<ProcessResult | undefined> {
  const inFlight = await deps.statusStore.findHolding({ ...queryForRequest(job.state), inFlight: true }, 10);
  if (inFlight.length === 0) return advance(job, job.state.d365Listed ? 'erase' : 'd365', deps);
  const due = inFlight.map((r) => secondsUntil(deps, r.nextAttemptAt ?? r.leaseUntil));
  const delay = Math.min(60, Math.max(2, Math.min(...due)));
  const reason = `waiting for ${inFlight.length}${inFlight.length === 10 ? '+' : ''} request(s) of the customer in flight to end`;
  return comeBack(job, delay, reason, deps);
}

async function erasePhase(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<ProcessResult | undefined> {
  const query = queryForRequest(job.state);
  const batch = batchOf(deps);
  await countInterruptedBatch(job, deps);
  for (;;) {
    const records = await deps.statusStore.findHolding(query, batch);
    if (records.some(stillWorking)) return advance(job, 'wait', deps); // written since
    const links = deps.links ? await deps.links.findForSubject(query, batch) : [];
    if (records.length + links.length > 0) {
      job.state.batch = { records: records.map((r) => r.correlationId), links: links.flatMap(linkKey) };
      await saveState(job, deps);
    }
    const done = await eraseBatch(job, records, links, deps);
    job.state.batch = undefined;
    await saveState(job, deps);
    if (records.length < batch && links.length < batch) {
      await forgetUploadedRows(job.state, query, deps);
      return advance(job, 'recheck', deps);
    }
    if (done === 0) return comeBack(job, 5, 'items changed while they were being erased', deps);
    if (sliceUsed(job, deps)) return comeBack(job, 1, 'erasing in batches', deps);
  }
}

const count = (state: PrivacyState, store: string, n: number): void => {
  state.erased[store] = (state.erased[store] ?? 0) + n;
};

const linkKey = (link: CustomerLink): CustomerLinkKey[] => {
  if (link.sourceCustomerId !== undefined)
    return [{ kind: 'reference', source: link.source, sourceCustomerId: link.sourceCustomerId }];
  if (link.customerAccount !== undefined)
    return [{ kind: 'account', legalEntity: link.legalEntity, customerAccount: link.customerAccount }];
  return [];
};

/**
 * A batch saved as under way means the instance working it was killed inside it (its counts were
 * never saved): what of it is gone now was erased by that instance, and is counted here; the rest
 * is found again by the next batch and counted there. The proof's counts stay exact across kills.
 */
async function countInterruptedBatch(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<void> {
  const { batch } = job.state;
  if (!batch) return;
  let records = 0;
  for (const id of batch.records) {
    const record = await deps.statusStore.get(id);
    if (record?.erasedAt !== undefined && !holdsCustomerData(record)) records += 1;
  }
  let links = 0;
  for (const key of batch.links) if (deps.links && !(await deps.links.get(key))) links += 1;
  count(job.state, 'statusRecords', records);
  count(job.state, 'customerLinks', links);
  job.state.batch = undefined;
  await saveState(job, deps);
}

/** One batch: the records keep their facts only, the links go, and the claims of those requests. */
async function eraseBatch(
  job: PrivacyWork,
  records: StatusRecord[],
  links: CustomerLink[],
  deps: PrivacyWorkerDeps,
): Promise<number> {
  const at = clock(deps).toISOString();
  let done = 0;
  for (const record of records) if (await skipConflict(() => eraseRecord(record, at, deps))) done += 1;
  count(job.state, 'statusRecords', done);
  await forgetFoEvents(job.state, [...(job.state.expanded?.accounts ?? []), ...links], deps);
  let linksGone = 0;
  for (const link of links) {
    await forgetShopAccount(job.state, link, deps); // before the link that names it goes
    if (await skipConflict(() => deps.links!.delete(link))) linksGone += 1;
  }
  count(job.state, 'customerLinks', linksGone);
  const owners = new Set([
    ...records.map((r) => r.correlationId),
    ...links.map((l) => l.createCorrelationId),
  ]);
  count(job.state, 'claims', await deps.identityClaims.releaseOwnedBy(owners));
  return done + linksGone;
}

/**
 * The F&O data events held of the customer's D365 accounts (issue 29): their rows (the changes,
 * personal data) and state rows go; a queued message naming one then writes nothing (apply-to-shop.ts).
 */
async function forgetFoEvents(
  state: PrivacyState,
  accounts: { legalEntity: string; customerAccount?: string }[],
  deps: PrivacyWorkerDeps,
): Promise<void> {
  const foEvents = deps.privacy.foEvents;
  if (!foEvents) return;
  const keys = new Set(
    accounts.flatMap((a) =>
      a.customerAccount ? [`${a.legalEntity.toUpperCase()}\n${a.customerAccount}`] : [],
    ),
  );
  for (const key of keys) {
    const [legalEntity, customerAccount] = key.split('\n') as [string, string];
    count(state, 'foEvents', await foEvents.forgetCustomer(legalEntity, customerAccount));
  }
}

/**
 * The customer's rows in uploaded exports not read yet (issue 30, the CSV backfill's pages): taken out
 * of their pages, once a round, after the records and links (whose identifiers widened the query).
 * The rest of each page stays: it is other customers' valid data, and its job reads it still (a
 * queued customer of the erased one's would be refused by the erasure mark anyway).
 */
async function forgetUploadedRows(
  state: PrivacyState,
  query: SubjectQuery,
  deps: PrivacyWorkerDeps,
): Promise<void> {
  const uploads = deps.privacy.backfillUploads;
  if (!uploads || isEmptyQuery(query)) return;
  const gone = await uploads.forgetCustomers((customer, source) =>
    uploadedCustomerMatches(customer, source, query),
  );
  count(state, 'backfillUploads', gone); // saved with the step that follows
}

/** Runs a write; false when the item changed meanwhile (it is found again by the next batch). */
async function skipConflict(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof StatusConflictError) return false;
    throw error;
  }
}

/** A record without the customer: no request, no identifiers; its status, codes, times and fingerprint stay. */
export function eraseRecord(
  record: StatusRecord,
  at: string,
  deps: PrivacyWorkerDeps,
): Promise<StatusRecord> {
  return deps.statusStore.update(record, {
    payload: undefined,
    originalPayload: undefined,
    resolutionNote: undefined,
    sourceCustomerId: undefined,
    customerAccount: undefined,
    existingAccounts: undefined,
    emailKey: undefined,
    matchedOn: undefined,
    addresses: undefined,
    errorMessage: undefined,
    lastError: undefined,
    erasedAt: at,
  });
}

async function recheckPhase(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<ProcessResult | undefined> {
  const { state } = job;
  const settle = deps.privacy.settleSeconds ?? 60;
  const wait = secondsUntil(deps, Date.parse(state.markedAt ?? state.receivedAt) + settle * 1000);
  if (wait > 0)
    return comeBack(job, wait, 'a last look for data written since, once the marks have settled', deps);
  const query = queryForRequest(state);
  const left = [
    ...(await deps.statusStore.findHolding(query, 1)),
    ...(deps.links ? await deps.links.findForSubject(query, 1) : []),
  ];
  if (left.length === 0) return complete(job, deps);
  state.rounds += 1;
  state.phase = 'wait';
  if (state.rounds > MAX_ROUNDS) return comeBack(job, 60, 'data of the customer keeps arriving', deps);
  return advance(job, 'wait', deps);
}
