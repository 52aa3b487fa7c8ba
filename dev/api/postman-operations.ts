import { MINIMAL_CUSTOMER_EXAMPLE } from '../../shared/http/openapi-examples';
import { Json, pollUntil, PROBLEM_SHAPE, request, status } from './postman-parts';
import { operatorChecks } from './postman-operator-checks';

/**
 * The collection's Operations folder (issue 31, docs/operations.md): every `/api/ops/*` route and
 * the console page, with the master key (`{{masterKey}}`). It makes its own failures: two creates
 * with a customer group D365 does not know (`business_error`), then lists them, reads one's detail
 * and payload (audited), edits a bad field (the intake's pointer) and fixes it (the request
 * succeeds), reads the audit log (pointers, never values), retries the other, bulk-replays it as a
 * job and follows it, resolves it with a note, and shows the actions that no longer apply (409).
 */

const unique = (variable: string) =>
  `pm.collectionVariables.set('${variable}', 'postman-ops-' + Date.now() + '-' + Math.floor(Math.random() * 1e6) + '@example.com');`;

/** A customer D365 refuses: its customer group is not one of D365's (`business_error`, no retry). */
const refusedBody = (variable: string) =>
  JSON.stringify(
    {
      Customer: {
        ...MINIMAL_CUSTOMER_EXAMPLE.Customer,
        EmailAddress: `{{${variable}}}`,
        CustomerGroup: 'NOPE',
      },
    },
    null,
    2,
  );

const NO_PERSONAL_DATA = [
  "pm.test('no personal data in the answer', () => {",
  "  pm.expect(pm.response.text()).to.not.include(pm.collectionVariables.get('opsEmailA'));",
  "  pm.expect(pm.response.text()).to.not.include(pm.collectionVariables.get('opsEmailB'));",
  '});',
];

const problemType = (type: string) => [
  ...PROBLEM_SHAPE,
  `pm.test('${type}', () => pm.expect(pm.response.json().type).to.eql('urn:d365-customer-sync:problem:${type}'));`,
];

function createRefused(name: string, emailVariable: string, idVariable: string): Json {
  return request(name, '/customers', 'post', {
    url: '/customers',
    prerequest: [
      unique(emailVariable),
      ...(idVariable === 'opsA'
        ? ["pm.collectionVariables.set('opsFrom', new Date(Date.now() - 1000).toISOString());"]
        : []),
    ],
    rawBody: refusedBody(emailVariable),
    tests: [...status(202), `pm.collectionVariables.set('${idVariable}', pm.response.json().correlationId);`],
  });
}

function statusPoll(name: string, idVariable: string, until: string, tests: string[] = []): Json {
  return request(name, '/customers/status/{correlationId}', 'get', {
    url: `/customers/status/{{${idVariable}}}`,
    tests: pollUntil(name, 'status', [until], tests),
  });
}

