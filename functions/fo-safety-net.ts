import { randomUUID } from 'node:crypto';
import { app, InvocationContext } from '@azure/functions';
import { appServices, foSafetyNetDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { runSafetyNet } from '../shared/use-cases/fo-events/safety-net';

/**
 * Every 30 seconds, the F&O safety net (issue 29, shared/use-cases/fo-events/safety-net.ts): each
 * shop runs when its FO_SAFETY_NET_INTERVAL_SECONDS have passed, on one instance of the fleet (a
 * conditional write of the shop's row), so the tick only decides whether it is time.
 */
export async function foSafetyNet(_timer: unknown, context: InvocationContext): Promise<void> {
  const log = invocationLog(context);
  await runSafetyNet(foSafetyNetDeps(appServices(), log, `${context.invocationId}:${randomUUID()}`));
}

app.timer('foSafetyNet', { schedule: '*/30 * * * * *', handler: foSafetyNet });
