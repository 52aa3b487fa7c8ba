import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { updateHttpDeps } from '../shared/composition';
import { parseAccountPath } from '../shared/http/customer-reference';
import { problemResponse, problems } from '../shared/http/problem';
import { updateCustomerHttp } from '../shared/http/update-intake';

/**
 * `PATCH /api/customers/accounts/{legalEntity}/{customerAccount}`: a JSON Merge Patch (RFC 7396) of
 * a customer this app created or linked, by its D365 account. 404 for any other; nothing is queued.
 */
export async function updateCustomerByAccount(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const path = parseAccountPath(request.params.legalEntity, request.params.customerAccount);
  if (!path.ok) return problemResponse(problems.invalidPath(path.error));
  return updateCustomerHttp(
    request,
    { kind: 'account', legalEntity: path.legalEntity, customerAccount: path.customerAccount },
    updateHttpDeps(context),
  );
}

app.http('updateCustomerByAccount', {
  methods: ['PATCH'],
  route: 'customers/accounts/{legalEntity}/{customerAccount}',
  authLevel: 'function',
  handler: updateCustomerByAccount,
});
