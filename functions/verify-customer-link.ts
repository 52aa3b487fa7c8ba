import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invocationLog } from '../shared/adapters/invocation-log';
import { appServices } from '../shared/composition';
import { requireCaller } from '../shared/http/caller';
import { readLinkKey } from '../shared/http/link-key';
import { problemResponse, problems } from '../shared/http/problem';
import { toLinkAnswer } from '../shared/use-cases/customer-link-lookup';
import { verifyLink } from '../shared/use-cases/verify-link';

/**
 * `POST /api/customers/links/verify?source=…&sourceCustomerId=…` (or `?legalEntity=…&customerAccount=…`),
 * operator role: the operator's decision that a pending link's customer is who the caller says
 * (SECURITY.md, "Who may do what"). The link grants changes from now on and its create shows the account;
 * a shop's customer gets its account written back to the shop (issue 28).
 */
export async function verifyCustomerLink(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const { config, links, statusStore, shopClients, writeBackQueue } = appServices();
  const check = requireCaller(request, 'operator', config.callers);
  if (!check.ok) return check.response;
  const key = readLinkKey(request.query);
  if (!key.ok) return problemResponse(key.problem);
  const log = invocationLog(context);
  const result = await verifyLink(key.key, { links, statusStore, shopClients, writeBackQueue, log });
  // A link whose create has not ended yet has nothing to verify: as unknown as no link at all.
  if (result.kind !== 'verified') return problemResponse(problems.customerNotFound());
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: toLinkAnswer(result.link) };
}

app.http('verifyCustomerLink', {
  methods: ['POST'],
  route: 'customers/links/verify',
  authLevel: 'admin',
  handler: verifyCustomerLink,
});
