import { app, InvocationContext } from '@azure/functions';
import { appServices } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import {
  dropEndedPayloads,
  purgeExpiredFoEvents,
  purgeExpiredLinks,
  purgeExpiredRecords,
  purgeExpiredUploads,
} from '../shared/use-cases/retention';
import { reportPrivacyDue } from '../shared/use-cases/privacy-due';

/**
 * Hourly: deletes status records (and the keys and requests they hold) past RECORD_RETENTION_DAYS,
 * drops the request of failed / needs_review records FAILED_REQUEST_RETENTION_DAYS after they
 * ended, deletes customer links unchanged for LINK_RETENTION_DAYS, F&O data events (their
 * changes) past FO_EVENTS_RETENTION_DAYS and what is left of uploaded CSV exports (backfill pages of a
 * job that never ended) FAILED_REQUEST_RETENTION_DAYS after the upload. Then reports the open
 * privacy requests and those due soon or past due (metrics; the workbook tile and the alert).
 */
export async function purgeRecords(_timer: unknown, context: InvocationContext): Promise<void> {
  const { config, statusStore, links, telemetry, foEvents, backfill } = appServices();
  const log = invocationLog(context);
  await purgeExpiredRecords({ statusStore, log, retentionDays: config.retentionDays });
  await dropEndedPayloads({ statusStore, log, retentionDays: config.failedRequestRetentionDays });
  await purgeExpiredLinks({ links, log, retentionDays: config.linkRetentionDays });
  await purgeExpiredFoEvents({ ledger: foEvents.ledger, log, retentionDays: config.foEvents.retentionDays });
  await purgeExpiredUploads({
    uploads: backfill.uploads,
    log,
    retentionDays: config.failedRequestRetentionDays,
  });
  await reportPrivacyDue({ statusStore, telemetry, log, dueAlertDays: config.privacy.dueAlertDays });
}

app.timer('purgeRecords', { schedule: '0 17 * * * *', handler: purgeRecords });
