import { AuditedCustomer, auditUpdates } from '../src';
import { call, d365Token, useEmulator } from './support/emulator';

/** The update audit fed with what the control API answers, after real PATCHes. */
const emulator = useEmulator();
let token: string;

beforeAll(async () => {
  token = await d365Token(emulator);
});

async function create(): Promise<string> {
  const answer = await call<{ CustomerAccount: string }>(emulator, 'POST', '/data/CustomersV3', {
    token,
    body: {
      dataAreaId: 'usrt',
      PartyType: 'Person',
      PersonFirstName: 'Dana',
      PersonLastName: 'Scully',
      CustomerGroupId: '30',
      SalesCurrencyCode: 'USD',
    },
  });
  expect(answer.status).toBe(201);
  return answer.body.CustomerAccount;
}

const patch = async (account: string, body: Record<string, unknown>): Promise<void> => {
  const path = `/data/CustomersV3(dataAreaId='usrt',CustomerAccount='${account}')?cross-company=true`;
  expect((await call(emulator, 'PATCH', path, { token, body })).status).toBe(204);
};

const customers = async (): Promise<AuditedCustomer[]> =>
  (await call<{ value: AuditedCustomer[] }>(emulator, 'GET', '/_emulator/customers')).body.value;

it('finds nothing wrong with updates applied once and in order, and an out-of-order one when there is one', async () => {
  const [inOrder, reversed] = [await create(), await create()];
  const updates = [{ PrimaryContactEmail: 'a@example.com' }, { PrimaryContactEmail: 'b@example.com' }];
  for (const update of updates) await patch(inOrder, update);
  for (const update of [...updates].reverse()) await patch(reversed, update);
  await call(emulator, 'PATCH', `/_emulator/customers/USRT/${inOrder}`, {
    body: { PrimaryContactPhone: '+15550199' },
  });

  const report = auditUpdates(await customers(), [
    { legalEntity: 'USRT', account: inOrder, updates },
    { legalEntity: 'USRT', account: reversed, updates },
  ]);
  expect(report).toMatchObject({
    customers: 2,
    lost: 1,
    outOfOrder: 1,
    duplicates: 0,
    overwritten: 0,
    missing: 0,
  });
  expect(report.findings.every((f) => f.account === reversed)).toBe(true);
});
