import type { Log, StatusStore, Telemetry } from '../ports';
import { clock } from './clock';

export interface PrivacyDueDeps {
  statusStore: StatusStore;
  telemetry: Telemetry;
  log: Log;
  /** PRIVACY_DUE_ALERT_DAYS: an open request due within this many days is `due soon`. */
  dueAlertDays: number;
  now?: () => Date;
}

export interface PrivacyDueCounts {
  open: number;
  dueSoon: number;
  pastDue: number;
}

/** More open privacy requests than any merchant should have: the count says "at least". */
export const PRIVACY_DUE_SCAN_LIMIT = 5000;

const DAY_MS = 86_400_000;

/**
 * Proof for the merchant (issue 27): how many privacy requests are open, how many are due within
 * `dueAlertDays` and how many are past their due date (30 days after receipt), per type, as the
 * metrics `PrivacyRequestsOpen`, `PrivacyRequestsDueSoon` and `PrivacyRequestsPastDue` (the
 * workbook tile and the "privacy request due" alert read them). Run by the hourly purgeRecords
 * timer: one query of the status table, and due dates move in days, not minutes. Every type is
 * reported, with 0 too, so that a chart and an alert see the count go back down.
 */
export async function reportPrivacyDue(deps: PrivacyDueDeps): Promise<PrivacyDueCounts> {
  const now = clock(deps).getTime();
  const soon = now + deps.dueAlertDays * DAY_MS;
  const open = await deps.statusStore.findOpenPrivacyRequests(PRIVACY_DUE_SCAN_LIMIT);
  const totals: PrivacyDueCounts = { open: 0, dueSoon: 0, pastDue: 0 };
  for (const type of ['erase', 'export'] as const) {
    const ofType = open.filter((r) => r.kind === type);
    const due = ofType.map((r) => Date.parse(r.dueAt ?? ''));
    const counts = {
      open: ofType.length,
      pastDue: due.filter((at) => at <= now).length,
      dueSoon: due.filter((at) => at > now && at <= soon).length,
    };
    const properties = { type };
    deps.telemetry.trackMetric({ name: 'PrivacyRequestsOpen', value: counts.open, properties });
    deps.telemetry.trackMetric({ name: 'PrivacyRequestsDueSoon', value: counts.dueSoon, properties });
    deps.telemetry.trackMetric({ name: 'PrivacyRequestsPastDue', value: counts.pastDue, properties });
    totals.open += counts.open;
    totals.dueSoon += counts.dueSoon;
    totals.pastDue += counts.pastDue;
  }
  for (const record of open)
    if (Date.parse(record.dueAt ?? '') <= now)
      deps.log.warn('privacy.past_due', { correlationId: record.correlationId, status: record.status });
  return totals;
}
