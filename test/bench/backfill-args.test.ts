import { parseBackfillBenchArgs } from '../../bench/backfill-parts';

/** `npm run bench:backfill -- …`: the defaults of issue 30's run, overrides, and what it refuses. */
describe('bench:backfill options', () => {
  it('defaults to 20,000 customers with kills at a third and two thirds', () => {
    const options = parseBackfillBenchArgs([]);
    expect(options).toMatchObject({ customers: 20_000, kills: [0.333, 0.667], killMidPage: true });
  });

  it('takes overrides, `--kills none`, and an output file', () => {
    const options = parseBackfillBenchArgs(['--customers', '150', '--kills', 'none', '--out', 'x.json']);
    expect(options).toMatchObject({ customers: 150, kills: [], out: 'x.json' });
  });

  it('refuses an unknown option, a kill outside (0, 1) and a value that is not a number', () => {
    expect(() => parseBackfillBenchArgs(['--custmers', '10'])).toThrow('unknown options: custmers');
    expect(() => parseBackfillBenchArgs(['--kills', '1.5'])).toThrow('between 0 and 1');
    expect(() => parseBackfillBenchArgs(['--rate', 'fast'])).toThrow('--rate must be a number');
  });
});