/** Finding the failures, one's detail and payload, edit and retry, the audit log. */
function findAndFix(): Json[] {
  const opsA = '/ops/requests/{{opsA}}';
  return [
    createRefused('A customer D365 will refuse (202)', 'opsEmailA', 'opsA'),
    createRefused('Another customer D365 will refuse (202)', 'opsEmailB', 'opsB'),
    statusPoll('The first ends failed (polls)', 'opsA', 'failed', [
      "pm.test('business_error', () => pm.expect(pm.response.json().error.code).to.eql('business_error'));",
    ]),
    statusPoll('The second ends failed (polls)', 'opsB', 'failed'),
    request('List the failed requests, newest first, with counts per code', '/ops/requests', 'get', {
      url: '/ops/requests?status=failed&errorCode=business_error&from={{opsFrom}}&limit=50',
      tests: [
        ...status(200),
        "pm.test('both, newest first, counted by code', () => {",
        '  const page = pm.response.json();',
        '  const ids = page.items.map((item) => item.correlationId);',
        // Newest first by the time each entered the view (the one that failed last leads; the two
        // may fail in either order, on either instance).
        "  pm.expect(ids).to.include.members([pm.collectionVariables.get('opsA'), pm.collectionVariables.get('opsB')]);",
        '  const at = page.items.map((item) => item.at);',
        '  pm.expect(at).to.eql([...at].sort().reverse());',
        '  pm.expect(page.counts.byCode.business_error).to.be.at.least(2);',
        "  page.items.forEach((item) => pm.expect(item.view).to.eql('failed'));",
        '});',
        ...NO_PERSONAL_DATA,
      ],
    }),
    request('A malformed filter (400 with the parameter as pointer)', '/ops/requests', 'get', {
      url: '/ops/requests?status=lost&limit=50',
      tests: [
        ...status(400),
        ...PROBLEM_SHAPE,
        "pm.test('points at status', () => pm.expect(pm.response.json().errors.map((e) => e.pointer)).to.include('/status'));",
      ],
    }),
    request('One request as an operator sees it (no payload)', '/ops/requests/{correlationId}', 'get', {
      url: opsA,
      tests: [
        ...status(200),
        "pm.test('failed, open to every action, no payload', () => {",
        '  const detail = pm.response.json();',
        "  pm.expect(detail).to.include({ status: 'failed', view: 'failed', kind: 'create', hasPayload: true, edited: false });",
        '  pm.expect(detail.actions).to.eql({ retry: true, edit: true, resolve: true, link: false, createNew: false });',
        "  pm.expect(detail).to.not.have.property('payload');",
        '});',
        ...NO_PERSONAL_DATA,
      ],
    }),
    request('Its payload, on an explicit (audited) request', '/ops/requests/{correlationId}/payload', 'get', {
      url: `${opsA}/payload`,
      tests: [
        ...status(200),
        "pm.test('the stored customer request', () => pm.expect(pm.response.json().payload.Customer.EmailAddress).to.eql(pm.collectionVariables.get('opsEmailA')));",
        "pm.test('not cached', () => pm.expect(pm.response.headers.get('Cache-Control')).to.include('no-store'));",
      ],
    }),
    request(
      'Edit and retry with a bad field (400, the intake\u2019s pointer)',
      '/ops/requests/{correlationId}/payload',
      'patch',
      {
        url: `${opsA}/payload`,
        contentType: 'application/merge-patch+json',
        rawBody: JSON.stringify({ Customer: { CustomerGroup: 'this group name is far too long for D365' } }),
        tests: [
          ...status(400),
          ...PROBLEM_SHAPE,
          "pm.test('points at the field', () => pm.expect(pm.response.json().errors.map((e) => e.pointer)).to.include('/Customer/CustomerGroup'));",
        ],
      },
    ),
    request('Edit and retry (JSON Merge Patch, 202)', '/ops/requests/{correlationId}/payload', 'patch', {
      url: `${opsA}/payload`,
      contentType: 'application/merge-patch+json',
      rawBody: JSON.stringify({ Customer: { CustomerGroup: '20' } }, null, 2),
      tests: [
        ...status(202),
        "pm.test('queued again, edited, the changed member named', () => {",
        '  const answer = pm.response.json();',
        "  pm.expect(answer.changed).to.eql(['/Customer/CustomerGroup']);",
        "  pm.expect(answer.request).to.include({ edited: true, correlationId: pm.collectionVariables.get('opsA') });",
        '});',
      ],
    }),
    statusPoll('The edited request succeeds (polls)', 'opsA', 'succeeded', [
      "pm.test('a D365 account', () => pm.expect(pm.response.json().customerAccount).to.be.a('string'));",
    ]),
    request('Its audit log: who did what, never the values', '/ops/audit', 'get', {
      url: '/ops/audit?correlationId={{opsA}}',
      tests: [
        ...status(200),
        "pm.test('the payload read and the edit, newest first, with the changed pointer', () => {",
        '  const entries = pm.response.json().entries;',
        '  const actions = entries.map((e) => e.action);',
        "  pm.expect(actions.indexOf('request.edit_retry')).to.be.within(0, actions.indexOf('payload.read') - 1);",
        "  const edit = entries.find((e) => e.action === 'request.edit_retry');",
        "  pm.expect(edit.fields).to.eql(['/Customer/CustomerGroup']);",
        "  pm.expect(edit.actor.kind).to.eql('key');",
        '});',
        "pm.test('never the values', () => pm.expect(pm.response.text()).to.not.include('\"20\"'));",
        ...NO_PERSONAL_DATA,
      ],
    }),
    request('The whole audit log, a page at a time', '/ops/audit', 'get', {
      url: '/ops/audit?limit=5',
      tests: [
        ...status(200),
        "pm.test('at most 5 entries, newest first', () => {",
        '  const at = pm.response.json().entries.map((e) => e.at);',
        '  pm.expect(at.length).to.be.within(1, 5);',
        '  pm.expect(at).to.eql([...at].sort().reverse());',
        '});',
      ],
    }),
  ];
}

