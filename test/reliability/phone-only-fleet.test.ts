import { randomUUID } from 'node:crypto';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { postJson, waitForTerminal } from '../support/app-stack';

/**
 * Customers without an e-mail on a fleet (issue 32, "Done when": phone-only POS customers are created
 * once on the fleet). Two hosts on one storage account; ten people known by name and phone only, one
 * household sharing a phone and two namesakes with different phones; each person sent four times at
 * once (separate requests, no Idempotency-Key, over both hosts, phones written four ways). The
 * identity claim on the household key (last name and phone) makes the lookup and the create one request at a time:
 * each person is one D365 customer (DUPLICATE_POLICY=link: one `created`, three `linked`), and no two
 * people share one.
 */
const HOSTS = 2;
const COPIES = 4;

let stack: FleetStack;

beforeAll(async () => {
  stack = await startFleetStack({ hosts: HOSTS, settings: { DUPLICATE_POLICY: 'link' } });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** A number as a cashier may type it: E.164, international with spaces, 00, national (USA address). */
const writings = (national: string): string[] => [
  `+1${national}`,
  `+1 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`,
  `001${national}`,
  `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`,
];

describe('phone-only customers on a fleet of two hosts', () => {
  it('creates each person once, however often and wherever they are sent, and joins no two', async () => {
    const run = randomUUID().slice(0, 6);
    const household = '4255550100';
    const people = [
      ...['Anna', 'Erik', 'Lena', 'Nils'].map((first) => ({ first, last: `Berg${run}`, phone: household })),
      ...['4255550101', '4255550102'].map((phone) => ({ first: 'Maria', last: `Lopez${run}`, phone })),
      ...['4255550103', '4255550104', '4255550105', '4255550106'].map((phone, i) => ({
        first: `Solo${i}`,
        last: `Fleet${run}`,
        phone,
      })),
    ];
    const fixture = sampleCustomer('full');
    delete fixture.Customer.EmailAddress;
    const sends = people.flatMap((person, p) =>
      writings(person.phone)
        .slice(0, COPIES)
        .map((phone, copy) => ({
          p,
          host: p + copy,
          body: {
            Customer: {
              ...fixture.Customer,
              FirstName: person.first,
              LastName: person.last,
              ContactNumber: phone,
            },
          },
        })),
    );
    const answers = await Promise.all(
      sends.map((s) => postJson(`${stack.url(s.host)}/api/customers`, s.body)),
    );
    expect(answers.map((a) => a.status)).toEqual(sends.map(() => 202));
    const finals = await Promise.all(
      answers.map((a) => waitForTerminal((a.json as { statusUrl: string }).statusUrl, 180_000)),
    );

    const accountsOf = people.map(
      (_, p) => new Set(finals.filter((_, i) => sends[i]!.p === p).map((f) => f.customerAccount)),
    );
    const outcomes = people.map((_, p) =>
      finals
        .filter((_, i) => sends[i]!.p === p)
        .map((f) => `${f.status}:${f.outcome}`)
        .sort(),
    );
    // Every copy succeeded on the person's one account: one created it, the others found it.
    for (const [p, accounts] of accountsOf.entries()) {
      expect({ p, accounts: accounts.size }).toEqual({ p, accounts: 1 });
      expect(outcomes[p]).toEqual(['succeeded:created', ...Array(COPIES - 1).fill('succeeded:linked')]);
    }
    // No two people share an account (the household and the namesakes stay apart).
    const all = accountsOf.map((a) => [...a][0]);
    expect(new Set(all).size).toBe(people.length);
    // D365 holds exactly one customer per person: 0 duplicated.
    const ours = (await stack.customers()).filter((c) => String(c.fields.PersonLastName ?? '').endsWith(run));
    const duplicated = ours.length - people.length;
    console.log(
      `phone-only fleet: ${people.length} people x ${COPIES} copies on ${HOSTS} hosts, ${ours.length} D365 customers, duplicated ${duplicated}`,
    );
    expect(duplicated).toBe(0);
    expect(ours.map((c) => c.fields.PrimaryContactPhone).sort()).toEqual(
      people.map((person) => `+1${person.phone}`).sort(),
    );
  }, 600_000);

  it('sends "J. Smith" to an operator even when it arrives with "John Smith" at once on another host (the household claim)', async () => {
    const run = randomUUID().slice(0, 6);
    const fixture = sampleCustomer('full');
    delete fixture.Customer.EmailAddress;
    const body = (first: string) => ({
      Customer: {
        ...fixture.Customer,
        FirstName: first,
        LastName: `Smith${run}`,
        ContactNumber: '+14255550110',
      },
    });
    const finals = [];
    // Several rounds: each pair sent at once over the two hosts, in both host orders.
    for (let round = 0; round < 3; round += 1) {
      const lastName = `Smith${run}r${round}`;
      const pair = [
        { ...body('John'), Customer: { ...body('John').Customer, LastName: lastName } },
        { ...body('J.'), Customer: { ...body('J.').Customer, LastName: lastName } },
      ];
      const answers = await Promise.all(
        pair.map((b, i) => postJson(`${stack.url((i + round) % HOSTS)}/api/customers`, b)),
      );
      expect(answers.map((a) => a.status)).toEqual([202, 202]);
      const ended = await Promise.all(
        answers.map((a) => waitForTerminal((a.json as { statusUrl: string }).statusUrl, 180_000)),
      );
      // One created; the other, whichever came second, for an operator with the first's account.
      const created = ended.filter((f) => f.status === 'succeeded' && f.outcome === 'created');
      const review = ended.filter((f) => f.status === 'needs_review');
      expect({ round, created: created.length, review: review.length }).toEqual({
        round,
        created: 1,
        review: 1,
      });
      expect(review[0]).toMatchObject({
        error: { code: 'possible_duplicate' },
        matchedOn: 'name_initial_and_phone',
        existingAccounts: [created[0]!.customerAccount],
      });
      const inD365 = (await stack.customers()).filter((c) => c.fields.PersonLastName === lastName);
      expect(inD365).toHaveLength(1);
      finals.push(...ended);
    }
    expect(finals).toHaveLength(6);
  }, 600_000);
});
