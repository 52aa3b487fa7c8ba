const { app } = require('@azure/functions');
const { record } = require('./record');

app.hook.appStart((context) => {
  context.hookData.startedAt = Date.now();
  record({ type: 'appStart', functionAppDirectory: context.functionAppDirectory });
});

app.hook.preInvocation((context) => {
  context.hookData.pre = true;
  context.invocationContext.extraInputs.set('hookSaw', context.invocationContext.functionName);
});

app.hook.postInvocation((context) => {
  if (context.invocationContext.functionName === 'contextInfo') {
    record({
      type: 'postInvocation',
      pre: context.hookData.pre === true,
      hasResult: context.result !== undefined,
    });
  }
});

app.hook.appTerminate((context) => {
  record({ type: 'appTerminate', startedAtKept: typeof context.hookData.startedAt === 'number' });
});

// Log hooks can rewrite what is logged: the fixture scrubs messages that carry a marker.
app.hook.log((context) => {
  if (context.message.includes('[redact-me]')) context.message = '[redacted by log hook]';
});
