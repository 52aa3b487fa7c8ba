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

  it('recognises -h, and lets the last of a repeated flag win', () => {
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--port', '1', '--port=2'])).toEqual({
      kind: 'start',
      quiet: false,
      options: { port: 2 },
    });
  });

  it.each([
    [['--port', '70000'], 'invalid-value', '--port', "--port must be an integer 0-65535, got '70000'"],
    [['--port', 'abc'], 'invalid-value', '--port', "--port must be an integer 0-65535, got 'abc'"],
    [['--port'], 'missing-value', '--port', '--port needs a value'],
    [
      ['--throttle-rate', '0'],
      'invalid-value',
      '--throttle-rate',
      "--throttle-rate must be a positive number, got '0'",
    ],
    [['--throttle-concurrency', '1.5'], 'invalid-value', '--throttle-concurrency', 'a positive integer'],
    [['--bogus', '1'], 'unknown-option', '--bogus', "unknown option '--bogus'"],
    [['-x'], 'unknown-option', '-x', "unknown option '-x'"],
    [['positional'], 'unexpected-argument', 'positional', "unexpected argument 'positional'"],
    [['--', '--port', '1'], 'unexpected-argument', '--', "unexpected argument '--'"],
    [['--host', '--port', '1'], 'missing-value', '--host', '--host needs a value'],
    [['--host='], 'invalid-value', '--host', 'an address'],
    [['--quiet=yes'], 'takes-no-value', '--quiet', '--quiet takes no value'],
    [['--bogus', '--help'], 'unknown-option', '--bogus', "unknown option '--bogus'"],
  ])('rejects %j (%s %s)', (argv, problem, argument, message) => {
    let thrown: unknown;
    try {
      parseCliArgs(argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliUsageError);
    expect(thrown).toMatchObject({ name: 'CliUsageError', problem, argument });
    expect((thrown as Error).message).toContain(message);
  });
});

describe('readyLine', () => {
  it('is the line the stack waits for', () => {
    expect(readyLine('https://127.0.0.1:7443', '/tmp/x/ca.pem')).toBe(
      'Emulator ready on https://127.0.0.1:7443 (CA certificate: /tmp/x/ca.pem)',
    );
  });
});
