import { randomUUID } from 'node:crypto';
import { app, InvocationContext } from '@azure/functions';
import { appServices, driftRepairDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { repairDrift } from '../shared/use-cases/drift/repair-drift';

/**
 * Every 30 seconds, drift repair (issue 30, shared/use-cases/drift/repair-drift.ts): each shop runs
 * when its DRIFT_REPAIR_INTERVAL_SECONDS have passed, on one instance of the fleet (a conditional
 * write of the shop's row), so the tick only decides whether it is time.
 */
export async function driftRepair(_timer: unknown, context: InvocationContext): Promise<void> {
  const log = invocationLog(context);
  await repairDrift(driftRepairDeps(appServices(), log, `${context.invocationId}:${randomUUID()}`));
}

app.timer('driftRepair', { schedule: '*/30 * * * * *', handler: driftRepair });
