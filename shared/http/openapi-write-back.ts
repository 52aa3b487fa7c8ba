import {
  callerProblems,
  EXAMPLE_CORRELATION_ID,
  Json,
  keySecurity,
  noContent500,
  noContent503,
  problem,
  ref,
} from './openapi-parts';

/**
 * The shop write-back (issue 28) in the OpenAPI document: the `writeBack` member of the status
 * answer and of result events, and the operator's retry route.
 */
const EXAMPLE = {
  correlationId: EXAMPLE_CORRELATION_ID,
  status: 'succeeded',
  legalEntity: 'USRT',
  source: 'contoso-shopify',
  sourceCustomerId: '706405506930370084',
  customerAccount: 'US-000001',
  outcome: 'created',
  writeBack: { status: 'pending', attempts: 0 },
  attempts: 1,
  createdAt: '2026-11-26T18:00:00.412Z',
  updatedAt: '2026-11-26T18:00:01.020Z',
};

export function writeBackPaths(): Record<string, Json> {
  return {
    '/customers/status/{correlationId}/write-back/retry': {
      post: {
        operationId: 'retryWriteBack',
        tags: ['operations'],
        summary: 'Retry a failed shop write-back (operator)',
        description:
          'Writes the D365 account to the shop again once the cause of a `failed` write-back is fixed (a valid Admin API token in Key Vault, the customer back in the shop): `writeBack` becomes `pending` with a fresh series of attempts. The request’s own status is untouched. Needs the master (admin) key; with `CALLER_AUTH=app-service` also `CALLER_ROLE_OPERATOR`.',
        security: keySecurity('admin'),
        parameters: [{ $ref: '#/components/parameters/CorrelationId' }],
        responses: {
          '202': {
            description: 'Queued again.',
            content: {
              'application/json': { schema: ref('StatusAnswer'), examples: { pending: { value: EXAMPLE } } },
            },
          },
          '400': problem(400, 'The ID is not a UUID.', ['invalidCorrelationId']),
          ...callerProblems('admin'),
          '404': problem(404, 'No such request.', ['notFound']),
          '409': problem(409, 'Only a `failed` write-back can be retried.', ['notReplayable']),
          '500': noContent500,
          '503': noContent503,
        },
      },
    },
  };
}
