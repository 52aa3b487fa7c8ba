import { readFileSync } from 'node:fs';
import {
  DOTNET_CONTRACT_PATH,
  dotnetContract,
  TS_CONTRACT_PATH,
  typeScriptContract,
} from '../../dev/api/client-contract';
import { openApiDocument } from '../../shared/http/openapi';
import { ADDRESS_FIELDS, CUSTOMER_FIELDS } from '../../packages/client/src/contract.generated';

describe("the clients' copy of the request schema's field rules", () => {
  it('is up to date in both clients (npm run api:docs writes it)', async () => {
    const prettier = await import('prettier');
    const config = await prettier.resolveConfig(TS_CONTRACT_PATH);
    const formatted = await prettier.format(typeScriptContract(), { ...config, filepath: TS_CONTRACT_PATH });
    expect(readFileSync(TS_CONTRACT_PATH, 'utf8')).toBe(formatted);
    expect(readFileSync(DOTNET_CONTRACT_PATH, 'utf8')).toBe(dotnetContract());
  });

  it('holds every pattern of the document, e-mail and country included', () => {
    const document = openApiDocument() as {
      components: {
        schemas: { CustomerRequest: { properties: { Customer: { properties: Record<string, any> } } } };
      }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const customer = document.components.schemas.CustomerRequest.properties.Customer.properties;
    expect(CUSTOMER_FIELDS.EmailAddress!.pattern).toBe(customer.EmailAddress.pattern);
    expect(ADDRESS_FIELDS.BillingAddress.CountryCode!.pattern).toBe(
      customer.BillingAddress.items.properties.CountryCode.pattern,
    );
    const withPattern = Object.keys(customer).filter((name) => customer[name].pattern);
    expect(Object.keys(CUSTOMER_FIELDS).sort()).toEqual(withPattern.sort());
  });
});
