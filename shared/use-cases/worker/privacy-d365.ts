import { orderStamp, UpdateRequest } from '../../domain/customer-update';
import { D365Outcome, queryForRequest } from '../../domain/privacy';
import { isTerminal } from '../../domain/status';
import type { CustomerLink } from '../../ports';
import { acceptValidated } from '../accept-customer';
import { clock } from '../clock';
import { hasUpdateDeps, ProcessResult } from './deps';
import { comeBack, PrivacyWork, PrivacyWorkerDeps, saveState } from './privacy-job';

/**
 * The D365 side of an erasure (issue 27). F&O has no erase API, so per legal entity
 * (PRIVACY_ANONYMISE_LEGAL_ENTITIES) the linked customers are either **reported** (the request
 * names them for the merchant to handle in F&O) or **anonymised**: an update through the update
 * pipeline (its record, claim, gate slot and If-Match), asked once per customer (its
 * Idempotency-Key is derived from the privacy request), whose plan replaces the name, e-mail,
 * phone and address fields with the documented placeholders (update-plan.ts). The erasure waits
 * for those updates to end and records how each ended, with the fields D365 refused. A whole shop
 * (shop/redact) is reported: that is not one customer's erasure request.
 */
const LISTED = 100;

export async function d365Phase(
  job: PrivacyWork,
  deps: PrivacyWorkerDeps,
): Promise<ProcessResult | undefined> {
  const { state } = job;
  if (!state.d365Listed) {
    const links = deps.links ? await deps.links.findForSubject(queryForRequest(state), 10_000) : [];
    const linked = links.filter(
      (l): l is CustomerLink & { customerAccount: string } => l.customerAccount !== undefined,
    );
    state.d365Total = linked.length;
    state.d365 = [];
    for (const link of linked.slice(0, LISTED)) state.d365.push(await outcomeFor(job, link, deps));
    state.d365Listed = true;
    await saveState(job, deps);
  }
  const pending = await settleUpdates(job, deps);
  if (pending > 0)
    return comeBack(job, 5, `waiting for ${pending} D365 anonymisation update(s) to end`, deps);
  state.phase = 'erase';
  await saveState(job, deps, { lastError: undefined });
  return undefined;
}

async function outcomeFor(
  job: PrivacyWork,
  link: CustomerLink & { customerAccount: string },
  deps: PrivacyWorkerDeps,
): Promise<D365Outcome> {
  const { legalEntity, customerAccount } = link;
  const anonymise =
    job.state.subject.scope === 'customer' && hasUpdateDeps(deps) && deps.privacy.anonymiseIn(legalEntity);
  if (!anonymise) return { legalEntity, customerAccount, action: 'reported' };
  const updateId = await askAnonymisation(job, link, deps);
  return { legalEntity, customerAccount, action: 'anonymise', ...(updateId !== undefined && { updateId }) };
}

/** The anonymising update, accepted once (a repeat of this step finds the same record). */
async function askAnonymisation(
  job: PrivacyWork,
  link: CustomerLink & { customerAccount: string },
  deps: PrivacyWorkerDeps,
): Promise<string | undefined> {
  const now = clock(deps);
  const update: UpdateRequest = {
    Update: {
      legalEntity: link.legalEntity,
      customerAccount: link.customerAccount,
      source: link.source,
      ...(link.sourceCustomerId !== undefined && { sourceCustomerId: link.sourceCustomerId }),
      customer: {},
      stamp: orderStamp(now.getTime()),
      anonymise: true,
    },
  };
  const requestId = job.work.record.correlationId;
  const accepted = await acceptValidated(
    {
      request: update,
      fingerprint: `anonymise:${requestId}`,
      legalEntity: link.legalEntity,
      record: { kind: 'update', customerAccount: link.customerAccount, source: link.source },
    },
    deps,
    {
      idempotencyKey: `${requestId}:${link.legalEntity}:${link.customerAccount}`,
      caller: `privacy:${requestId}`,
      route: 'anonymise',
    },
    { now },
  );
  return accepted.kind === 'accepted' ? accepted.record.correlationId : undefined;
}

/** Reads how each anonymising update ended; how many have not ended yet. */
async function settleUpdates(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<number> {
  let pending = 0;
  for (const outcome of job.state.d365) {
    if (outcome.action !== 'anonymise' || outcome.status !== undefined) continue;
    const record = outcome.updateId ? await deps.statusStore.get(outcome.updateId) : undefined;
    if (record && !isTerminal(record.status)) {
      pending += 1;
      continue;
    }
    outcome.status = record?.status ?? 'failed';
    if (record?.outcome) outcome.outcome = record.outcome;
    if (record?.errorCode) {
      outcome.errorCode = record.errorCode;
      outcome.refused = refusedFields(record.errorMessage ?? '', deps);
    }
  }
  return pending;
}

/** The entity fields D365's (scrubbed) refusal names; every anonymised field when it names none. */
function refusedFields(message: string, deps: PrivacyWorkerDeps): string[] {
  const fields = deps.entityFields?.anonymisedFields ?? [];
  const named = fields.filter((field) => new RegExp(`\\b${field}\\b`).test(message));
  return named.length > 0 ? named : [...fields];
}
