import { parseCliArgs, USAGE, UsageError } from './cli-args';

function usageErrorOf(argv: string[]): UsageError {
  try {
    parseCliArgs(argv, '/apps');
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

describe('command line', () => {
  it('defaults to the current directory, loopback and no port (local.settings.json or 7071 decide)', () => {
    expect(parseCliArgs([], '/apps/one')).toEqual({ appDir: '/apps/one', hostname: '127.0.0.1' });
  });

  it('reads --app-dir (relative to the current directory), --port and --host, also as --flag=value', () => {
    expect(parseCliArgs(['--app-dir', 'sub', '--port', '0', '--host=0.0.0.0'], '/apps')).toEqual({
      appDir: '/apps/sub',
      port: 0,
      hostname: '0.0.0.0',
    });
    expect(parseCliArgs(['--port=7072'], '/apps').port).toBe(7072);
    expect(parseCliArgs(['--app-dir', '/abs/app'], '/apps').appDir).toBe('/abs/app');
    // The last occurrence wins.
    expect(parseCliArgs(['--port', '1', '--port', '2'], '/apps').port).toBe(2);
  });

  it('explains bad arguments, naming the argument as typed, each message ending with the usage text', () => {
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow(/--port must be a port number \(got "abc"\)/);
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port must be a port number/);
    expect(() => parseCliArgs(['--port'])).toThrow(/--port needs a value/);
    expect(() => parseCliArgs(['--verbose'])).toThrow(UsageError);
    for (const [argv, message, argument] of [
      [['--verbose'], 'Unknown argument "--verbose"', '--verbose'],
      [['--verbose=1'], 'Unknown argument "--verbose=1"', '--verbose=1'],
      [['-x'], 'Unknown argument "-x"', '-x'],
      [['stray'], 'Unknown argument "stray"', 'stray'],
      [['--'], 'Unknown argument "--"', '--'],
      [['--host='], '--host needs a value', '--host='],
      [['--app-dir'], '--app-dir needs a value', '--app-dir'],
    ] as const) {
      const error = usageErrorOf([...argv]);
      expect({ argv, message: error.message, argument: error.argument, name: error.name }).toEqual({
        argv,
        message: `${message}\n${USAGE}`,
        argument,
        name: 'UsageError',
      });
    }
  });

  it('answers --help and -h with the usage text alone', () => {
    expect(usageErrorOf(['--help']).message).toBe(USAGE);
    expect(usageErrorOf(['--port', '1', '-h']).message).toBe(USAGE);
    expect(USAGE).toBe('Usage: functions-host [--app-dir DIR] [--port N] [--host 127.0.0.1]');
  });
});
