import { z } from 'zod';
import { WRITE_BACK_ERRORS, WRITE_BACK_STATES, WriteBackErrorCode } from '../domain/write-back';

/** The `writeBack` member of the status answer and of result events (issue 28; zod, like api-schemas.ts). */
const ERROR_CODES = Object.keys(WRITE_BACK_ERRORS) as [WriteBackErrorCode, ...WriteBackErrorCode[]];
const timestamp = z.iso.datetime({ offset: true });

export const writeBackSchema = z
  .strictObject({
    status: z.enum(WRITE_BACK_STATES).meta({
      description:
        '`pending` (queued or being written; retried through its own queue), `written` (the shop holds the account), `failed` (needs an operator: see `error`; retry with `POST …/write-back/retry`).',
    }),
    attempts: z.int().min(0).meta({
      description: 'Attempts in the current series (waits for the shop’s rate budget do not count).',
    }),
    endedAt: timestamp.optional().meta({ description: 'When it was written or failed.' }),
    nextAttemptAt: timestamp.optional().meta({ description: 'When the next attempt is due (`pending`).' }),
    error: z
      .strictObject({
        code: z.enum(ERROR_CODES).meta({
          description: Object.entries(WRITE_BACK_ERRORS)
            .map(([code, message]) => `- \`${code}\`: ${message}`)
            .join('\n'),
        }),
        message: z.string(),
      })
      .optional()
      .meta({ description: 'Why it failed (`failed`); never personal data.' }),
    lastError: z.string().optional().meta({ description: 'The last transient failure (`pending`).' }),
  })
  .meta({
    description:
      'A shop’s customer (Shopify, BigCommerce source with write-back on): the D365 account (`LEGALENTITY/ACCOUNT`) written back to the shop’s customer (Shopify metafield, BigCommerce attribute value) after the create succeeded. Never changes the request’s own `status`.',
    examples: [{ status: 'written', attempts: 1, endedAt: '2026-11-26T18:00:01.530Z' }],
  });
