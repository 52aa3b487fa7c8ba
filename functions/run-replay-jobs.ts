import { app, InvocationContext } from '@azure/functions';
import { appServices, bulkReplayDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { runReplayTick } from '../shared/use-cases/operations/bulk-replay';

/**
 * Queue trigger on `%REPLAY_QUEUE_NAME%`: advances one bulk replay job for up to 20 seconds (its
 * in-flight requests settled, more released while the fleet gate has room beyond the live reserve),
 * then hands over to the next tick message. A stale tick (another one took over) is dropped.
 */
export async function runReplayJobs(message: unknown, context: InvocationContext): Promise<void> {
  const log = invocationLog(context);
  const result = await runReplayTick(message, bulkReplayDeps(appServices(), log));
  if (result.kind === 'dropped') log.info('replay.tick_dropped', { reason: result.reason });
}

app.storageQueue('runReplayJobs', {
  queueName: '%REPLAY_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: runReplayJobs,
});
