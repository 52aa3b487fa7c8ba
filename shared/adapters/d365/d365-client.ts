import { toCustomersV3Body, toCustomServiceBody } from './d365-payload';
import {
  buildCustomerBatchLookupQuery,
  buildCustomerLookupQuery,
  buildNameAndPhoneLookupQuery,
  buildOrganizationLookupQuery,
  CUSTOMER_LOOKUP_TOP,
  UnsafeODataValueError,
} from './odata-filter';
import { attributeLookupRows } from './batched-email-lookup';
import type { NameAndPhoneMatch } from '../../domain/recovery-match';
import {
  emailForMatch,
  LookupRow,
  MatchKey,
  nameAndPhoneKey,
  nameForMatch,
  rowHasEmail,
  rowIsPossibleDuplicate,
  rowMatchesKey,
} from '../../domain/customer-match';
import { permanent, ProcessingError, parseRetryAfter, transient } from '../../domain/failure';
import { d365ErrorSummary, personalValues } from '../../domain/redaction';
import { FAILURE_CODES } from '../../domain/status';
import { classifyErrorBody } from './d365-error-bodies';
import { CallOptions, TokenSource, D365Client, D365EmailBatchLookup } from '../../ports';
import { sendToD365, withFreshTokenOn401 } from './d365-http';

export interface D365ClientOptions {
  url: string;
  target: 'custom-service' | 'odata';
  servicePath: string;
  accountField: string;
  timeoutMs: number;
}

/**
 * The classification options of a call to an OData entity other than a create (reads, updates,
 * postal addresses): the create client's rules for every answer they do not handle themselves.
 */
export const odataClassifyOptions = (url: string, timeoutMs: number): D365ClientOptions => ({
  url,
  target: 'odata',
  servicePath: '',
  accountField: 'CustomerAccount',
  timeoutMs,
});

/** What D365 answered, reduced to what classification needs. */
export interface D365Answer {
  status: number;
  retryAfter: string | null;
  contentType: string;
  body: string;
  /** `Location` (or `OData-EntityId`) of a created entity. */
  location?: string | null;
}

type Classified =
  | { kind: 'created'; customerAccount: string }
  /** A 2xx without a customer account: D365 created the customer, its account is still to find. */
  | { kind: 'accepted' }
  | { kind: 'unauthorized' }
  | ProcessingError;

const tryParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The account in an OData key (`Location` / `OData-EntityId` of a 201 or 204). */
const accountInKey = (location: string | null | undefined): string | undefined =>
  location
    ? /CustomerAccount='((?:[^']|'')*)'/.exec(decodeURIComponent(location))?.[1]?.replace(/''/g, "'")
    : undefined;

/** The account a 2xx answer names, if any. */
function accountOf(answer: D365Answer, body: unknown, options: D365ClientOptions): string | undefined {
  const value = body as Record<string, unknown> | string | null | undefined;
  const account =
    typeof value === 'string'
      ? value
      : options.target === 'odata'
        ? (value?.CustomerAccount ?? accountInKey(answer.location))
        : value?.[options.accountField];
  return typeof account === 'string' && account.trim() !== '' ? account.trim() : undefined;
}

/**
 * Classifies a D365 answer by its status and body together (README, "What the app does with each
 * answer"):
 * - 2xx with an account: created; 2xx without one (an X++ `void`/boolean operation, `null`, a bare
 *   `{"$id":"1"}` contract, a 204): `accepted`, the customer exists and its account is looked up.
 * - 401 asks for a fresh token (the caller turns a second 401 into `not_registered`); 403 is
 *   `not_registered`; 404 a wrong URL or service path.
 * - 429, 502, 503, 504 transient (502/504 and timeouts uncertain: the call may have run).
 * - 500 (and 400) with an X++ Infolog: a business error, unless the Infolog is a rolled-back
 *   deadlock or update conflict (transient). A 500 without an X++ message is uncertain.
 */
export function classifyD365Answer(
  answer: D365Answer,
  options: D365ClientOptions,
  personal: string[],
): Classified {
  const body = answer.contentType.includes('json') ? tryParse(answer.body) : undefined;
  const reason = (text: string | undefined): string =>
    text === undefined ? `HTTP ${answer.status}` : d365ErrorSummary(text, personal);
  const { status } = answer;

  if (status >= 200 && status < 300) {
    const account = accountOf(answer, body, options);
    return account !== undefined ? { kind: 'created', customerAccount: account } : { kind: 'accepted' };
  }
  if (status === 401) return { kind: 'unauthorized' };
  if (status === 403)
    return permanent('not_registered', `D365 answered 403. ${FAILURE_CODES.not_registered}`);
  if (status === 404) {
    // Nothing at that path: a setting names a service D365 does not have, not a customer problem.
    return permanent(
      'configuration',
      options.target === 'odata'
        ? 'D365 answered 404 for CustomersV3: check D365_URL.'
        : 'D365 answered 404: no custom service at D365_SERVICE_PATH; check it and D365_URL.',
    );
  }
  if (status === 429)
    return transient('D365 throttled the request (429)', {
      retryAfterSeconds: parseRetryAfter(answer.retryAfter),
      throttled: true,
    });
  const classified = classifyErrorBody(body, status);
  if (classified.kind === 'transient')
    return transient(`D365 answered ${status}: ${reason(classified.text)}`, {
      retryAfterSeconds: parseRetryAfter(answer.retryAfter),
    });
  if (status >= 500) {
    if (status === 500 && classified.kind === 'business')
      return permanent('business_error', reason(classified.text));
    // 502/504 and a 500 without an X++ message come from a gateway or an AOS that may have passed
    // the call on (uncertain: look up before creating again); a 503 did not.
    return transient(`D365 answered ${status}`, {
      retryAfterSeconds: parseRetryAfter(answer.retryAfter),
      uncertain: status !== 503,
    });
  }
  return permanent('business_error', reason(classified.kind === 'business' ? classified.text : undefined));
}

