import { applyEnvironmentOverrides, HostConfigError, parseHostConfig } from './host-config';

describe('host.json', () => {
  it('applies the Functions host defaults', () => {
    const config = parseHostConfig({ version: '2.0' }, { WEBSITE_SKU: 'Dynamic' });
    expect(config.routePrefix).toBe('api');
    expect(config.queues).toEqual({
      maxPollingIntervalMs: 60_000,
      visibilityTimeoutMs: 0,
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      messageEncoding: 'base64',
    });
    expect(config.functionTimeoutMs).toBeUndefined();
  });

  it('defaults newBatchThreshold to batchSize/2 times the processor count outside the Consumption plan', () => {
    const config = parseHostConfig({ version: '2.0', extensions: { queues: { batchSize: 5 } } }, {});
    expect(config.queues.newBatchThreshold % 2).toBe(0);
    expect(config.queues.newBatchThreshold).toBeGreaterThanOrEqual(2);
  });

  it('reads the settings it uses, with TimeSpans and case-insensitive keys', () => {
    const config = parseHostConfig(
      {
        version: '2.0',
        functionTimeout: '00:05:00',
        extensions: {
          http: { routePrefix: '' },
          Queues: {
            MaxPollingInterval: '00:00:02',
            visibilityTimeout: '00:00:30',
            batchSize: 4,
            newBatchThreshold: 0,
            maxDequeueCount: 2,
            messageEncoding: 'None',
          },
        },
        logging: { logLevel: { default: 'Warning', 'Function.x': 'Debug' } },
      },
      {},
    );
    expect(config.routePrefix).toBe('');
    expect(config.queues).toEqual({
      maxPollingIntervalMs: 2000,
      visibilityTimeoutMs: 30_000,
      batchSize: 4,
      newBatchThreshold: 0,
      maxDequeueCount: 2,
      messageEncoding: 'none',
    });
    expect(config.functionTimeoutMs).toBe(300_000);
    expect(config.logLevels).toEqual({ default: 'warning', 'Function.x': 'debug' });
  });

  it('lets AzureFunctionsJobHost__ environment variables override host.json', () => {
    const hostJson = { version: '2.0', extensions: { queues: { batchSize: 4 } } };
    applyEnvironmentOverrides(hostJson, {
      AzureFunctionsJobHost__extensions__queues__batchSize: '8',
      azurefunctionsjobhost__Extensions__Queues__maxDequeueCount: '9',
    });
    const config = parseHostConfig(hostJson, {});
    expect(config.queues.batchSize).toBe(8);
    expect(config.queues.maxDequeueCount).toBe(9);
  });

  it('explains invalid values', () => {
    const bad =
      (extra: object): (() => unknown) =>
      () =>
        parseHostConfig({ version: '2.0', ...extra }, {});
    expect(() => parseHostConfig({}, {})).toThrow(/"version" must be "2.0"/);
    expect(bad({ extensions: { queues: { batchSize: 33 } } })).toThrow(
      /batchSize must be an integer between 1 and 32/,
    );
    expect(bad({ extensions: { queues: { maxPollingInterval: '00:00:00.050' } } })).toThrow(
      /must not be less than/,
    );
    expect(bad({ extensions: { queues: { visibilityTimeout: 'soon' } } })).toThrow(
      /visibilityTimeout must be a TimeSpan/,
    );
    expect(bad({ extensions: { queues: { messageEncoding: 'utf8' } } })).toThrow(/"base64" or "none"/);
    expect(bad({ logging: { logLevel: { default: 'Loud' } } })).toThrow(HostConfigError);
  });
});
