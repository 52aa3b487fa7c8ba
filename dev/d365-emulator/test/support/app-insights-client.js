// The real Application Insights SDK (v3) in a process of its own, set up as the app's host does: the
// emulator's CA is trusted through NODE_EXTRA_CA_CERTS. Environment: APPLICATIONINSIGHTS_CONNECTION_STRING,
// EVENT_NAME. Tracks one event, flushes, prints `flushed <ms since start>`, then keeps running (the SDK
// pings Live Metrics every few seconds) until its stdin closes; then shuts the SDK down and exits.
const appInsights = require('applicationinsights');

const started = Date.now();
appInsights.setup(process.env.APPLICATIONINSIGHTS_CONNECTION_STRING).start();
const client = appInsights.defaultClient;
client.trackEvent({ name: process.env.EVENT_NAME, properties: { a: 'b' } });
client.flush().then(
  () => console.log(`flushed ${Date.now() - started}`),
  (error) => {
    console.error(`flush failed: ${error}`);
    process.exitCode = 1;
  },
);

process.stdin.resume();
process.stdin.on('end', () => {
  client.shutdown().then(
    () => process.exit(),
    (error) => {
      console.error(`shutdown failed: ${error}`);
      process.exit(1);
    },
  );
});
