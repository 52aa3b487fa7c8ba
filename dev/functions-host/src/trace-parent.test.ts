import { newTraceParent } from './invoke';

describe('newTraceParent', () => {
  it('makes W3C traceparents (version 00, 32 + 16 hex digits, sampled), never the same twice across refills of its pool', () => {
    const made = Array.from({ length: 1000 }, () => newTraceParent());
    for (const traceParent of made) {
      expect(traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      // All zeros is the one invalid trace or parent ID (W3C Trace Context, 3.2.2.3 and 3.2.2.4).
      expect(traceParent).not.toMatch(/^00-0{32}-|-0{16}-01$/);
    }
    expect(new Set(made.map((t) => t.slice(3, 35))).size).toBe(made.length);
    expect(new Set(made.map((t) => t.slice(36, 52))).size).toBe(made.length);
  });
});
