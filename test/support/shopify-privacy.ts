import { fixture } from './webhooks';

/** A Shopify customer of the privacy tests (issue 27): its exact ID (above 2^53) and its values. */
export interface ShopCustomer {
  id: string;
  first: string;
  last: string;
  email: string;
  phone: string;
  street: string;
}

export function shopCustomer(tag: string, n: number): ShopCustomer {
  // Above 2^53, as Shopify's IDs are: a compliance payload's customer.id must be read exactly.
  // Each tag its own IDs and phones (n below 1000): no two customers of a test share a value.
  const offset = { a: 0, b: 500, c: 250 }[tag] ?? 750;
  const id = String(706405506930370084n + BigInt(n) * 1000n + BigInt(offset));
  return {
    id,
    first: `Fn${tag}${n}x`,
    last: `Ln${tag}${n}y`,
    email: `mail.${tag}.${n}@example.com`,
    phone: `+1 613 ${String(555 + offset / 250)} ${String(1000 + n)}`,
    street: `${100 + n} ${tag}street Road`,
  };
}

/**
 * The values a PII scan looks for (name, e-mail, phone, street), as the app stores them: the phone
 * in E.164 (the intake reads Shopify's phone to E.164, `+16135551000`; the form Shopify sent, with
 * spaces, is never stored — a scan for it alone would find nothing even before an erasure).
 */
export const valuesOf = (c: ShopCustomer): string[] => [
  c.first,
  c.last,
  c.email,
  c.phone.replaceAll(' ', ''),
  c.street,
];

/** Shopify's customers/create example with this customer's values (its id kept exact: above 2^53). */
export function createBody(c: ShopCustomer): string {
  const example = JSON.parse(fixture('shopify-customers-create.json').toString('utf8')) as Record<
    string,
    unknown
  >;
  const address = {
    ...(example.default_address as Record<string, unknown>),
    address1: c.street,
    phone: c.phone,
  };
  const body = {
    ...example,
    id: 0,
    // Fresh, as a real delivery's: the signed updated_at is checked for replays (edge).
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    first_name: c.first,
    last_name: c.last,
    email: c.email,
    phone: c.phone,
    admin_graphql_api_id: `gid://shopify/Customer/${c.id}`,
    default_address: { ...address, customer_id: 0, first_name: c.first, last_name: c.last },
  };
  return JSON.stringify(body)
    .replaceAll('"id":0', `"id":${c.id}`)
    .replaceAll('"customer_id":0', `"customer_id":${c.id}`);
}

/** A compliance payload as Shopify documents it, for this shop and customer (ids written exactly). */
export function compliance(name: string, shop: string, c?: ShopCustomer): string {
  const text = fixture(name).toString('utf8').replace('d365sync-test.myshopify.com', shop);
  if (!c) return text;
  return text
    .replace('"id": 191167', `"id": ${c.id}`)
    .replace('john@example.com', c.email)
    .replace('555-625-1199', c.phone);
}
