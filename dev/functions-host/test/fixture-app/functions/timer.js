const { app } = require('@azure/functions');
const { record } = require('./record');

app.timer('fixtureTimer', {
  schedule: '%FIXTURE_TIMER_SCHEDULE%',
  handler: async (timer, context) => {
    record({ type: 'timer', timer, invocationId: context.invocationId });
  },
});
