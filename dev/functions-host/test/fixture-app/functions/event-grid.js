const { app } = require('@azure/functions');
const { record } = require('./record');

// An Event Grid trigger: records each event it is given; an event whose data says `fail` throws.
app.eventGrid('gridWorker', {
  handler: async (event, context) => {
    record({ type: 'grid', invocationId: context.invocationId, event, metadata: context.triggerMetadata });
    if (event && event.data && event.data.fail) throw new Error('failing on purpose');
  },
});
