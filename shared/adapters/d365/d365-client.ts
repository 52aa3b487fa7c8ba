import { toCustomersV3Body, toCustomServiceBody } from './d365-payload';
import { buildCustomerLookupQuery } from './odata-filter';
import {
  asProcessingError,
  permanent,
  ProcessingError,
  parseRetryAfter,
  transient,
} from '../../domain/failure';
import { personalValues, scrub, truncate } from '../../domain/redaction';
import { TokenSource, D365Client } from '../../ports';

export interface D365ClientOptions {
  url: string;
  target: 'custom-service' | 'odata';
  servicePath: string;
  accountField: string;
  timeoutMs: number;
}

/** What D365 answered, reduced to what classification needs. */
export interface D365Answer {
  status: number;
  retryAfter: string | null;
  contentType: string;
  body: string;
}

type Classified = { kind: 'created'; customerAccount: string } | { kind: 'unauthorized' } | ProcessingError;

const tryParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The Infolog text of a custom-service exception: what follows "when invoking the operation - ". */
function customServiceReason(body: unknown): string | undefined {
  const { Message, ExceptionType } = (body ?? {}) as { Message?: unknown; ExceptionType?: unknown };
  if (typeof Message !== 'string') return undefined;
  const text = Message.replace(/^An exception occ?urr?ed when invoking the operation - /, '');
  return typeof ExceptionType === 'string' ? `${text} (${ExceptionType})` : text;
}

/** The Infolog text of an OData error: the entries after "Infolog:", else the inner or outer message. */
function odataReason(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; innererror?: { message?: unknown } } } | undefined)
    ?.error;
  if (!error) return undefined;
  const inner = typeof error.innererror?.message === 'string' ? error.innererror.message : undefined;
  if (inner?.includes('Infolog:')) return inner.slice(inner.indexOf('Infolog:') + 'Infolog:'.length).trim();
  return inner ?? (typeof error.message === 'string' ? error.message : undefined);
}

/**
 * Classifies a D365 answer by its status and body together (the contract page, section 1 and 5):
 * a 500 with a custom-service exception body is a business error, a 500 HTML page is a gateway
 * failure; 429/502/503/504 are transient; 401 asks for a fresh token; 403 means the app is not
 * registered in D365.
 */
export function classifyD365Answer(
  answer: D365Answer,
  options: D365ClientOptions,
  personal: string[],
): Classified {
  const body = answer.contentType.includes('json') ? tryParse(answer.body) : undefined;
  const reason = (text: string | undefined): string =>
    truncate(scrub(text ?? `HTTP ${answer.status}`, personal));
  const { status } = answer;

  if (status === 200 || status === 201) {
    const value = body as Record<string, unknown> | string | undefined;
    const account =
      typeof value === 'string'
        ? value
        : options.target === 'odata'
          ? value?.CustomerAccount
          : value?.[options.accountField];
    if (typeof account === 'string' && account.trim() !== '')
      return { kind: 'created', customerAccount: account.trim() };
    return permanent(
      'business_error',
      `D365 answered ${status} without a customer account in '${options.target === 'odata' ? 'CustomerAccount' : options.accountField}'.`,
    );
  }
  if (status === 401) return { kind: 'unauthorized' };
  if (status === 403)
    return permanent('not_registered', 'D365 answered 403 (application not registered in D365).');
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
  const businessText = customServiceReason(body) ?? odataReason(body);
  if (status >= 500) {
    // A JSON exception body is an X++ business error; anything else is the gateway or an outage.
    if (status === 500 && businessText !== undefined)
      return permanent('business_error', reason(businessText));
    // 502/504 and a bare 500 come from a gateway that may have passed the call on; 503 did not.
    return transient(`D365 answered ${status}`, {
      retryAfterSeconds: parseRetryAfter(answer.retryAfter),
      uncertain: status !== 503,
    });
  }
  return permanent('business_error', reason(businessText));
}

export function d365Client(tokens: TokenSource, options: D365ClientOptions): D365Client {
  const send = async (
    method: 'GET' | 'POST',
    path: string,
    token: string,
    body?: unknown,
  ): Promise<D365Answer> => {
    try {
      const response = await fetch(`${options.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        contentType: response.headers.get('content-type') ?? '',
        body: await response.text(),
      };
    } catch (error) {
      throw asProcessingError(error, 'D365');
    }
  };

  /** Sends with a cached token, and once more with a fresh one if D365 answers 401. */
  const call = async (
    method: 'GET' | 'POST',
    path: string,
    classify: (answer: D365Answer) => Classified,
    body?: unknown,
  ): Promise<string> => {
    for (const fresh of [false, true]) {
      const result = classify(await send(method, path, await tokens.getToken({ fresh }), body));
      if (result instanceof ProcessingError) throw result;
      if (result.kind === 'created') return result.customerAccount;
    }
    throw permanent('unauthorized', 'D365 answered 401 to a freshly issued token.');
  };

  return {
    async createCustomer(request) {
      const [path, body] =
        options.target === 'odata'
          ? ['/data/CustomersV3', toCustomersV3Body(request)]
          : [options.servicePath, toCustomServiceBody(request)];
      const personal = personalValues(request);
      const customerAccount = await call(
        'POST',
        path,
        (answer) => classifyD365Answer(answer, options, personal),
        body,
      );
      return { customerAccount };
    },

    async findCustomersByEmail(legalEntity, email) {
      const path = `/data/CustomersV3?${buildCustomerLookupQuery(legalEntity, email)}`;
      const found = await call('GET', path, (answer) => {
        if (answer.status !== 200)
          return classifyD365Answer(answer, { ...options, target: 'odata' }, [email]);
        const rows = (tryParse(answer.body) as { value?: { CustomerAccount?: unknown }[] } | undefined)
          ?.value;
        if (!Array.isArray(rows)) return transient('D365 answered the customer lookup without a value list');
        const accounts = rows
          .map((row) => row.CustomerAccount)
          .filter((a): a is string => typeof a === 'string' && a !== '');
        // The accounts travel as one JSON string through the 401 loop above.
        return { kind: 'created', customerAccount: JSON.stringify(accounts) };
      });
      return JSON.parse(found) as string[];
    },
  };
}
