import { classifyD365Answer, D365Answer, D365ClientOptions } from './d365-client';
import { ProcessingError } from '../../domain/failure';

const options: D365ClientOptions = {
  url: 'https://contoso.operations.dynamics.com',
  target: 'custom-service',
  servicePath: '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer',
  accountField: 'CustomerAccount',
  timeoutMs: 1000,
};

const answer = (status: number, body: unknown, extra: Partial<D365Answer> = {}): D365Answer => ({
  status,
  retryAfter: null,
  contentType:
    typeof body === 'string' && body.startsWith('<') ? 'text/html' : 'application/json; charset=utf-8',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...extra,
});

const failureOf = (result: ReturnType<typeof classifyD365Answer>) => {
  expect(result).toBeInstanceOf(ProcessingError);
  return (result as ProcessingError).failure;
};

describe('classifying D365 answers by status and body together', () => {
  it('reads the account from the configured field of a Json.NET data contract', () => {
    expect(classifyD365Answer(answer(200, { $id: '1', CustomerAccount: 'US-000123' }), options, [])).toEqual({
      kind: 'created',
      customerAccount: 'US-000123',
    });
    expect(
      classifyD365Answer(
        answer(200, { $id: '1', CustAccount: 'C-9' }),
        { ...options, accountField: 'CustAccount' },
        [],
      ),
    ).toEqual({ kind: 'created', customerAccount: 'C-9' });
  });

  it('accepts a bare JSON string as the account', () => {
    expect(classifyD365Answer(answer(200, '"004012"'), options, [])).toEqual({
      kind: 'created',
      customerAccount: '004012',
    });
  });

  it('reads CustomerAccount from a created CustomersV3 entity', () => {
    const odata = { ...options, target: 'odata' as const };
    expect(
      classifyD365Answer(answer(201, { dataAreaId: 'usrt', CustomerAccount: 'US-7' }), odata, []),
    ).toEqual({
      kind: 'created',
      customerAccount: 'US-7',
    });
  });

  it('reads a 2xx without an account as created with the account still to find, never a business error', () => {
    // An X++ operation with a void/boolean return, `null`, a bare Json.NET contract, a 204.
    for (const [status, body] of [
      [200, ''],
      [200, 'null'],
      [200, 'true'],
      [200, { $id: '1' }],
      [200, { $id: '1', CustomerAccount: '' }],
      [204, ''],
    ] as const) {
      expect(classifyD365Answer(answer(status, body), options, [])).toEqual({ kind: 'accepted' });
    }
  });

  it('reads the account of a 204 (return=minimal) from its Location key', () => {
    const odata = { ...options, target: 'odata' as const };
    const location = "https://x/data/CustomersV3(dataAreaId='usrt',CustomerAccount='US-000009')";
    expect(classifyD365Answer(answer(204, '', { location }), odata, [])).toEqual({
      kind: 'created',
      customerAccount: 'US-000009',
    });
  });

  it('retries a 500 whose Infolog is a rolled-back deadlock or update conflict', () => {
    const bodies = [
      {
        Message:
          'An exception occured when invoking the operation - Cannot create a record in Customers (CustTable). Deadlock, where one or more users have simultaneously locked the whole table or part of it.',
        ExceptionType: 'Microsoft.Dynamics.Ax.Xpp.DeadlockException',
      },
      {
        Message:
          'An exception occured when invoking the operation - Cannot edit a record in Global address book (DirPartyTable). An update conflict occurred due to another user process deleting the record or changing one or more fields in the record.',
        ExceptionType: 'Microsoft.Dynamics.Ax.Xpp.UpdateConflictException',
      },
      {
        error: {
          code: '',
          message: 'An error has occurred.',
          innererror: {
            message:
              "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Error: Transaction (Process ID 71) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.",
            type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
          },
        },
      },
    ];
    for (const body of bodies) {
      const failure = failureOf(classifyD365Answer(answer(500, body), options, []));
      expect(failure).toMatchObject({ kind: 'transient' });
      expect(failure).not.toHaveProperty('uncertain');
    }
  });

  it('treats a 500 without an X++ message as uncertain (the create may have run), not as a business error', () => {
    for (const body of [
      { Message: 'An error has occurred.' },
      { error: { code: '', message: 'An error has occurred.' } },
      {},
    ]) {
      expect(failureOf(classifyD365Answer(answer(500, body), options, []))).toMatchObject({
        kind: 'transient',
        uncertain: true,
      });
    }
  });

  it('treats a 500 with an X++ exception body as a business error, keeping the Infolog text', () => {
    const body = {
      Message: 'An exception occured when invoking the operation - The record already exists.',
      ExceptionType: 'DuplicateKeyException',
      ActivityId: '6e0c1b0a-0000-0000-0000-000000000000',
    };
    expect(failureOf(classifyD365Answer(answer(500, body), options, []))).toEqual({
      kind: 'permanent',
      code: 'business_error',
      message: expect.stringMatching(
        /^The record already exists\. \(DuplicateKeyException\) \(D365 message d365:[0-9a-f]{8}\)$/,
      ),
    });
  });

  it('treats a 500 HTML page as a transient gateway failure', () => {
    expect(
      failureOf(classifyD365Answer(answer(500, '<html><body>Server Error</body></html>'), options, [])),
    ).toMatchObject({
      kind: 'transient',
    });
  });

  it.each([502, 503, 504])('treats %i as transient, honouring Retry-After', (status) => {
    const failure = failureOf(
      classifyD365Answer(answer(status, '<html>Bad gateway</html>', { retryAfter: '7' }), options, []),
    );
    expect(failure).toEqual({
      kind: 'transient',
      reason: `D365 answered ${status}`,
      retryAfterSeconds: 7,
      // A gateway's 502/504 may have passed the call on; a 503 did not.
      ...(status !== 503 && { uncertain: true }),
    });
  });

  it('treats 429 as transient with the Retry-After seconds', () => {
    const failure = failureOf(
      classifyD365Answer(
        answer(429, { Message: 'high resource utilization' }, { retryAfter: '12' }),
        options,
        [],
      ),
    );
    expect(failure).toEqual({
      kind: 'transient',
      reason: 'D365 throttled the request (429)',
      retryAfterSeconds: 12,
      throttled: true,
    });
  });

  it('asks for a fresh token on 401 and fails as not registered on 403', () => {
    expect(classifyD365Answer(answer(401, ''), options, [])).toEqual({ kind: 'unauthorized' });
    expect(failureOf(classifyD365Answer(answer(403, ''), options, []))).toMatchObject({
      kind: 'permanent',
      code: 'not_registered',
    });
  });

  it('fails a 404 (no service at the configured path) as configuration, naming the setting', () => {
    expect(failureOf(classifyD365Answer(answer(404, ''), options, []))).toMatchObject({
      kind: 'permanent',
      code: 'configuration',
      message: 'D365 answered 404: no custom service at D365_SERVICE_PATH; check it and D365_URL.',
    });
  });

  it('extracts the Infolog entries of an OData write failure (400 or 500)', () => {
    const body = {
      error: {
        code: '',
        message: 'An error has occurred.',
        innererror: {
          message:
            "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.; Error: Update has been canceled.",
          type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
        },
      },
    };
    for (const status of [400, 500]) {
      expect(
        failureOf(classifyD365Answer(answer(status, body), { ...options, target: 'odata' }, [])),
      ).toEqual({
        kind: 'permanent',
        code: 'business_error',
        // The value is gone (it could be anyone's); the field and table labels stay.
        message: expect.stringMatching(
          /^Warning: The value \[redacted\] in field 'Customer group' is not found in the related table 'Customer groups'\.; Error: Update has been canceled\. \(D365 message d365:[0-9a-f]{8}\)$/,
        ),
      });
    }
  });

  it('removes personal values D365 echoed in its error text', () => {
    const body = {
      Message:
        'An exception occured when invoking the operation - Customer Alex Trump with e-mail abc1234@gmail.com exists.',
      ExceptionType: 'XppException',
    };
    const failure = failureOf(classifyD365Answer(answer(500, body), options, ['Alex', 'Trump']));
    expect(failure.kind === 'permanent' && failure.message).toMatch(
      /^Customer \[redacted\] \[redacted\] with e-mail \[redacted\] exists\. \(XppException\) \(D365 message d365:[0-9a-f]{8}\)$/,
    );
  });
});
