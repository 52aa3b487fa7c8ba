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
import { NpmStart, startNpmStart } from '../support/npm-start';

const FUNCTION_KEY = 'postman-function-key-3f9c1a';
const MASTER_KEY = 'postman-master-key-8e2d4b';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('the Postman collection', () => {
  it('is checked in under postman/, up to date with the OpenAPI document (npm run api:docs)', () => {
    expect(read(COLLECTION_PATH)).toEqual(postmanCollection());
    expect(read(ENVIRONMENT_PATH)).toEqual(localEnvironment());
  });

  it('has a request for every route of the OpenAPI document, in any folder', () => {
    type Item = { name: string; item?: Item[]; request?: { method: string; url: { raw: string } } };
    const requests = (items: Item[]): { method: string; path: string[] }[] =>
      items.flatMap((i) =>
        i.item
          ? requests(i.item)
          : i.request && i.request.url.raw.startsWith('{{baseUrl}}/')
            ? [
                {
                  method: i.request.method,
                  path: i.request.url.raw.replace('{{baseUrl}}/', '').split('?')[0]!.split('/'),
                },
              ]
            : [],
      );
    const sent = requests((read(COLLECTION_PATH) as { item: Item[] }).item);
    // A `{parameter}` of the document stands for any one segment (a literal or a `{{variable}}`).
    const matches = (template: string[], path: string[]) =>
      template.length === path.length && template.every((s, i) => /^\{[^}]+\}$/.test(s) || s === path[i]);
    const documented = Object.entries(
      openApiDocument().paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), template: path.slice(1).split('/') })),
    );
    expect(documented.length).toBeGreaterThanOrEqual(30);
    const missing = documented
      .filter(({ method, template }) => !sent.some((r) => r.method === method && matches(template, r.path)))
      .map(({ method, template }) => `${method} /${template.join('/')}`);
    expect(missing).toEqual([]);
    // And the other way round: the collection sends nothing the document lacks.
    const undocumented = sent
      .filter((r) => !documented.some((d) => d.method === r.method && matches(d.template, r.path)))
      .map((r) => `${r.method} /${r.path.join('/')}`);
    expect(undocumented).toEqual([]);
  });

  it('sends every operations route and the console page (issue 31), each with the master key', () => {
    const collection = read(COLLECTION_PATH) as {
      item: {
        name: string;
        item: {
          name: string;
          request: { method: string; url: { path: string[] }; header: { key: string; value: string }[] };
        }[];
      }[];
    };
    const operations = collection.item.find((f) => f.name === 'Operations (operator console)')!;
    // `{{opsA}}`-like variables stand for the document's `{correlationId}`/`{jobId}`.
    const sent = new Set(
      operations.item.map(
        ({ request }) =>
          `${request.method} /${request.url.path.join('/').replace(/\{\{(ops[AB]|replayJobId)\}\}/g, '{}')}`,
      ),
    );
    const documented = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/ops/') || path === '/console')
      .flatMap(([path, methods]) =>
        Object.keys(methods)
          .filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`),
      );
    expect(documented.length).toBeGreaterThanOrEqual(12);
    for (const route of documented) expect([...sent]).toContain(route);
    // Every operator route with the master key, but the one that shows a function key refused.
    const operatorItems = operations.item.filter(
      (i) => /^(ops|console)$/.test(i.request.url.path[0]!) && !i.name.includes('function key'),
    );
    expect(operatorItems.length).toBeGreaterThanOrEqual(19);
    for (const { request } of operatorItems)
      expect(request.header).toContainEqual(
        expect.objectContaining({ key: 'x-functions-key', value: '{{masterKey}}' }),
      );
  });

  describe('run by newman, folder by folder, with the environment npm start wrote (keys on), through a validating proxy (Stoplight Prism)', () => {
    let stack: NpmStart;
    let proxy: ValidatingProxy;
    const environment = () => read(join(stack.dir, 'postman', 'local.postman_environment.json'));
    beforeAll(async () => {
      // npm start writes the environment (.local/postman/): the host's URL and both keys, the
      // emulator's client secret, the webhook sources and the secrets it put in the emulator's Key
      // Vault. Keys on, as in Azure: the collection sends the master key to the operator routes.
      stack = await startNpmStart({ DEV_FUNCTION_KEY: FUNCTION_KEY, DEV_MASTER_KEY: MASTER_KEY });
      proxy = await startValidatingProxy({ document: openApiDocument(), upstream: `${stack.url}/api` });
    }, 180_000);
    afterAll(async () => {
      await proxy?.close();
      await stack?.stop();
    });

    it('writes an environment with both keys and the secrets the collection needs', () => {
      const values = Object.fromEntries(
        (environment() as { values: { key: string; value: string }[] }).values.map((v) => [v.key, v.value]),
      );
      expect(values).toMatchObject({
        baseUrl: `${stack.url}/api`,
        functionKey: FUNCTION_KEY,
        masterKey: MASTER_KEY,
        d365Url: stack.emulatorUrl,
        standardWebhookSource: 'local-standard',
        shopifyShopDomain: 'local-shop.myshopify.com',
        bigCommerceStoreHash: 'abc123',
      });
      for (const key of [
        'clientSecret',
        'standardWebhookSecret',
        'shopifyWebhookSecret',
        'bigCommerceWebhookSecret',
      ])
        expect(values[key]).toMatch(/^\S{16,}$/);
    });

    const folders = (read(COLLECTION_PATH) as { item: { name: string }[] }).item.map((f) => f.name);
    it.each(folders)(
      'passes every assertion of the folder "%s", every answer as the OpenAPI document says',
      async (folder) => {
        const violations: string[] = [];
        const before = proxy.exchanges.length;
        const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) => {
          newman
            .run({
              collection: read(COLLECTION_PATH),
              environment: environment(),
              // Only the base URL differs: the app's answers go through the validating proxy.
              envVar: [{ key: 'baseUrl', value: `${proxy.url}/api` }],
              folder,
              sslExtraCaCerts: stack.state().emulatorCaPath!,
              reporters: [],
              timeoutRequest: 30_000,
            })
            .on('request', (error, args) => {
              if (error || !args.response) return;
              const url = args.request.url.toString();
              if (!url.startsWith(`${proxy.url}/api/`)) return;
              const headers = new Headers();
              args.response.headers.each((h: { key: string; value: string }) =>
                headers.append(h.key, h.value),
              );
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
        const exchanges = proxy.exchanges.slice(before);
        const lines = (side: 'request' | 'response', keep = (_status: number) => true) =>
          exchanges
            .filter((e) => keep(e.status))
            .flatMap((e) =>
              e.violations
                .filter((v) => v.side === side)
                .map((v) => `${e.method} ${e.path} -> ${e.status}: ${v.severity} ${v.location} ${v.message}`),
            );
        expect(lines('response')).toEqual([]);
        expect(lines('request', (status) => status < 400 || status >= 500)).toEqual([]);
        const { assertions, requests } = summary.run.stats;
        console.log(
          `newman, ${folder}: ${requests.total} requests, ${assertions.total} assertions, ${assertions.failed} failed; ` +
            `Prism: ${exchanges.length} exchanges, ${lines('response').length} response violations`,
        );
        expect(assertions.failed).toBe(0);
        expect(assertions.total).toBeGreaterThanOrEqual(4);
        expect(requests.total).toBeGreaterThanOrEqual(2);
      },
      180_000,
    );

    it('has four folders: the API (with the admin replay), the three webhooks, the operations routes and the console, D365 directly', () => {
      const names = (read(COLLECTION_PATH) as { item: { item: { name: string }[] }[] }).item.flatMap((f) =>
        f.item.map((i) => i.name),
      );
      expect(folders).toHaveLength(4);
      expect(names).toEqual(
        expect.arrayContaining([
          'Replay a request that did not fail (409)',
          'Standard Webhooks redelivery (200, nothing new)',
          'Shopify customers/create (202)',
          'BigCommerce store/customer/created (202)',
          'Edit and retry (JSON Merge Patch, 202)',
          'Bulk replay by IDs: one job (202)',
          'The console page (HTML, strict CSP)',
          'Get a token from Entra ID (client credentials)',
          'CreateCustomer custom service',
        ]),
      );
    });
  });
});
