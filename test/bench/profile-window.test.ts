import { groupOf, summarizeWindow, windowArea } from '../../bench/profile-window';

const REPO = '/work/repo';
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

/**
 * A whole-life profile: samples at 1000, 2000, ... µs after `startTime` (each delta the time since the
 * one before), of which the window keeps the middle ones.
 */
const profile = {
  startTime: 10_000,
  endTime: 20_000,
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 6, 7, 8] },
    // The SDK's signing policy calls node:crypto, which calls a native function.
    {
      id: 2,
      callFrame: frame('sign', `file://${REPO}/node_modules/@azure/data-tables/dist/sign.js`, 9),
      children: [3],
    },
    { id: 3, callFrame: frame('digest', 'node:internal/crypto/hash', 160), children: [4] },
    { id: 4, callFrame: frame('hmacDigest', '', -1) },
    // An I/O callback: node's own frames only.
    { id: 6, callFrame: frame('writevGeneric', 'node:internal/stream_base_commons', 120) },
    { id: 7, callFrame: frame('(idle)', '') },
    { id: 8, callFrame: frame('log', `file://${REPO}/dev/functions-host/dist/logger.js`, 69) },
  ],
  // at 11000 (before the window), 12000, 13000, 14000, 15000, 16000 (after it)
  samples: [8, 4, 3, 6, 7, 8],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('summarizeWindow', () => {
  const summary = summarizeWindow(profile, { fromUs: 11_500, toUs: 15_500, customers: 2 }, { repo: REPO });

  it('keeps only the samples inside the window, idle apart', () => {
    expect(summary.busyMs).toBe(3);
    expect(summary.idleMs).toBe(1);
  });

  it('charges self time to the code that ran (a native function to its JavaScript caller)', () => {
    expect(summary.byArea).toEqual([
      { name: 'node:crypto', msPerCustomer: 1, share: 0.667 },
      { name: 'node:stream_base_commons', msPerCustomer: 0.5, share: 0.333 },
    ]);
  });

  it('charges node internals to the package that called them, by caller', () => {
    expect(summary.byCaller).toEqual([
      { name: 'Azure SDK: storage clients (incl. request signing)', msPerCustomer: 1, share: 0.667 },
      { name: 'HTTP, sockets, streams (node, undici)', msPerCustomer: 0.5, share: 0.333 },
    ]);
  });
});

describe('areas and groups', () => {
  it('splits our host by role', () => {
    expect(windowArea(frame('log', `file://${REPO}/dev/functions-host/dist/logger.js`), REPO)).toBe(
      'host: logger',
    );
    expect(windowArea(frame('poll', `file://${REPO}/dev/functions-host/dist/queue-listener.js`), REPO)).toBe(
      'host: queue/timer listeners',
    );
  });

  it("groups areas by issue 33's questions", () => {
    expect(groupOf('our app (shared/adapters)')).toBe('our app (shared/adapters)');
    expect(groupOf('@azure/core-rest-pipeline')).toBe(
      'Azure SDK: core pipeline (policies, retries, serialisation)',
    );
    expect(groupOf('fast-xml-parser')).toBe('Azure SDK: XML');
    expect(groupOf('node:_http_client')).toBe('HTTP, sockets, streams (node, undici)');
    expect(groupOf('zod')).toBe('zod');
  });
});