/** Pages a customer lookup follows at most (`@odata.nextLink`). */
export const LOOKUP_MAX_PAGES = 5;

interface LookupPage {
  rows: LookupRow[];
  next?: string;
}

/** One page of a CustomersV3 lookup: its rows with an account, and its next link. */
function readLookupPage(body: string): LookupPage | undefined {
  const parsed = tryParse(body) as { value?: LookupRow[]; '@odata.nextLink'?: unknown } | undefined;
  if (!Array.isArray(parsed?.value)) return undefined;
  const rows = parsed.value.filter(
    (row) => typeof row?.CustomerAccount === 'string' && row.CustomerAccount !== '',
  );
  const next = parsed['@odata.nextLink'];
  return { rows, ...(typeof next === 'string' && next !== '' && { next }) };
}

/**
 * The rows that are the key's customer, re-checked exactly (shared/domain/customer-match.ts): a
 * lookup is a search, and whatever else it returns (a tokenised or partial match, a formatted phone
 * of someone else: microsoft/BCApps#6459, #10256) is not this customer.
 */
function exactMatches(rows: readonly LookupRow[], key: MatchKey): NameAndPhoneMatch[] {
  return rows
    .filter((row) => rowMatchesKey(row, key))
    .map((row) => ({ account: row.CustomerAccount as string, hasEmail: rowHasEmail(row) }));
}

/** The path and query of a next link on D365's own host (relative links resolve against it), else undefined. */
function samePath(next: string | undefined, base: string): string | undefined {
  if (next === undefined) return undefined;
  try {
    const root = new URL(base);
    const prefix = root.pathname.replace(/\/$/, '');
    const url = new URL(next, `${root.origin}${prefix}/data/`);
    if (url.origin !== root.origin || !url.pathname.startsWith(`${prefix}/`)) return undefined;
    return `${url.pathname.slice(prefix.length)}${url.search}`;
  } catch {
    return undefined;
  }
}

/** What a call's answer handler gives back: the value, a 401 (fresh token and again), or the failure. */
type Handled<T> = { value: T } | 'unauthorized' | ProcessingError;

/** An answer that is not the one a read expects: the create's classification, or a transient failure. */
function unexpected(answer: D365Answer, options: D365ClientOptions, personal: string[]): Handled<never> {
  const classified = classifyD365Answer(answer, { ...options, target: 'odata' }, personal);
  if (classified instanceof ProcessingError) return classified;
  if (classified.kind === 'unauthorized') return 'unauthorized';
  // A 2xx other than 200 to a read: no rows to trust.
  return transient(`D365 answered ${answer.status} to the customer lookup`);
}

