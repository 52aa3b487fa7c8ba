import { parseBackfillArgs, summary } from './backfill-command';

describe('npm run backfill', () => {
  it('takes the source, since, dry run, job, URL and key from its arguments', () => {
    expect(
      parseBackfillArgs(['--source', 'contoso-shopify', '--since', '2026-12-06T00:00:00Z', '--dry-run']),
    ).toEqual({ source: 'contoso-shopify', since: '2026-12-06T00:00:00Z', dryRun: true, intervalMs: 1000 });
    expect(parseBackfillArgs(['--job', 'abc', '--url', 'https://x/api', '--key', 'k'])).toMatchObject({
      job: 'abc',
      url: 'https://x/api',
      key: 'k',
      dryRun: false,
    });
    expect(() => parseBackfillArgs(['--dry-run'])).toThrow(/--source/);
    expect(parseBackfillArgs(['--source', 'contoso-shopify', '--bulk'])).toEqual({
      source: 'contoso-shopify',
      dryRun: false,
      bulk: true,
      intervalMs: 1000,
    });
  });

  it('ends with a summary of what became of the customers', () => {
    const text = summary({
      jobId: 'j1',
      source: 'contoso-shopify',
      state: 'done',
      dryRun: false,
      pages: 3,
      perMinute: 120,
      counts: { found: 10, queued: 7, replayed: 1, skippedLinked: 1, unmappable: 1 },
    });
    expect(text).toBe(
      [
        'Backfill j1 of contoso-shopify: done',
        '  10 customers in 3 pages, 120 per minute',
        '  7 sent to D365, 1 already linked, 1 sent before, 1 unmappable',
      ].join('\n'),
    );
  });

  it("a dry run's summary says what its lookups found: would create, or link by which field", () => {
    const text = summary({
      jobId: 'j2',
      source: 'contoso-shopify',
      state: 'done',
      dryRun: true,
      pages: 1,
      counts: {
        found: 5,
        queued: 4,
        replayed: 0,
        skippedLinked: 1,
        unmappable: 0,
        wouldCreate: 2,
        wouldLinkByEmail: 1,
        wouldLinkByNameAndPhone: 1,
        wouldReview: 0,
      },
    });
    expect(text.split('\n').slice(2)).toEqual([
      '  4 would be sent to D365, 1 already linked, 0 sent before, 0 unmappable',
      '  of those: 2 would be created, 1 linked by e-mail, 1 linked by name and phone, 0 for review',
    ]);
  });
});
