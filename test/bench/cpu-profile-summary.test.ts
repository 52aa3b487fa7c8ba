import { areaOf, summarizeCpuProfile } from '../../bench/probe';

const REPO = '/work/repo';

/** A profile in the inspector's format: nodes with call frames, samples of node ids, deltas in µs. */
const profile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3, 6, 7] },
    {
      id: 2,
      callFrame: {
        functionName: 'log',
        url: `file://${REPO}/dev/functions-host/dist/logger.js`,
        lineNumber: 69,
      },
      children: [5],
    },
    {
      id: 3,
      callFrame: {
        functionName: 'safeParse',
        url: `file://${REPO}/node_modules/zod/v4/classic/schemas.cjs`,
        lineNumber: 267,
      },
    },
    { id: 5, callFrame: { functionName: 'writeUtf8String', url: '', lineNumber: -1 } },
    { id: 6, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    { id: 7, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
  ],
  // Each sample stands for the delta that follows it.
  samples: [5, 5, 3, 6, 6, 7, 2],
  timeDeltas: [0, 1000, 1000, 1000, 4000, 4000, 500, 500],
};

describe('summarizeCpuProfile', () => {
  const summary = summarizeCpuProfile(profile, { repo: REPO, file: 'x.cpuprofile' });

  it('counts busy and idle time apart', () => {
    expect(summary.busyMs).toBe(4);
    expect(summary.idleMs).toBe(8);
  });

  it('ranks functions by self time and charges a native function to its JavaScript caller', () => {
    expect(summary.top.map((f) => [f.functionName, f.location, f.selfMs])).toEqual([
      ['writeUtf8String (native, from log)', 'dev/functions-host/dist/logger.js:70', 2],
      ['safeParse', 'zod/v4/classic/schemas.cjs:268', 1],
      ['(garbage collector)', '', 0.5],
      ['log', 'dev/functions-host/dist/logger.js:70', 0.5],
    ]);
    expect(summary.top[0]!.share).toBe(0.5);
  });

  it('sums self time by area: our host, a package, the GC', () => {
    expect(summary.byArea).toEqual([
      { area: 'our host (dev/functions-host)', selfMs: 2.5, share: 0.625 },
      { area: 'zod', selfMs: 1, share: 0.25 },
      { area: 'GC', selfMs: 0.5, share: 0.125 },
    ]);
  });
});

describe('areaOf', () => {
  it.each([
    ['createCustomer', `file://${REPO}/dist/functions/create-customer.js`, 'our app (functions)'],
    [
      'acceptCustomer',
      `file://${REPO}/dist/shared/use-cases/accept-customer.js`,
      'our app (shared/use-cases)',
    ],
    ['sendMessage', `file://${REPO}/node_modules/@azure/storage-queue/dist/x.js`, '@azure/storage-queue'],
    ['write', 'node:internal/streams/writable', 'node:streams'],
    ['request', 'node:http', 'node:http'],
    ['(program)', '', 'V8/native (program)'],
  ])('%s in %s is %s', (name, url, area) => {
    expect(areaOf(name, url, REPO)).toBe(area);
  });
});
