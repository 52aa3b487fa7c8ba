import { parseCliArgs, UsageError } from './cli-args';

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
  });

  it('explains bad arguments', () => {
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow(/--port must be a port number/);
    expect(() => parseCliArgs(['--port'])).toThrow(/--port needs a value/);
    expect(() => parseCliArgs(['--verbose'])).toThrow(UsageError);
  });
});
