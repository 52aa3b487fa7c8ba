/**
 * The console's script (runs in the browser, as it is: no build step). It only calls the
 * operations API, and writes every value with `textContent` (nothing the API answers is parsed as
 * HTML). The master key it was opened with (`?code=`) moves into `sessionStorage` and a header, and
 * out of the address bar and history at once.
 */
export const CONSOLE_SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
if (params.has('code')) {
  sessionStorage.setItem('opsKey', params.get('code'));
  params.delete('code');
  history.replaceState(null, '', location.pathname + (params.size ? '?' + params : ''));
}
const key = sessionStorage.getItem('opsKey');
let cursor, current;
// A deep link (the workbook's, an alert's, a colleague's): the filter in the address, e.g.
// ?status=failed&errorCode=not_registered&legalEntity=USRT (from/to kept too); ?request=<id> opens one.
for (const name of ['status', 'errorCode', 'legalEntity', 'source']) if (params.get(name)) $('f-' + name).value = params.get(name);
const range = {};
for (const name of ['from', 'to']) if (params.get(name)) range[name] = params.get(name);

async function api(method, path, body, type = 'application/json') {
  const headers = key ? { 'x-functions-key': key } : {};
  if (body !== undefined) headers['content-type'] = type;
  const response = await fetch('/api/ops' + path, {
    method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (response.status === 401 || response.status === 403)
    say('Not signed in as an operator (' + response.status + ').');
  return { status: response.status, json };
}
function say(text) { $('outcome').textContent = text; $('who').textContent = text.startsWith('Not signed') ? text : ''; }
function cell(row, text) { const td = document.createElement('td'); td.textContent = text ?? ''; row.append(td); }

async function search(more) {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData($('filters'))) if (value) query.set(name, String(value));
  for (const [name, value] of Object.entries(range)) query.set(name, value);
  // The address is the filter: copy it to share this view (the key never goes in it).
  if (!more) history.replaceState(null, '', location.pathname + '?' + query);
  if (more && cursor) query.set('cursor', cursor);
  const { status, json } = await api('GET', '/requests?' + query);
  if (status !== 200) { $('counts').textContent = json?.errors?.map((e) => e.detail).join('; ') ?? ''; return; }
  const body = $('list').tBodies[0];
  if (!more) body.replaceChildren();
  for (const item of json.items) {
    const row = document.createElement('tr');
    row.tabIndex = 0;
    row.dataset.id = item.correlationId;
    for (const text of [item.correlationId, item.status, item.errorCode, item.source, item.legalEntity, item.at]) cell(row, text);
    row.addEventListener('click', () => open(item.correlationId));
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(item.correlationId); } });
    body.append(row);
  }
  cursor = json.cursor;
  $('more').hidden = !cursor;
  if (json.counts)
    $('counts').textContent = json.counts.total + ' in all: ' +
      Object.entries(json.counts.byCode).map(([code, n]) => code + ' ' + n).join(', ');
}

async function open(id) {
  const { status, json } = await api('GET', '/requests/' + id);
  if (status !== 200) return;
  current = json;
  const facts = $('facts');
  facts.replaceChildren();
  const fact = (name, value) => {
    if (value === undefined) return;
    const dt = document.createElement('dt'); dt.textContent = name;
    const dd = document.createElement('dd'); dd.textContent = value;
    facts.append(dt, dd);
  };
  fact('Correlation ID', json.correlationId); fact('Status', json.status); fact('Kind', json.kind);
  fact('Error', json.error && json.error.code + ': ' + json.error.message);
  fact('Attempts', String(json.attempts)); fact('Updated', json.updatedAt);
  fact('Resolved', json.resolution && json.resolution.how + ' by ' + json.resolution.by + (json.resolution.note ? ': ' + json.resolution.note : ''));
  fact('Edited', json.edited ? 'yes' : undefined);
  $('retry').disabled = !json.actions.retry;
  $('show-payload').disabled = !json.hasPayload;
  $('edit').hidden = !json.actions.edit;
  $('resolve').hidden = !json.actions.resolve;
  // Issue 32: a possible duplicate's candidates, by account and the fields they matched on (never values).
  fact('Review', json.reviewDecision);
  $('review').hidden = !json.actions.link;
  $('create-new').hidden = !json.actions.createNew;
  $('candidate').replaceChildren(...(json.review ? json.review.candidates : []).map((account) => {
    const option = document.createElement('option'); option.value = account; option.textContent = account; return option;
  }));
  $('review-why').textContent = json.review
    ? 'Possible match: ' + json.review.candidates.length + ' D365 customer(s), matched on ' + (json.review.matchedOn ?? 'unknown fields') + '.'
    : '';
  $('payload').hidden = true; $('edit-errors').replaceChildren(); say('');
  $('detail').hidden = false;
  $('detail-title').textContent = 'Request ' + json.correlationId;
  $('detail-title').tabIndex = -1; $('detail-title').focus();
}

