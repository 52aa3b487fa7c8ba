import { checkAccessToken } from './access-tokens';
import { bearerToken, RequestContext, sendEmpty } from './http';
import { EmulatorState } from './state';

/**
 * D365's check of the caller: a valid token for D365's own audience (else 401), issued to an Entra
 * application registered in F&O (else 403). Registered: the D365 app unless `unregisteredClientIds` names it.
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
    sendEmpty(ctx.res, 403, {
      'X-Emulator-Reason': `application ${check.clientId} is not registered in D365`,
    });
    return undefined;
  }
  return { clientId: check.clientId };
}
