import { checkAccessToken } from './access-tokens';
import { bearerToken, RequestContext, sendEmpty, sendJson } from './http';
import { EmulatorState } from './state';

/**
 * D365's check of the caller: a valid token for D365's own audience (else 401, empty body), issued to
 * an Entra application registered in F&O (else 401 with F&O's JSON `Message` body). Registered: the D365 app unless `unregisteredClientIds` names it.
 * The `X-Emulator-Reason` header says why (the real service says nothing).
 */
export async function authorizeD365(
  state: EmulatorState,
  ctx: RequestContext,
): Promise<{ clientId: string } | undefined> {
  const check = await checkAccessToken(state, bearerToken(ctx.req), (aud) => state.d365Audiences.has(aud));
  if (!check.ok) {
    sendEmpty(ctx.res, 401, {
      'WWW-Authenticate': `Bearer authorization_uri="${state.url}/${state.options.tenantId}/oauth2/authorize"`,
      'X-Emulator-Reason': `token ${check.reason}`,
    });
    return undefined;
  }
  const registered =
    check.clientId === state.identities.d365ClientId &&
    !state.settings.unregisteredClientIds.includes(check.clientId);
  if (!registered) {
    // F&O answers a valid token of an Entra application missing from System administration > Setup >
    // Microsoft Entra ID applications with 401 and a JSON body, captured in
    // https://github.com/microsoft/Dynamics-AX-Integration/issues/49 :
    // {"Message":"Authentication failed.","StackTrace":null,"ExceptionType":"System.InvalidOperationException"}
    // (403 is what a registered app whose user lacks rights gets).
    sendJson(
      ctx.res,
      401,
      {
        Message: 'Authentication failed.',
        StackTrace: null,
        ExceptionType: 'System.InvalidOperationException',
      },
      { 'X-Emulator-Reason': `application ${check.clientId} is not registered in D365` },
    );
    return undefined;
  }
  if (state.settings.access.forbiddenClientIds.includes(check.clientId)) {
    // A registered application whose F&O user lacks the rights for the request (access.ts): 403,
    // without a documented body (the app classifies 403 by its status alone).
    sendEmpty(ctx.res, 403, {
      'X-Emulator-Reason': `the D365 user of application ${check.clientId} may not do this`,
    });
    return undefined;
  }
  return { clientId: check.clientId };
}
