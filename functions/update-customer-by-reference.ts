import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { updateHttpDeps } from '../shared/composition';
import { parseCustomerReference } from '../shared/http/customer-reference';
import { problemResponse, problems } from '../shared/http/problem';
import { updateCustomerHttp } from '../shared/http/update-intake';

/**
 * `PATCH /api/customers/references/{reference}`: a JSON Merge Patch (RFC 7396) of the customer the
 * caller created with `Customer-Reference: {reference}`. 404 when it has none; nothing is queued.
 */
export async function updateCustomerByReference(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const reference = parseCustomerReference(request.params.reference ?? '');
  if (!reference.ok || reference.reference === undefined)
    return problemResponse(
      problems.invalidPath(
        reference.ok ? { pointer: '', detail: 'A reference is required.' } : reference.error,
      ),
    );
  return updateCustomerHttp(
    request,
    { kind: 'reference', reference: reference.reference },
    updateHttpDeps(context),
  );
}

app.http('updateCustomerByReference', {
  methods: ['PATCH'],
  route: 'customers/references/{reference}',
  authLevel: 'function',
  handler: updateCustomerByReference,
});
