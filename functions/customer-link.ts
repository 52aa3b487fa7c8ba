import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { appServices } from '../shared/composition';
import { requireCaller } from '../shared/http/caller';
import { readLinkKey } from '../shared/http/link-key';
import { problemResponse, problems } from '../shared/http/problem';
import { lookUpLink } from '../shared/use-cases/customer-link-lookup';

/**
 * `GET /api/customers/links?legalEntity=…&customerAccount=…` or `?source=…&sourceCustomerId=…`
 * (operator role): which D365 account a source's customer is, or which source customer an account
 * is. No personal data.
 */
export async function customerLink(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, links } = appServices();
  const check = requireCaller(request, 'operator', config.callers);
  if (!check.ok) return check.response;
  const key = readLinkKey(request.query);
  if (!key.ok) return problemResponse(key.problem);
  const answer = await lookUpLink(key.key, links);
  if (!answer) return problemResponse(problems.customerNotFound());
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: answer };
}

app.http('customerLink', {
  methods: ['GET'],
  route: 'customers/links',
  authLevel: 'admin',
  handler: customerLink,
});
