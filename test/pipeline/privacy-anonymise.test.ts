import { AppStack, startAppStack, waitForTerminal } from '../support/app-stack';
import {
  plantWebhookSecrets,
  postRaw,
  SHOP_DOMAIN,
  shopifyHeaders,
  WEBHOOK_SOURCES,
} from '../support/webhooks';
import { compliance, createBody, ShopCustomer, shopCustomer, valuesOf } from '../support/shopify-privacy';
import { foundIn, scanFigures, scanStorage } from '../support/pii-scan';
import { emulatorApi } from '../../dev/local-stack/emulator-clients';

/**
 * `anonymise` end to end (issue 27, "Done when": "`anonymise` leaves the D365 customer with the
 * placeholders and the audit shows one PATCH"): the real host, Azurite and the D365 emulator, with
 * PRIVACY_ANONYMISE_LEGAL_ENTITIES naming the shop's legal entity. Three copies of Shopify's
 * `customers/redact` (and a redelivery after it ended) give the linked D365 customer the documented
 * placeholders (shared/adapters/d365/d365-entity-fields.ts: `Erased` / `Customer`, search name
 * `Erased Customer`, e-mail and phone emptied, street `Erased`) through exactly one OData PATCH in the emulator's request log; the other
 * customer of the shop is not touched, and nothing of the subject is left in our store.
 */
let stack: AppStack;
let control: ReturnType<typeof emulatorApi>;

beforeAll(async () => {
  stack = await startAppStack({
    settings: {
      WEBHOOK_SOURCES: JSON.stringify(WEBHOOK_SOURCES),
      PRIVACY_SETTLE_SECONDS: '1',
      PRIVACY_ANONYMISE_LEGAL_ENTITIES: 'USRT',
    },
  });
  await plantWebhookSecrets(stack.emulator.url);
  control = emulatorApi(stack.emulator.url);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const shopifyUrl = () => `${stack.url}/api/webhooks/shopify`;

async function createFromShop(c: ShopCustomer): Promise<string> {
  const body = createBody(c);
  const answer = await postRaw(shopifyUrl(), body, shopifyHeaders(body));
  expect(answer.status).toBe(202);
  const done = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 120_000);
  expect(done.status).toBe('succeeded');
  return done.customerAccount!;
}

const redact = (c: ShopCustomer) => {
  const body = compliance('shopify-customers-redact.json', SHOP_DOMAIN, c);
  return postRaw(shopifyUrl(), body, shopifyHeaders(body, { topic: 'customers/redact' }));
};

async function waitForPrivacy(id: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 180_000;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = (await (await fetch(`${stack.url}/api/privacy/requests/${id}`)).json()) as Record<string, unknown>;
    if (last.status === 'succeeded' || last.status === 'failed') return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`privacy request ${id} did not end: ${JSON.stringify(last)}`);
}

interface EmulatedCustomer {
  fields: Record<string, unknown>;
  updates: { odata: number; operator: number; history: { via: string; fields: Record<string, unknown> }[] };
}

const inD365 = (account: string) =>
  control<EmulatedCustomer>('GET', `/_emulator/customers/USRT/${encodeURIComponent(account)}`);

const patches = async () =>
  (
    await control<{ value: { method: string; path: string; status: number | null }[] }>(
      'GET',
      '/_emulator/requests?service=d365&endpoint=odataUpdate',
    )
  ).value;

describe('anonymise on the local stack', () => {
  it('one PATCH gives the linked D365 customer the placeholders; the shop\u2019s other customer is untouched; nothing of the subject is left', async () => {
    const subject = shopCustomer('a', 40);
    const other = shopCustomer('a', 41);
    const account = await createFromShop(subject);
    const otherAccount = await createFromShop(other);
    const otherBefore = await inD365(otherAccount);
    expect(await patches()).toEqual([]);

    const answers = await Promise.all([redact(subject), redact(subject), redact(subject)]);
    const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const done = await waitForPrivacy(id!);
    expect(done.status).toBe('succeeded');
    expect(done.d365).toEqual([
      expect.objectContaining({
        legalEntity: 'USRT',
        customerAccount: account,
        action: 'anonymise',
        status: 'succeeded',
      }),
    ]);

    // D365 holds the placeholders (the fields it had: name, search name, e-mail, phone, the
    // address's street) and none of the subject's values anywhere in the customer.
    const anonymised = await inD365(account);
    expect(anonymised.fields).toMatchObject({
      PersonFirstName: 'Erased',
      PersonLastName: 'Customer',
      NameAlias: 'Erased Customer',
      PrimaryContactEmail: '',
      PrimaryContactPhone: '',
      AddressStreet: 'Erased',
    });
    const left = valuesOf(subject).filter((value) => JSON.stringify(anonymised.fields).includes(value));
    expect(left).toEqual([]);
    // The request audit: one PATCH, to that customer, answered 2xx.
    const sent = await patches();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'PATCH', status: expect.any(Number) });
    expect(sent[0]!.status! < 300).toBe(true);
    expect(decodeURIComponent(sent[0]!.path)).toContain(account);
    // D365's own history of the customer: one OData update, the placeholders.
    expect(anonymised.updates).toMatchObject({ odata: 1, operator: 0 });
    expect(anonymised.updates.history).toEqual([
      expect.objectContaining({
        via: 'odata',
        fields: expect.objectContaining({ NameAlias: 'Erased Customer' }),
      }),
    ]);

    // The other customer of the shop: the same fields as before, no update applied.
    const otherAfter = await inD365(otherAccount);
    expect(otherAfter.fields).toEqual(otherBefore.fields);
    expect(otherAfter.updates).toEqual(otherBefore.updates);

    // A redelivery after the request ended is the same request: no second PATCH.
    const again = await redact(subject);
    expect((again.json as { id: string }).id).toBe(id);
    await waitForPrivacy(id!);
    expect(await patches()).toHaveLength(1);

    const stored = await scanStorage(stack.env.AzureWebJobsStorage!);
    expect(foundIn(stored, [...valuesOf(subject), subject.phone, subject.id])).toEqual([]);
    expect(foundIn(stored, [other.id])).toEqual([other.id]);
    console.log(`privacy anonymise scan: ${scanFigures(stored)}`);
  }, 420_000);
});
