import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { appServices } from '../shared/composition';
import { requireCaller } from '../shared/http/caller';
import { parseAccountPath, parseCustomerReference } from '../shared/http/customer-reference';
import { problemResponse, problems } from '../shared/http/problem';
import { lookUpLink } from '../shared/use-cases/customer-link-lookup';
import type { CustomerLinkKey } from '../shared/ports';

/**
 * `GET /api/customers/links?legalEntity=…&customerAccount=…` or `?source=…&sourceCustomerId=…`
 * (operator role): which D365 account a source's customer is, or which source customer an account
 * is. No personal data.
 */
export async function customerLink(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, links } = appServices();
  const check = requireCaller(request.headers, 'operator', config.callers);
  if (!check.ok) return check.response;
  const q = (name: string) => request.query.get(name) ?? undefined;
  let key: CustomerLinkKey;
  if (q('source') !== undefined || q('sourceCustomerId') !== undefined) {
    const source = q('source') ?? '';
    const id = parseCustomerReference(q('sourceCustomerId') ?? '');
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(source) || !id.ok || id.reference === undefined)
      return problemResponse(
        problems.invalidPath({
          pointer: '',
          detail: 'Give source and sourceCustomerId, or legalEntity and customerAccount.',
        }),
      );
    key = { kind: 'reference', source, sourceCustomerId: id.reference };
  } else {
    const path = parseAccountPath(q('legalEntity'), q('customerAccount'));
    if (!path.ok) return problemResponse(problems.invalidPath(path.error));
    key = { kind: 'account', legalEntity: path.legalEntity, customerAccount: path.customerAccount };
  }
  const answer = await lookUpLink(key, links);
  if (!answer) return problemResponse(problems.customerNotFound());
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: answer };
}

app.http('customerLink', {
  methods: ['GET'],
  route: 'customers/links',
  authLevel: 'admin',
  handler: customerLink,
});
