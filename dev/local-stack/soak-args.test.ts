import { numberArg, stringArg } from './soak-args';
import { sampleLoad } from './fleet-soak';

describe("the soak's flags", () => {
  // `npm run soak -- --fleet --customers 300`: npm's script gives --customers 5000 first.
  const argv = ['--customers', '5000', '--restarts', '10', '--fleet', '--customers', '300', '--kills', '2'];

  it("lets the caller's flag after `--` win over the script's default before it", () => {
    expect(numberArg(argv, 'customers', 1)).toBe(300);
    expect(numberArg(argv, 'kills', 10)).toBe(2);
    expect(numberArg(argv, 'restarts', 0)).toBe(10);
  });

  it('falls back when a flag is absent, and names a flag whose value is not a number', () => {
    expect(numberArg(argv, 'hosts', 3)).toBe(3);
    expect(() => numberArg(['--hosts', 'three'], 'hosts', 3)).toThrow('--hosts needs a number, got "three"');
    expect(stringArg(['--out', '/tmp/soak.json'], 'out')).toBe('/tmp/soak.json');
    expect(stringArg(argv, 'out')).toBeUndefined();
  });
});

describe("the soak's load figures", () => {
  it('keeps the load average at the start and the end, and the highest and mean 1-minute sample', () => {
    const readings = [
      [2, 1, 0.5],
      [4, 2, 1],
    ];
    const sampler = sampleLoad(60_000, () => readings.shift() ?? [0, 0, 0]);
    const load = sampler.stop();
    expect(load.atStart).toEqual([2, 1, 0.5]);
    expect(load.atEnd).toEqual([4, 2, 1]);
    expect(load.peak1m).toBe(4);
    expect(load.mean1m).toBe(3);
  });
});
