// A fixed correlation-ID key for tests that build the intake's ports themselves (issue 24).
import type { CorrelationKey } from '../../shared/domain/correlation-id';
import type { CorrelationKeySource } from '../../shared/ports';

/** Created long ago: no legacy ID is looked up (a test of that lookup gives its own `createdAt`). */
export const TEST_CORRELATION_KEY: CorrelationKey = {
  secret: Buffer.from('a test correlation key of 32+ characters', 'utf8'),
  createdAt: new Date(0),
};

/** The key as the Key Vault adapter gives it, counting its reads. */
export function fixedCorrelationKey(key: CorrelationKey = TEST_CORRELATION_KEY): CorrelationKeySource & {
  reads: number;
} {
  const source = {
    reads: 0,
    get: async () => {
      source.reads += 1;
      return key;
    },
  };
  return source;
}

/** What `AcceptDeps` and `WorkerDeps` take for keyed IDs: the fixed key, the default retention. */
export const testKeyCorrelation = (key?: CorrelationKey) => ({
  correlationKey: fixedCorrelationKey(key),
  retentionDays: 30,
});
