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
import { openApiDocument } from '../../shared/http/openapi';
import { startValidatingProxy, ValidatingProxy } from '../../dev/api/validating-proxy';
import { AppStack, startAppStack } from '../support/app-stack';
import {
  BIGCOMMERCE_HOOK_SECRET,
  BIGCOMMERCE_STORE,
  fixture,
  plantWebhookSecrets,
  SHOP_DOMAIN,
  SHOPIFY_SECRET,
  STANDARD_SECRET,
  vaultOf,
  WEBHOOK_SOURCES,
} from '../support/webhooks';
import { newCallbackSecret } from '../support/callback-receiver';

const BIGCOMMERCE_TOKEN = 'bc-api-token-postman-7d1e';
const FUNCTION_KEY = 'postman-function-key-3f9c1a';
const MASTER_KEY = 'postman-master-key-8e2d4b';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('the Postman collection', () => {
  it('is checked in under postman/, up to date with the OpenAPI document (npm run api:docs)', () => {
    expect(read(COLLECTION_PATH)).toEqual(postmanCollection());
    expect(read(ENVIRONMENT_PATH)).toEqual(localEnvironment());
  });

  describe('run by newman against the local stack, through a validating proxy (Stoplight Prism)', () => {
    let stack: AppStack;
    let proxy: ValidatingProxy;
    beforeAll(async () => {
      stack = await startAppStack({
        settings: (emulatorUrl) => ({
          // Keys on, as in Azure: the collection sends the function key, and the master key to the operator routes.
          DEV_FUNCTION_KEY: FUNCTION_KEY,
          DEV_MASTER_KEY: MASTER_KEY,
          WEBHOOK_SOURCES: JSON.stringify(
            WEBHOOK_SOURCES.map((s) => (s.kind === 'bigcommerce' ? { ...s, apiUrl: emulatorUrl } : s)),
          ),
        }),
      });
      await plantWebhookSecrets(stack.emulator.url, BIGCOMMERCE_TOKEN);
      await vaultOf(stack.emulator.url).setSecret('callback-signing-secret', newCallbackSecret());
      // The worker reads the BigCommerce customer the hook names from the (emulated) store.
      await stack.emulatorApi('PUT', `/_emulator/bigcommerce/stores/${BIGCOMMERCE_STORE}`, {
        token: BIGCOMMERCE_TOKEN,
        customers: [JSON.parse(fixture('bigcommerce-customer.json').toString('utf8'))],
      });
      proxy = await startValidatingProxy({ document: openApiDocument(), upstream: `${stack.url}/api` });
    });
    afterAll(async () => {
      await proxy?.close();
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
              { key: 'baseUrl', value: `${proxy.url}/api` },
              { key: 'functionKey', value: FUNCTION_KEY },
              { key: 'masterKey', value: MASTER_KEY },
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
            if (!url.startsWith(`${proxy.url}/api/`)) return;
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
      // Prism: no answer breaks the document; a request it finds invalid is one the app refused (4xx).
      const exchanges = proxy.exchanges;
      const lines = (side: 'request' | 'response', keep = (_status: number) => true) =>
        exchanges
          .filter((e) => keep(e.status))
          .flatMap((e) =>
            e.violations
              .filter((v) => v.side === side)
              .map((v) => `${e.method} ${e.path} -> ${e.status}: ${v.severity} ${v.location} ${v.message}`),
          );
      const refused = lines('request', (status) => status >= 400 && status < 500);
      const operations = new Set(
        exchanges.map(
          (e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}|POS-[0-9a-f]{8}|US-[0-9]+/g, '{}')}`,
        ),
      );
      console.log(
        `Prism: ${exchanges.length} exchanges (${operations.size} method-path shapes), ${lines('response').length} response violations, ` +
          `${refused.length} request violations, all on requests the app refused:\n${refused.map((l) => l.slice(0, 160)).join('\n')}`,
      );
      expect(lines('response')).toEqual([]);
      expect(lines('request', (status) => status < 400 || status >= 500)).toEqual([]);
      const { assertions, requests } = summary.run.stats;
      console.log(
        `newman: ${requests.total} requests, ${assertions.total} assertions, ${assertions.failed} failed`,
      );
      expect(assertions.failed).toBe(0);
      expect(assertions.total).toBeGreaterThanOrEqual(30);
      // Every folder ran: the 15 API requests (the status one possibly more than once), the 6 signed
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
