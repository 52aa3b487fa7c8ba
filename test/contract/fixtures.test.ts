import { customerFingerprint, parseCustomerRequest } from '../../shared/domain/customer-contract';
import { toCustomersV3Body, toCustomServiceBody } from '../../shared/adapters/d365/d365-payload';
import { parseJsonBody } from '../../shared/domain/json-body';
import { buildCustomerLookupQuery } from '../../shared/adapters/d365/odata-filter';
import { fixtureText } from './helpers';

/**
 * The whole contract path, from body text to what D365 receives, for the two sample payloads of the
 * source article as they are on disk. No network, no emulator.
 */
const OPTIONS = { defaultCustomerGroup: '30', now: new Date('2025-06-01T00:00:00Z') };

function fromText(text: string) {
  const body = parseJsonBody(text);
  if (!body.ok) throw new Error(`${body.pointer}: ${body.detail}`);
  const request = parseCustomerRequest(body.value, OPTIONS);
  if (!request.ok) throw new Error(JSON.stringify(request.errors));
  return request.value;
}

/** Each fixture has an e-mail of its own, so the README's examples create two customers. */
const EMAIL = { full: 'abc1234@gmail.com', minimal: 'alex.trump@example.com' } as const;

describe.each(Object.entries(fixtureText))('the %s sample, from text', (name, text) => {
  const email = EMAIL[name as keyof typeof EMAIL];

  it('is accepted and reaches the custom service with the same field names it was sent with', () => {
    const request = fromText(text);
    const sent = toCustomServiceBody(request);
    const original = JSON.parse(text) as { Customer: Record<string, unknown> };
    const sentNames = Object.keys(sent.Customer);
    // Every field sent was in the sample or is the configured customer group.
    for (const name of sentNames)
      expect([...Object.keys(original.Customer), 'CustomerGroup']).toContain(name);
    // Every non-empty field of the sample is sent.
    for (const [name, value] of Object.entries(original.Customer)) {
      if (value !== '') expect(sentNames).toContain(name);
    }
  });

  it('gets the same fingerprint when re-serialised with other whitespace and key order', () => {
    const reordered = JSON.stringify(
      Object.fromEntries(
        Object.entries(JSON.parse(text) as Record<string, unknown>).map(([key, value]) => [
          key,
          Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse()),
        ]),
      ),
    );
    expect(customerFingerprint(fromText(reordered))).toBe(customerFingerprint(fromText(text)));
  });

  it('produces a CustomersV3 body and a lookup query for its email', () => {
    const request = fromText(text);
    expect(toCustomersV3Body(request)).toMatchObject({
      dataAreaId: 'usrt',
      PartyType: 'Person',
      PrimaryContactEmail: email,
      CustomerGroupId: '30',
    });
    expect(buildCustomerLookupQuery(request.Customer.LegalEntity, request.Customer.EmailAddress!)).toBe(
      `cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'${email.replace('@', '%40')}'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10`,
    );
  });
});
