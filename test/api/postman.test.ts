import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import newman from 'newman';
import {
  COLLECTION_PATH,
  ENVIRONMENT_PATH,
  postmanCollection,
  localEnvironment,
} from '../../dev/api/postman';
import { responseViolations } from '../support/openapi-validator';
import { AppStack, startAppStack } from '../support/app-stack';
import {
  BIGCOMMERCE_HOOK_SECRET,
  BIGCOMMERCE_STORE,
  fixture,
  plantWebhookSecrets,
  SHOP_DOMAIN,
  SHOPIFY_SECRET,
  STANDARD_SECRET,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

const BIGCOMMERCE_TOKEN = 'bc-api-token-postman-7d1e';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('the Postman collection', () => {
  it('is checked in under postman/, up to date with the OpenAPI document (npm run api:docs)', () => {
    expect(read(COLLECTION_PATH)).toEqual(postmanCollection());
    expect(read(ENVIRONMENT_PATH)).toEqual(localEnvironment());
  });

  describe('run by newman against the local stack', () => {
    let stack: AppStack;
    beforeAll(async () => {
      stack = await startAppStack({
        settings: (emulatorUrl) => ({
          WEBHOOK_SOURCES: JSON.stringify(
            WEBHOOK_SOURCES.map((s) => (s.kind === 'bigcommerce' ? { ...s, apiUrl: emulatorUrl } : s)),
          ),
        }),
      });
      await plantWebhookSecrets(stack.emulator.url, BIGCOMMERCE_TOKEN);
      // The worker reads the BigCommerce customer the hook names from the (emulated) store.
      await stack.emulatorApi('PUT', `/_emulator/bigcommerce/stores/${BIGCOMMERCE_STORE}`, {
        token: BIGCOMMERCE_TOKEN,
        customers: [JSON.parse(fixture('bigcommerce-customer.json').toString('utf8'))],
      });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('passes every assertion, and every answer of the app matches the OpenAPI document', async () => {
      const violations: string[] = [];
      const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) => {
        newman
          .run({
            collection: read(COLLECTION_PATH),
            environment: read(ENVIRONMENT_PATH),
            envVar: [
              { key: 'baseUrl', value: `${stack.url}/api` },
              { key: 'authorityHost', value: stack.emulator.url },
              { key: 'd365Url', value: stack.emulator.url },
              { key: 'clientSecret', value: stack.emulator.currentClientSecret() },
              { key: 'standardWebhookSource', value: 'test-standard' },
              { key: 'standardWebhookSecret', value: STANDARD_SECRET },
              { key: 'shopifyShopDomain', value: SHOP_DOMAIN },
              { key: 'shopifyWebhookSecret', value: SHOPIFY_SECRET },
              { key: 'bigCommerceStoreHash', value: BIGCOMMERCE_STORE },
              { key: 'bigCommerceWebhookSecret', value: BIGCOMMERCE_HOOK_SECRET },
            ],
            sslExtraCaCerts: join(stack.env.NODE_EXTRA_CA_CERTS!),
            reporters: [],
            timeoutRequest: 30_000,
          })
          .on('request', (error, args) => {
            if (error || !args.response) return;
            const url = args.request.url.toString();
            if (!url.startsWith(`${stack.url}/api/`)) return;
            const headers = new Headers();
            args.response.headers.each((h: { key: string; value: string }) => headers.append(h.key, h.value));
            violations.push(
              ...responseViolations({
                method: args.request.method,
                url,
                status: args.response.code,
                headers,
                body: args.response.stream?.toString('utf8') ?? '',
              }),
            );
          })
          .on('done', (error, result) => (error ? reject(error) : resolve(result)));
      });
      const failures = summary.run.failures.map(
        (f) => `${f.source?.name ?? '?'}: ${f.error?.test ?? ''} ${f.error?.message ?? ''}`,
      );
      expect(failures).toEqual([]);
      expect(violations).toEqual([]);
      const { assertions, requests } = summary.run.stats;
      console.log(
        `newman: ${requests.total} requests, ${assertions.total} assertions, ${assertions.failed} failed`,
      );
      expect(assertions.failed).toBe(0);
      expect(assertions.total).toBeGreaterThanOrEqual(30);
      // Every folder ran: the 12 API requests (the status one possibly more than once), the 6 signed
      // webhook deliveries and the 2 D365 calls.
      expect(requests.total).toBeGreaterThanOrEqual(20);
      expect(summary.run.executions.map((e) => e.item.name)).toEqual(
        expect.arrayContaining([
          'Standard Webhooks redelivery (200, nothing new)',
          'Shopify customers/create (202)',
          'BigCommerce store/customer/created (202)',
          'Get a token from Entra ID (client credentials)',
          'CreateCustomer custom service',
        ]),
      );
    });
  });
});
