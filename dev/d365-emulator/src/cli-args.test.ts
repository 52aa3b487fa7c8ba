import { CliUsageError, parseCliArgs, readyLine } from './cli-args';

describe('parseCliArgs', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(
      parseCliArgs([
        '--host',
        '0.0.0.0',
        '--port=0',
        '--cert-dir',
        '/tmp/certs',
        '--throttle-rate',
        '2.5',
        '--throttle-concurrency=4',
        '--latency-ms',
        '50',
        '--seed',
        '9',
        '--quiet',
      ]),
    ).toEqual({
      kind: 'start',
      quiet: true,
      options: {
        host: '0.0.0.0',
        port: 0,
        certDir: '/tmp/certs',
        throttle: { ratePerSecond: 2.5, concurrency: 4 },
        latencyMs: 50,
        randomSeed: 9,
      },
    });
  });

  it('starts with the defaults when given nothing', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'start', quiet: false, options: {} });
  });

  it('recognises --help', () => {
    expect(parseCliArgs(['--port', '1', '--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--port', '70000']],
    [['--port', 'abc']],
    [['--port']],
    [['--throttle-rate', '0']],
    [['--throttle-concurrency', '1.5']],
    [['--bogus', '1']],
    [['positional']],
    [['--host', '--port', '1']],
  ])('rejects %j', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
  });
});

describe('readyLine', () => {
  it('is the line the stack waits for', () => {
    expect(readyLine('https://127.0.0.1:7443', '/tmp/x/ca.pem')).toBe(
      'Emulator ready on https://127.0.0.1:7443 (CA certificate: /tmp/x/ca.pem)',
    );
  });
});
