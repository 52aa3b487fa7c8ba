import { app } from '@azure/functions';
import { getConfig } from '../shared/config/config';
import { appServices } from '../shared/composition';
import { operatorAuthLevel } from '../shared/http/operator-auth';
import {
  editPayload,
  operatorAction,
  resolve,
  retry,
  showPayload,
} from '../shared/http/operations/act-routes';

/**
 * The operator actions on one request (issue 31, docs/operations.md), each audited:
 * `GET /api/ops/requests/{id}/payload` (its stored request: personal data), `PATCH …/payload`
 * (edit and retry: a JSON Merge Patch validated as the intake validates), `POST …/retry`,
 * `POST …/resolve` (with a note).
 */

app.http('opsRequestPayload', {
  methods: ['GET'],
  route: 'ops/requests/{correlationId}/payload',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: operatorAction(appServices, showPayload),
});

app.http('opsEditRequest', {
  methods: ['PATCH'],
  route: 'ops/requests/{correlationId}/payload',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: operatorAction(appServices, editPayload),
});

app.http('opsRetryRequest', {
  methods: ['POST'],
  route: 'ops/requests/{correlationId}/retry',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: operatorAction(appServices, retry),
});

app.http('opsResolveRequest', {
  methods: ['POST'],
  route: 'ops/requests/{correlationId}/resolve',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: operatorAction(appServices, resolve),
});
