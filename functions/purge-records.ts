import { app, InvocationContext } from '@azure/functions';
import { appServices } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { purgeExpiredRecords } from '../shared/use-cases/retention';

/** Hourly: deletes status records (and the keys and requests they hold) past RECORD_RETENTION_DAYS. */
export async function purgeRecords(_timer: unknown, context: InvocationContext): Promise<void> {
  const { config, statusStore } = appServices();
  await purgeExpiredRecords({
    statusStore,
    log: invocationLog(context),
    retentionDays: config.retentionDays,
  });
}

app.timer('purgeRecords', { schedule: '0 17 * * * *', handler: purgeRecords });
