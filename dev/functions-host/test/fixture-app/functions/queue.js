const { setTimeout: delay } = require('node:timers/promises');
const { app, output } = require('@azure/functions');
const { record } = require('./record');

let running = 0;

app.storageQueue('queueWorker', {
  queueName: '%FIXTURE_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    running += 1;
    const metadata = context.triggerMetadata;
    record({
      type: 'queue',
      invocationId: context.invocationId,
      messageType: typeof message,
      message,
      metadata,
      running,
    });
    try {
      const sleepMs = typeof message === 'object' && message !== null ? Number(message.sleepMs ?? 0) : 0;
      if (sleepMs > 0) await delay(sleepMs);
      const failUntil =
        typeof message === 'object' && message !== null ? Number(message.failUntilDequeueCount ?? 0) : 0;
      if (metadata.dequeueCount <= failUntil)
        throw new Error(`failing on purpose at dequeue ${metadata.dequeueCount}`);
    } finally {
      running -= 1;
    }
    record({ type: 'queue-done', invocationId: context.invocationId, id: metadata.id });
  },
});

const queueOutput = output.storageQueue({
  queueName: '%FIXTURE_OUTPUT_QUEUE%',
  connection: 'AzureWebJobsStorage',
});

app.http('enqueue', {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'enqueue',
  extraOutputs: [queueOutput],
  handler: async (request, context) => {
    context.extraOutputs.set(queueOutput, await request.json());
    return { status: 202 };
  },
});