/** Retry as it is, bulk replay as one job, resolve with a note; and what no longer applies. */
function replayAndResolve(): Json[] {
  const opsB = '/ops/requests/{{opsB}}';
  return [
    request('Retry a failed request as it is (202)', '/ops/requests/{correlationId}/retry', 'post', {
      url: `${opsB}/retry`,
      tests: [
        ...status(202),
        "pm.test('queued again', () => pm.expect(pm.response.json().correlationId).to.eql(pm.collectionVariables.get('opsB')));",
      ],
    }),
    statusPoll('It fails again: the group is still wrong (polls)', 'opsB', 'failed'),
    request('Bulk replay by IDs: one job (202)', '/ops/replays', 'post', {
      url: '/ops/replays',
      rawBody: JSON.stringify({ correlationIds: ['{{opsB}}'] }, null, 2),
      tests: [
        ...status(202),
        "pm.test('a running job, followed at Location', () => {",
        '  const job = pm.response.json();',
        "  pm.expect(job.state).to.eql('running');",
        '  pm.expect(job.counts.total).to.eql(1);',
        "  pm.expect(pm.response.headers.get('Location')).to.include('/ops/replays/' + job.id);",
        "  pm.collectionVariables.set('replayJobId', job.id);",
        '});',
      ],
    }),
    request('A replay body with both or neither (400)', '/ops/replays', 'post', {
      url: '/ops/replays',
      rawBody: JSON.stringify({ correlationIds: ['not-a-correlation-id'] }, null, 2),
      tests: [
        ...status(400),
        ...PROBLEM_SHAPE,
        "pm.test('points at the ID', () => pm.expect(pm.response.json().errors.map((e) => e.pointer)).to.include('/correlationIds/0'));",
      ],
    }),
    request('The job\u2019s progress (polls until done)', '/ops/replays/{jobId}', 'get', {
      url: '/ops/replays/{{replayJobId}}',
      tests: pollUntil(
        'The job\u2019s progress (polls until done)',
        'state',
        ['done'],
        [
          "pm.test('one released and ended: it failed again', () => {",
          '  const counts = pm.response.json().counts;',
          '  pm.expect(counts).to.include({ total: 1, released: 1, pending: 0, failed: 1 });',
          '});',
        ],
      ),
    }),
    request('The last jobs, newest first', '/ops/replays', 'get', {
      url: '/ops/replays',
      tests: [
        ...status(200),
        "pm.test('the job first', () => pm.expect(pm.response.json().items[0].id).to.eql(pm.collectionVariables.get('replayJobId')));",
      ],
    }),
    request('Cancel a finished job (409)', '/ops/replays/{jobId}/cancel', 'post', {
      url: '/ops/replays/{{replayJobId}}/cancel',
      tests: [...status(409), ...problemType('action-refused')],
    }),
    request(
      'Resolve it with a note (handled in D365 by hand)',
      '/ops/requests/{correlationId}/resolve',
      'post',
      {
        url: `${opsB}/resolve`,
        body: { note: 'Created by hand in D365.' },
        tests: [
          ...status(200),
          "pm.test('resolved by hand, its status kept', () => {",
          '  const detail = pm.response.json();',
          "  pm.expect(detail).to.include({ status: 'failed', view: 'resolved' });",
          "  pm.expect(detail.resolution.how).to.eql('manual');",
          '});',
        ],
      },
    ),
    request('Resolve it again (409, resolved already)', '/ops/requests/{correlationId}/resolve', 'post', {
      url: `${opsB}/resolve`,
      body: {},
      tests: [
        ...status(409),
        ...problemType('action-refused'),
        "pm.test('says why', () => pm.expect(pm.response.json().detail).to.eql('The request is resolved already.'));",
      ],
    }),
    request(
      'Link a request that has no candidates (409; issue 32: needs_review possible duplicates only)',
      '/ops/requests/{correlationId}/link',
      'post',
      {
        url: `${opsB}/link`,
        body: { customerAccount: 'US-000123' },
        tests: [
          ...status(409),
          ...problemType('action-refused'),
          "pm.test('says why', () => pm.expect(pm.response.json().detail).to.eql('The request is resolved already.'));",
        ],
      },
    ),
    request(
      'Create a new customer for a request that is no possible duplicate (409)',
      '/ops/requests/{correlationId}/create-new',
      'post',
      {
        url: `${opsB}/create-new`,
        tests: [...status(409), ...problemType('action-refused')],
      },
    ),
    request('The resolved view', '/ops/requests', 'get', {
      url: '/ops/requests?status=resolved&from={{opsFrom}}',
      tests: [
        ...status(200),
        "pm.test('lists it, resolved by hand', () => {",
        "  const item = pm.response.json().items.find((i) => i.correlationId === pm.collectionVariables.get('opsB'));",
        "  pm.expect(item).to.include({ view: 'resolved', resolution: 'manual' });",
        '});',
        ...NO_PERSONAL_DATA,
      ],
    }),
    request('Bulk replay when nothing matches (409)', '/ops/replays', 'post', {
      url: '/ops/replays',
      body: { filter: { errorCode: 'business_error', from: '2999-01-01T00:00:00Z' } },
      tests: [...status(409), ...problemType('action-refused')],
    }),
  ];
}

