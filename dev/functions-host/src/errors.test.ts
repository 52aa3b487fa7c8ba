import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppLoadError, entryPointFiles, loadEntryPoints } from './app-loader';
import { createWorkerApp, RegisteredFunction } from './core-api';
import { FunctionPlanError, planFunctions } from './function-plan';
import { HostConfigError, parseHostConfig, readHostConfig } from './host-config';
import { LocalSettingsError, readLocalSettings } from './local-settings';
import { CronError, parseNcrontab } from './ncrontab';
import { parseRouteTemplate, RouteTemplateError } from './route-template';
import { ConnectionError, resolveStorageConnection } from './storage-connection';
import { parseTimerSchedule, TimerScheduleError } from './timer-listener';

/** What `work` threw (failing the test when it did not throw). */
function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function appDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'host-errors-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Start-up errors are named classes that keep what they are about, so callers need not parse messages. */
describe('start-up errors', () => {
  it('AppLoadError keeps the app folder and the file at fault', async () => {
    const dir = appDir({ 'package.json': '{"main": "dist/*.js"}', 'broken.js': 'throw new Error("boom")' });
    expect(thrownBy(() => entryPointFiles(dir, 'dist/*.js'))).toMatchObject({
      name: 'AppLoadError',
      appDir: dir,
      file: 'dist/*.js',
    });
    const brokenDir = appDir({
      'package.json': '{"main": "broken.js"}',
      'broken.js': 'throw new Error("boom")',
    });
    const error = await loadEntryPoints(
      createWorkerApp(() => undefined),
      brokenDir,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppLoadError);
    expect(error).toMatchObject({ name: 'AppLoadError', appDir: brokenDir, file: 'broken.js' });
    expect((error as Error).cause).toMatchObject({ message: 'boom' });
    const badJson = appDir({ 'package.json': '{' });
    expect(thrownBy(() => entryPointFiles(badJson, 'x.js'))).toMatchObject({ name: 'AppLoadError' });
  });

  it('HostConfigError keeps the host.json setting, or the file when the file is at fault', () => {
    const error = thrownBy(() =>
      parseHostConfig({ version: '2.0', extensions: { queues: { batchSize: 99 } } }),
    );
    expect(error).toBeInstanceOf(HostConfigError);
    expect(error).toMatchObject({ name: 'HostConfigError', setting: 'extensions.queues.batchSize' });
    const dir = appDir({ 'host.json': '{ nope' });
    expect(thrownBy(() => readHostConfig(dir, {}))).toMatchObject({
      name: 'HostConfigError',
      file: join(dir, 'host.json'),
    });
  });

  it('LocalSettingsError keeps the local.settings.json path', () => {
    const dir = appDir({ 'local.settings.json': '{"IsEncrypted": true}' });
    const error = thrownBy(() => readLocalSettings(dir));
    expect(error).toBeInstanceOf(LocalSettingsError);
    expect(error).toMatchObject({ name: 'LocalSettingsError', file: join(dir, 'local.settings.json') });
  });

  it('RouteTemplateError, CronError and TimerScheduleError keep the template or schedule', () => {
    expect(thrownBy(() => parseRouteTemplate('a/{*rest}/b'))).toMatchObject({
      name: 'RouteTemplateError',
      template: 'a/{*rest}/b',
    });
    expect(thrownBy(() => parseRouteTemplate('{'))).toBeInstanceOf(RouteTemplateError);
    expect(thrownBy(() => parseNcrontab('0 0 0 * * 9'))).toMatchObject({
      name: 'CronError',
      expression: '0 0 0 * * 9',
    });
    expect(thrownBy(() => parseNcrontab('* * *'))).toBeInstanceOf(CronError);
    const timer = thrownBy(() => parseTimerSchedule('0 0 0 * * 9'));
    expect(timer).toBeInstanceOf(TimerScheduleError);
    expect(timer).toMatchObject({ name: 'TimerScheduleError', schedule: '0 0 0 * * 9' });
    expect((timer as Error).cause).toBeInstanceOf(CronError);
  });

  it('ConnectionError keeps the connection setting and who needed it', () => {
    const error = thrownBy(() => resolveStorageConnection('MyStorage', {}, 'Function "work"'));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({
      name: 'ConnectionError',
      connection: 'MyStorage',
      usedBy: 'Function "work"',
    });
  });

  it('FunctionPlanError keeps the names of the functions at fault and a missing %setting%', () => {
    const fn = (name: string, bindings: RegisteredFunction['metadata']['bindings']): RegisteredFunction => ({
      metadata: { name, bindings },
      callback: async () => undefined,
    });
    const error = thrownBy(() =>
      planFunctions(
        [
          fn('fine', { req: { type: 'httpTrigger', direction: 'in' } }),
          fn('noTrigger', {}),
          fn('blob', { b: { type: 'blobTrigger', direction: 'in' } }),
        ],
        {},
      ),
    );
    expect(error).toBeInstanceOf(FunctionPlanError);
    expect(error).toMatchObject({ name: 'FunctionPlanError', functionNames: ['noTrigger', 'blob'] });
    const missing = thrownBy(() =>
      planFunctions(
        [fn('work', { m: { type: 'queueTrigger', direction: 'in', queueName: '%MISSING_QUEUE%' } })],
        {},
      ),
    );
    expect(missing).toMatchObject({ functionNames: ['work'] });
    expect((missing as FunctionPlanError).problems).toEqual([
      expect.objectContaining({
        name: 'FunctionPlanError',
        setting: 'MISSING_QUEUE',
        functionNames: ['work'],
      }),
    ]);
  });
});
