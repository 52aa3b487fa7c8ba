const { app } = require('@azure/functions');
const { record } = require('./record');

app.timer('matrixTimer', {
  schedule: '%FIXTURE_TIMER_SCHEDULE%',
  handler: async (timer) => {
    record({ type: 'timer', isPastDue: timer.isPastDue, next: timer.scheduleStatus?.next ?? null });
  },
});
