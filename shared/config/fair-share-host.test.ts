import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { largestShare } from '../domain/fair-share';
import { validSettings } from '../../test/support/valid-settings';
import { loadConfig } from './config';
import { settings } from './settings';

/**
 * Fair sharing only works when an instance busy with one caller's share still takes messages off
 * the queue: the host receives another batch only while at most `newBatchThreshold` messages run
 * (Azure Functions queue trigger: "whenever the number of messages being processed concurrently
 * gets down to this number, the runtime retrieves another batch",
 * learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json). A share
 * above it and the caller's other messages sit behind that caller's whole backlog.
 */
const root = join(__dirname, '..', '..');
const queues = (
  JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as {
    extensions: { queues: { batchSize: number; newBatchThreshold: number } };
  }
).extensions.queues;
const localValues = (
  JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;

describe("fair sharing and host.json's queue settings", () => {
  it("reads host.json's newBatchThreshold: the setting's default and local value are host.json's", () => {
    const setting = settings.find(
      (s) => s.name === 'AzureFunctionsJobHost__extensions__queues__newBatchThreshold',
    )!;
    expect(setting.default).toBe(String(queues.newBatchThreshold));
    expect(setting.local).toBe(String(queues.newBatchThreshold));
    expect(localValues.AzureFunctionsJobHost__extensions__queues__newBatchThreshold).toBe(
      String(queues.newBatchThreshold),
    );
  });

  it("keeps the largest share (defaults) within host.json's newBatchThreshold", () => {
    const config = loadConfig(validSettings());
    expect(largestShare(config.fairShare)).toBeGreaterThan(0);
    expect(largestShare(config.fairShare)).toBeLessThanOrEqual(queues.newBatchThreshold);
  });

  it('keeps the largest share of the local settings within it too, leaving spare room for a busy caller', () => {
    const config = loadConfig({
      ...validSettings(),
      FAIR_SHARE_WAITERS: localValues.FAIR_SHARE_WAITERS,
      CALLER_WEIGHTS: localValues.CALLER_WEIGHTS,
    });
    expect(largestShare(config.fairShare)).toBeLessThanOrEqual(queues.newBatchThreshold);
    // A busy caller's spare room plus another caller's share still leave the instance receiving.
    expect(config.fairShare.waiters).toBeLessThan(queues.newBatchThreshold);
  });

  it('rejects weights that are not a JSON object of caller ID to a weight from 0.1 to 16, naming the setting', () => {
    for (const bad of ['[1]', '{"key:a": 0}', '{"key:a": 17}', 'not json', '{"key:a": "2"}'])
      expect(() => loadConfig({ ...validSettings(), CALLER_WEIGHTS: bad })).toThrow(/CALLER_WEIGHTS/);
    expect(loadConfig({ ...validSettings(), CALLER_WEIGHTS: '{"key:pos": 2}' }).fairShare).toEqual({
      waiters: 4,
      weights: { 'key:pos': 2 },
      receiveThreshold: queues.newBatchThreshold,
    });
  });
});
