import { EntityFieldType } from './customer-entity';
import { odataError, ODATA_WRITE_EXCEPTION } from './d365-errors';
import { deserializeODataEntity } from './d365-odata-create';
import { ODATA_HEADERS, sendODataError } from './d365-odata-entity';
import { answerCommitted, isPlainObject, parseJson, RequestContext, sendJson } from './http';

/**
 * What the emulator's secondary entity sets (CustomerPostalAddresses, CDSContactPersonsV2) share when
 * they add a row: reading the body as F&O's OData layer does, F&O's "Write failed" shape, the full
 * representation with blank defaults, and the 201 answer sent around the commit (answerCommitted: a
 * fault may drop the answer after the row is added, as a real 504 can).
 */

/** The POST body as entity fields; on a body OData refuses, answers 400 itself and returns undefined. */
export function readEntityBody(
  ctx: RequestContext,
  fields: Record<string, EntityFieldType>,
  entityType: string,
): Record<string, unknown> | undefined {
  const parsed = parseJson(ctx.body);
  const body = parsed.ok && isPlainObject(parsed.value) ? parsed.value : undefined;
  const read = body
    ? deserializeODataEntity(body, fields, entityType)
    : { ok: false as const, message: 'The request body is not a valid JSON object.' };
  if (read.ok) return read.entity;
  sendODataError(
    ctx,
    400,
    odataError('An error has occurred.', { message: read.message, type: 'Microsoft.OData.ODataException' }),
  );
  return undefined;
}

/** A failed write of the entity's table, in F&O's shape (as CustomersV3's, d365-errors.ts). */
export function writeFailed(table: string, infolog: string[]): ReturnType<typeof odataError> {
  return odataError('An error has occurred.', {
    message: `Write failed for table row of type '${table}'. Infolog: ${infolog.join('; ')}`,
    type: ODATA_WRITE_EXCEPTION,
  });
}

/** Validation warnings as F&O's infolog ends them: each a warning, then the validation error. */
export function validationFailed(table: string, warnings: string[]): ReturnType<typeof odataError> {
  return writeFailed(table, [
    ...warnings.map((w) => `Warning: ${w}`),
    'Error: Error found when validating record.',
  ]);
}

/** Every field (or those selected) as F&O returns them: blank ones empty, enums their first member, numbers 0. */
export function representFields(
  known: Record<string, unknown>,
  fields: Record<string, EntityFieldType>,
  select?: string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of select ?? Object.keys(fields)) {
    const type = fields[name];
    result[name] = known[name] ?? (type === 'decimal' ? 0 : typeof type === 'object' ? type.values[0] : '');
  }
  return result;
}

export interface CreatedEntity<R> {
  entitySet: string;
  /** The row as shown before the commit (a dropped answer never shows it). */
  preview: R;
  commit: () => R;
  represent: (row: R) => Record<string, unknown>;
  location: (row: R) => string;
}

/** Adds the row and answers 201 with its representation and `Location`, as F&O's POST does. */
export function answerCreated<R>(ctx: RequestContext, created: CreatedEntity<R>): void {
  let record: R | undefined;
  answerCommitted(
    ctx,
    () => {
      const shown = record ?? created.preview;
      sendJson(
        ctx.res,
        201,
        {
          '@odata.context': `${ctx.origin}/data/$metadata#${created.entitySet}/$entity`,
          ...created.represent(shown),
        },
        { ...ODATA_HEADERS, Location: created.location(shown) },
      );
    },
    () => {
      record = created.commit();
    },
  );
}