/** The console page, with the master key and (keys on) with a function key. */
function consolePage(): Json[] {
  return [
    request('The console page (HTML, strict CSP)', '/console', 'get', {
      url: '/console',
      tests: [
        ...status(200),
        "pm.test('an HTML page with a nonce-based script policy', () => {",
        "  pm.expect(pm.response.headers.get('Content-Type')).to.include('text/html');",
        "  pm.expect(pm.response.headers.get('Content-Security-Policy')).to.include(\"script-src 'nonce-\");",
        "  pm.expect(pm.response.text()).to.include('<form');",
        '});',
      ],
    }),
    request('The console with a function key (401 when keys are on)', '/console', 'get', {
      url: '/console',
      headers: [{ key: 'x-functions-key', value: '{{functionKey}}' }],
      replaceKey: true,
      tests: [
        "if (pm.variables.get('masterKey')) {",
        "  pm.test('status 401', () => pm.response.to.have.status(401));",
        '} else {',
        "  pm.test('no keys locally: the page', () => pm.response.to.have.status(200));",
        '}',
      ],
    }),
  ];
}

export function operationsFolder(): Json {
  return {
    name: 'Operations (operator console)',
    description:
      'Every operations route (docs/operations.md) with the master key (`masterKey`; empty locally without keys): it makes two failures of its own, finds them, edits one and retries it, replays the other as a job, resolves it, and reads the audit log; then checks the configuration (`/health/deep`), backfills `backfillSource` as a dry run and follows it, and shows the shop write-back retry\u2019s refusals. With `CALLER_AUTH=app-service`, send an Entra ID token with `CALLER_ROLE_OPERATOR` instead of the key.',
    item: [...findAndFix(), ...replayAndResolve(), ...operatorChecks(), ...consolePage()],
  };
}