export function d365Client(
  tokens: TokenSource,
  options: D365ClientOptions,
): D365Client & D365EmailBatchLookup {
  /** Sends with a cached token, and once more with a fresh one if the handler reports D365's 401. */
  const call = <T>(
    method: 'GET' | 'POST',
    path: string,
    handle: (answer: D365Answer) => Handled<T>,
    request: { body?: unknown; call?: CallOptions } = {},
  ): Promise<T> =>
    withFreshTokenOn401(
      tokens,
      async (token) => {
        const url = `${options.url}${path}`;
        const result = handle(
          await sendToD365(method, url, token, { ...request, timeoutMs: options.timeoutMs }),
        );
        if (result instanceof ProcessingError) throw result;
        return result;
      },
      request.call,
    );

  /**
   * A customer lookup's rows, following `@odata.nextLink` (server-driven paging: F&O pages at 10,000
   * rows, so with `$top=10` a link only comes from a smaller server page) until `CUSTOMER_LOOKUP_TOP`
   * rows or `LOOKUP_MAX_PAGES` pages; a link to another host is not followed (the rows so far stand).
   */
  const lookupRows = async (
    query: string,
    personal: string[],
    callOptions: CallOptions | undefined,
  ): Promise<LookupRow[]> => {
    const rows: LookupRow[] = [];
    let path: string | undefined = `/data/CustomersV3?${query}`;
    for (let page = 0; path !== undefined && page < LOOKUP_MAX_PAGES; page += 1) {
      const read: LookupPage = await call<LookupPage>(
        'GET',
        path,
        (answer) => {
          if (answer.status !== 200) return unexpected(answer, options, personal);
          const parsed = readLookupPage(answer.body);
          return parsed
            ? { value: parsed }
            : transient('D365 answered the customer lookup without a value list');
        },
        { call: callOptions },
      );
      rows.push(...read.rows);
      path = rows.length < CUSTOMER_LOOKUP_TOP ? samePath(read.next, options.url) : undefined;
    }
    return rows.slice(0, CUSTOMER_LOOKUP_TOP);
  };

  return {
    async createCustomer(request, callOptions) {
      const [path, body] =
        options.target === 'odata'
          ? ['/data/CustomersV3', toCustomersV3Body(request)]
          : [options.servicePath, toCustomServiceBody(request)];
      const personal = personalValues(request);
      return call<{ customerAccount?: string }>(
        'POST',
        path,
        (answer) => {
          const classified = classifyD365Answer(answer, options, personal);
          if (classified instanceof ProcessingError) return classified;
          if (classified.kind === 'unauthorized') return 'unauthorized';
          return {
            value: classified.kind === 'created' ? { customerAccount: classified.customerAccount } : {},
          };
        },
        { body, call: callOptions },
      );
    },

    async findCustomersByEmail(legalEntity, email, callOptions) {
      const rows = await lookupRows(buildCustomerLookupQuery(legalEntity, email), [email], callOptions);
      return exactMatches(rows, { kind: 'email', email: emailForMatch(email) }).map((row) => row.account);
    },

    async findCustomersByNameAndPhone(legalEntity, person, callOptions) {
      const key = nameAndPhoneKey(person);
      const personal = [person.firstName, person.lastName ?? '', person.phone].filter((v) => v !== '');
      let query: string;
      try {
        query = buildNameAndPhoneLookupQuery(legalEntity, person);
      } catch (error) {
        if (!(error instanceof UnsafeODataValueError)) throw error;
        // A name F&O cannot filter on exactly (a comma, a parenthesis): by the phone alone, the names
        // checked here. A full page may leave the customer out: then it cannot be looked up exactly.
        const rows = await lookupRows(
          buildNameAndPhoneLookupQuery(legalEntity, { phone: person.phone }),
          personal,
          callOptions,
        );
        return rows.length >= CUSTOMER_LOOKUP_TOP ? undefined : exactMatches(rows, key);
      }
      return exactMatches(await lookupRows(query, personal, callOptions), key);
    },

    async findPossibleDuplicates(legalEntity, person, callOptions) {
      const key = nameAndPhoneKey(person);
      if (key.kind !== 'name_and_phone' || key.lastName === '') return [];
      const personal = [person.firstName, person.lastName ?? '', person.phone].filter((v) => v !== '');
      let query: string;
      try {
        query = buildNameAndPhoneLookupQuery(legalEntity, {
          lastName: person.lastName ?? '',
          phone: person.phone,
        });
      } catch (error) {
        if (!(error instanceof UnsafeODataValueError)) throw error;
        // A last name F&O cannot filter on exactly: by the phone alone, the names checked here.
        query = buildNameAndPhoneLookupQuery(legalEntity, { phone: person.phone });
      }
      const rows = await lookupRows(query, personal, callOptions);
      return rows
        .filter((row) => rowIsPossibleDuplicate(row, key))
        .map((row) => row.CustomerAccount as string);
    },

    async findOrganizations(legalEntity, organisation, callOptions) {
      const key: MatchKey =
        'taxNumber' in organisation
          ? { kind: 'tax_number', ...organisation }
          : {
              kind: 'name_and_country',
              name: nameForMatch(organisation.name),
              country: organisation.country,
            };
      let query: string;
      try {
        query = buildOrganizationLookupQuery(legalEntity, organisation);
      } catch (error) {
        if (error instanceof UnsafeODataValueError) return undefined; // cannot be looked up exactly
        throw error;
      }
      const personal = 'taxNumber' in organisation ? [organisation.taxNumber] : [organisation.name];
      const rows = await lookupRows(query, personal, callOptions);
      return rows.filter((row) => rowMatchesKey(row, key)).map((row) => row.CustomerAccount as string);
    },

    async findCustomersByEmails(legalEntity, emails, callOptions) {
      const query = buildCustomerBatchLookupQuery(legalEntity, emails);
      return call<Map<string, string[] | undefined>>(
        'GET',
        `/data/CustomersV3?${query}`,
        (answer) => {
          if (answer.status !== 200) return unexpected(answer, options, [...emails]);
          const body = tryParse(answer.body) as { value?: unknown; '@odata.nextLink'?: unknown } | undefined;
          if (!Array.isArray(body?.value))
            return transient('D365 answered the customer lookup without a value list');
          const rows = body.value as Record<string, unknown>[];
          const page = {
            top: emails.length * CUSTOMER_LOOKUP_TOP,
            nextLink: typeof body['@odata.nextLink'] === 'string',
          };
          return { value: attributeLookupRows(emails, rows, page) };
        },
        { call: callOptions },
      );
    },
  };
}
