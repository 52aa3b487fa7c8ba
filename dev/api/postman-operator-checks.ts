import { Json, pollUntil, PROBLEM_SHAPE, request, status } from './postman-parts';

/**
 * The Operations folder's other operator routes (issue 31): the deep health check (issue 25's
 * doctor as a route), a shop backfill (issue 30) started as a dry run and followed until done, and
 * the shop write-back retry (issue 28). They run after the folder's own failures: `{{opsA}}` is a
 * request that ended `succeeded` with no shop write-back.
 *
 * The backfill reads `{{backfillSource}}` (the local stack's BigCommerce store, which has an Admin
 * API token and one customer): a dry run sends nothing to D365, so the folder runs again and again.
 * A write-back that really failed needs the shop to refuse the app's token, which only the shop
 * (or the emulator's control API) can do; the collection shows the route's refusals instead.
 */

const problemType = (type: string) => [
  ...PROBLEM_SHAPE,
  `pm.test('${type}', () => pm.expect(pm.response.json().type).to.eql('urn:d365-customer-sync:problem:${type}'));`,
];

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const BACKFILL_PROGRESS = 'The backfill\u2019s progress (polls until done)';

function deepHealth(): Json {
  return request('Check the configuration step by step (deep health)', '/health/deep', 'get', {
    url: '/health/deep',
    tests: [
      ...status(200),
      "pm.test('every step passed, never cached', () => {",
      '  const answer = pm.response.json();',
      "  pm.expect(answer.status).to.eql('ok');",
      '  pm.expect(answer.steps.length).to.be.above(2);',
      '  answer.steps.forEach((step) => pm.expect(step.ok, step.step).to.eql(true));',
      "  pm.expect(pm.response.headers.get('Cache-Control')).to.eql('no-store');",
      '});',
    ],
  });
}

function backfill(): Json[] {
  return [
    request('Backfill a shop\u2019s customers, as a dry run (202)', '/backfills', 'post', {
      url: '/backfills',
      rawBody: JSON.stringify({ source: '{{backfillSource}}', dryRun: true }, null, 2),
      tests: [
        ...status(202),
        "pm.test('a running dry run, followed at Location', () => {",
        '  const job = pm.response.json();',
        "  pm.expect(job).to.include({ source: pm.variables.get('backfillSource'), dryRun: true, state: 'running' });",
        "  pm.expect(pm.response.headers.get('Location')).to.include('/backfills/' + job.jobId);",
        "  pm.collectionVariables.set('backfillJobId', job.jobId);",
        '});',
      ],
    }),
    request('Backfill a source with no Admin API token (400)', '/backfills', 'post', {
      url: '/backfills',
      body: { source: 'local-standard' },
      tests: [
        ...status(400),
        ...problemType('invalid-request'),
        "pm.test('points at source', () => pm.expect(pm.response.json().errors.map((e) => e.pointer)).to.eql(['/source']));",
      ],
    }),
    request('Backfill from a Shopify customer export with no row to send (400)', '/backfills/csv', 'post', {
      url: '/backfills/csv?source=local-shopify',
      contentType: 'text/csv',
      rawBody: 'First Name,Last Name,Email\nAda,Lovelace,not-an-address\n',
      tests: [
        ...status(400),
        ...problemType('invalid-request'),
        "pm.test('points at the row and column', () => pm.expect(pm.response.json().errors.map((e) => e.pointer)).to.eql(['/rows/0/Email']));",
      ],
    }),
    request(BACKFILL_PROGRESS, '/backfills/{jobId}', 'get', {
      url: '/backfills/{{backfillJobId}}',
      // A page waits for the backfill queue's trigger and the shop's budget: up to two minutes of polls.
      tests: pollUntil(
        BACKFILL_PROGRESS,
        'state',
        ['done'],
        [
          "pm.test('the shop\u2019s customers listed, each counted once', () => {",
          '  const job = pm.response.json();',
          '  pm.expect(job.pages).to.be.at.least(1);',
          '  pm.expect(job.counts.found).to.be.at.least(1);',
          '  const { queued, replayed, skippedLinked, unmappable } = job.counts;',
          '  pm.expect(queued + replayed + skippedLinked + unmappable).to.eql(job.counts.found);',
          '});',
        ],
        240,
      ),
    }),
    request('A backfill nobody started (404)', '/backfills/{jobId}', 'get', {
      url: `/backfills/${UNKNOWN_ID}`,
      tests: [...status(404), ...problemType('not-found')],
    }),
  ];
}

function writeBackRetry(): Json[] {
  const route = '/customers/status/{correlationId}/write-back/retry';
  return [
    request('Retry the shop write-back of a request that has none (409)', route, 'post', {
      url: '/customers/status/{{opsA}}/write-back/retry',
      tests: [
        ...status(409),
        ...problemType('not-replayable'),
        "pm.test('says which write-back can be retried', () => pm.expect(pm.response.json().detail).to.include('Only a failed shop write-back'));",
      ],
    }),
    request('Retry the shop write-back of an unknown request (404)', route, 'post', {
      url: `/customers/status/${UNKNOWN_ID}/write-back/retry`,
      tests: [...status(404), ...problemType('not-found')],
    }),
  ];
}

export function operatorChecks(): Json[] {
  return [deepHealth(), ...backfill(), ...writeBackRetry()];
}