$('filters').addEventListener('submit', (e) => { e.preventDefault(); search(false); });
$('more').addEventListener('click', () => search(true));
$('show-payload').addEventListener('click', async () => {
  const { status, json } = await api('GET', '/requests/' + current.correlationId + '/payload');
  if (status !== 200) return say(json?.detail ?? 'No payload.');
  $('payload').textContent = JSON.stringify(json, null, 2);
  $('payload').hidden = false;
});
$('retry').addEventListener('click', async () => {
  const { status, json } = await api('POST', '/requests/' + current.correlationId + '/retry');
  say(status === 202 ? 'Queued again.' : json?.detail ?? 'Refused.');
});
$('edit').addEventListener('submit', async (e) => {
  e.preventDefault();
  const list = $('edit-errors');
  list.replaceChildren();
  let patch;
  try { patch = JSON.parse($('patch').value); } catch { patch = undefined; }
  if (patch === undefined) { const li = document.createElement('li'); li.textContent = 'The patch is not JSON.'; list.append(li); return; }
  const { status, json } = await api('PATCH', '/requests/' + current.correlationId + '/payload', patch, 'application/merge-patch+json');
  if (status === 400 || status === 415) {
    for (const error of json.errors ?? []) {
      const li = document.createElement('li');
      li.textContent = (error.pointer || 'body') + ': ' + error.detail;
      li.dataset.pointer = error.pointer;
      list.append(li);
    }
    return;
  }
  say(status === 202 ? 'Queued again; changed ' + json.changed.join(', ') + '.' : json?.detail ?? 'Refused.');
});
$('resolve').addEventListener('submit', async (e) => {
  e.preventDefault();
  const { status, json } = await api('POST', '/requests/' + current.correlationId + '/resolve', { note: $('note').value });
  say(status === 200 ? 'Resolved.' : json?.detail ?? 'Refused.');
});

$('review').addEventListener('submit', async (e) => {
  e.preventDefault();
  const { status, json } = await api('POST', '/requests/' + current.correlationId + '/link', { customerAccount: $('candidate').value });
  say(status === 200 ? 'Linked to ' + json.customerAccount + '.' : json?.detail ?? 'Refused.');
});
$('create-new').addEventListener('click', async () => {
  const { status, json } = await api('POST', '/requests/' + current.correlationId + '/create-new');
  say(status === 202 ? 'Queued again: a new customer will be created.' : json?.detail ?? 'Refused.');
});

// Bulk replay: one job for every failed request the filter matches; its progress polled each second.
let replayJob, replayTimer;
function filterOf() {
  const filter = { ...range };
  for (const [name, value] of new FormData($('filters'))) if (value && name !== 'status') filter[name] = String(value);
  return filter;
}
function showReplay(job) {
  replayJob = job;
  const c = job.counts;
  const ended = c.succeeded + c.failed + c.needsReview + c.skipped;
  $('replay-progress').max = Math.max(1, c.total);
  $('replay-progress').value = Math.min(ended, c.total);
  $('replay-status').textContent = 'Replay ' + job.state + ': ' + ended + ' of ' + c.total + ' done (' +
    c.succeeded + ' succeeded, ' + c.failed + ' failed again, ' + c.needsReview + ' need review, ' +
    c.skipped + ' skipped; ' + c.pending + ' on their way).';
  const running = job.finishedAt === undefined;
  $('replay-cancel').hidden = !running || job.state !== 'running';
  $('replay-all').disabled = running;
  clearTimeout(replayTimer);
  if (running) replayTimer = setTimeout(pollReplay, 1000);
  else search(false);
}
async function pollReplay() {
  const { status, json } = await api('GET', '/replays/' + replayJob.id);
  if (status === 200) showReplay(json); else replayTimer = setTimeout(pollReplay, 3000);
}
$('replay-all').addEventListener('click', async () => {
  if (new FormData($('filters')).get('status') !== 'failed')
    return ($('replay-status').textContent = 'Only failed requests are replayed: choose the failed view.');
  const { status, json } = await api('POST', '/replays', { filter: filterOf() });
  if (status === 202) showReplay(json);
  else $('replay-status').textContent = json?.detail ?? 'Refused.';
});
$('replay-cancel').addEventListener('click', async () => {
  const { status, json } = await api('POST', '/replays/' + replayJob.id + '/cancel');
  if (status === 200) showReplay(json); else $('replay-status').textContent = json?.detail ?? 'Refused.';
});
(async () => {
  const { status, json } = await api('GET', '/replays');
  const running = status === 200 && json.items.find((job) => job.finishedAt === undefined);
  if (running) showReplay(running);
})();
search(false);
if (/^[0-9a-f-]{36}$/i.test(params.get('request') ?? '')) open(params.get('request'));
`;
