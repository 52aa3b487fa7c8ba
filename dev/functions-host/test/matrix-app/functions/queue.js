const { app } = require('@azure/functions');
const { record } = require('./record');

app.storageQueue('queueWorker', {
  queueName: '%FIXTURE_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    record({ type: 'queue', message, dequeueCount: context.triggerMetadata.dequeueCount });
  },
});
