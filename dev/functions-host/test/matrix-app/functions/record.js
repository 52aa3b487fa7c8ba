// Not a function: the side channel through which the fixture's functions tell the tests what they saw.
const { appendFileSync } = require('node:fs');

/** Appends one JSON line to the file named by FIXTURE_EVENTS_FILE (when set). */
function record(event) {
  const file = process.env.FIXTURE_EVENTS_FILE;
  if (file) appendFileSync(file, `${JSON.stringify({ at: Date.now(), ...event })}\n`);
}

module.exports = { record };
