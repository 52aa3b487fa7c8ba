import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config/config';
import { appServices, operatorActionDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { operatorAuthLevel } from '../shared/http/operator-auth';
import {
  Action,
  createNew,
  editPayload,
  link,
  resolve,
  retry,
  runOperatorAction,
  showPayload,
} from '../shared/http/operations/act-routes';

/**
 * The operator actions on one request (issue 31, docs/operations.md), each audited:
 * `GET /api/ops/requests/{id}/payload` (its stored request: personal data), `PATCH …/payload`
 * (edit and retry: a JSON Merge Patch validated as the intake validates), `POST …/retry`,
 * `POST …/resolve` (with a note).
 */
const handle =
  (action: Action) =>
  (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const services = appServices();
    const deps = operatorActionDeps(services, invocationLog(context));
    return runOperatorAction(request, services.config.callers, deps, action);
  };

app.http('opsRequestPayload', {
  methods: ['GET'],
  route: 'ops/requests/{correlationId}/payload',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(showPayload),
});

app.http('opsEditRequest', {
  methods: ['PATCH'],
  route: 'ops/requests/{correlationId}/payload',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(editPayload),
});

app.http('opsRetryRequest', {
  methods: ['POST'],
  route: 'ops/requests/{correlationId}/retry',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(retry),
});

app.http('opsResolveRequest', {
  methods: ['POST'],
  route: 'ops/requests/{correlationId}/resolve',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(resolve),
});

app.http('opsLinkRequest', {
  methods: ['POST'],
  route: 'ops/requests/{correlationId}/link',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(link),
});

app.http('opsCreateNewRequest', {
  methods: ['POST'],
  route: 'ops/requests/{correlationId}/create-new',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(createNew),
});
