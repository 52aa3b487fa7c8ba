import { odata, RestError, TableClient, TableEntityResult } from '@azure/data-tables';
import { StatusRecord } from '../domain/status';
import { recordMatches } from '../domain/privacy/subject-query';
import { StatusStore, StatusConflictError } from '../ports';
import { subjectFilter } from './subject-filter';

/** Fields stored as columns. Absent optional fields are stored as empty strings so a Replace clears them. */
const OPTIONAL_FIELDS = [
  'kind',
  'customerAccount',
  'outcome',
  'existingAccounts',
  'matchedOn',
  'addresses',
  'contactPerson',
  'errorCode',
  'errorMessage',
  'lastError',
  'payload',
  'fingerprint',
  'emailKey',
  'caller',
  'identity',
  'source',
  'sourceCustomerId',
  'callbackUrl',
  'queuedAt',
  'leaseUntil',
  'submittedAt',
  'acceptedWithoutAccountAt',
  'nextAttemptAt',
  'dueAt',
  'erasedAt',
  'writeBack',
  'writeBackDetail',
  'resolvedAt',
  'resolution',
  'resolvedBy',
  'resolutionNote',
  'reviewDecision',
  'originalPayload',
  'replayJobId',
  'priority',
] as const satisfies readonly (keyof StatusRecord)[];

type Entity = Omit<StatusRecord, 'etag' | 'correlationId'> & { partitionKey: string; rowKey: string };

function toEntity(record: Omit<StatusRecord, 'etag'>): Entity {
  const { correlationId, ...rest } = record;
  const entity: Record<string, unknown> = { partitionKey: correlationId, rowKey: '', ...rest };
  for (const field of OPTIONAL_FIELDS) entity[field] ??= '';
  return entity as Entity;
}

function fromEntity(entity: TableEntityResult<Record<string, unknown>>): StatusRecord {
  const record: Record<string, unknown> = {
    correlationId: entity.partitionKey,
    status: entity.status,
    legalEntity: entity.legalEntity,
    target: entity.target,
    attempts: Number(entity.attempts ?? 0),
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
    etag: entity.etag,
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = entity[field];
    if (typeof value === 'string' && value !== '') record[field] = value;
  }
  return record as unknown as StatusRecord;
}

const isStatus = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

/**
 * Status records in Azure Table storage: PartitionKey = correlation ID, RowKey = '' so a lookup is
 * one point read and every request has its own partition.
 */
export function tableStatusStore(client: TableClient): StatusStore {
  const query = async (
    filter: string,
    limit: number,
    keep: (record: StatusRecord) => boolean = () => true,
  ): Promise<StatusRecord[]> => {
    const found: StatusRecord[] = [];
    if (limit <= 0) return found;
    for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const record = fromEntity(entity as TableEntityResult<Record<string, unknown>>);
      if (!keep(record)) continue;
      found.push(record);
      if (found.length >= limit) break;
    }
    return found;
  };
  return {
    async create(record) {
      try {
        const response = await client.createEntity(toEntity(record));
        return { ...record, etag: response.etag ?? '' };
      } catch (error) {
        if (isStatus(error, 409)) throw new StatusConflictError(record.correlationId);
        throw error;
      }
    },
    async get(correlationId) {
      try {
        return fromEntity(await client.getEntity(correlationId, ''));
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async update(current, changes) {
      const { etag, ...rest } = current;
      const next = { ...rest, ...changes };
      try {
        const response = await client.updateEntity(toEntity(next), 'Replace', { etag });
        return { ...next, etag: response.etag ?? '' };
      } catch (error) {
        if (isStatus(error, 412, 404)) throw new StatusConflictError(current.correlationId);
        throw error;
      }
    },
    async findLeaseExpired(leaseBefore, limit) {
      return query(
        `(status eq 'processing' or status eq 'submitting') and leaseUntil gt '' and ${odata`leaseUntil lt ${leaseBefore}`}`,
        limit,
      );
    },
    async findStale(statuses, updatedBefore, limit) {
      const byStatus = statuses.map((status) => odata`status eq ${status}`).join(' or ');
      return query(`(${byStatus}) and ${odata`updatedAt lt ${updatedBefore}`}`, limit);
    },
    async findWriteBacks(state, limit) {
      return query(odata`writeBack eq ${state}`, limit);
    },
    async findCreatedBefore(createdBefore, limit) {
      return query(odata`createdAt lt ${createdBefore}`, limit);
    },
    async findEndedWithPayload(endedBefore, limit) {
      return query(
        `(status eq 'failed' or status eq 'needs_review') and payload gt '' and kind ne 'erase' and kind ne 'export' and ${odata`updatedAt lt ${endedBefore}`}`,
        limit,
      );
    },
    async findHolding(subject, limit) {
      const filter = subjectFilter(subject);
      if (filter === undefined) return [];
      const holding =
        "(payload gt '' or originalPayload gt '' or sourceCustomerId gt '' or customerAccount gt '' or emailKey gt '' or existingAccounts gt '')";
      const inFlight = subject.inFlight
        ? " and ((status ne 'succeeded' and status ne 'failed' and status ne 'needs_review') or writeBack eq 'pending')"
        : '';
      return query(`${holding}${inFlight} and ${filter}`, limit, (record) => recordMatches(record, subject));
    },
    async findOpenPrivacyRequests(limit) {
      return query(
        "(kind eq 'erase' or kind eq 'export') and status ne 'succeeded' and status ne 'failed' and status ne 'needs_review'",
        limit,
      );
    },
    async delete(record) {
      try {
        await client.deleteEntity(record.correlationId, '', { etag: record.etag });
      } catch (error) {
        if (isStatus(error, 404)) return;
        throw error;
      }
    },
  };
}
