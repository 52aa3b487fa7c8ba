import { randomBytes } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { CONSOLE_SCRIPT } from './script';
import { CONSOLE_STYLE } from './style';

/**
 * The operator console (`GET /api/console`, issue 31): one page, no build step, no library: plain
 * HTML with labelled controls, and a script that calls the operations API with the operator's own
 * credentials (the master key it was opened with, `?code=`, moved into a header and out of the
 * address bar at once; or the App Service Authentication session cookie). No personal data is on
 * the page until the operator asks for a payload, which the API audits.
 */
const BODY = `
<header><h1>Customer sync: operations</h1><p id="who" aria-live="polite"></p></header>
<main>
  <section aria-labelledby="filters-title">
    <h2 id="filters-title">Find requests</h2>
    <form id="filters">
      <label for="f-status">View</label>
      <select id="f-status" name="status">
        <option value="failed">failed</option><option value="needs_review">needs review</option>
        <option value="retrying">retrying</option><option value="resolved">resolved</option>
      </select>
      <label for="f-errorCode">Error code</label><input id="f-errorCode" name="errorCode" size="18">
      <label for="f-legalEntity">Legal entity</label><input id="f-legalEntity" name="legalEntity" size="5">
      <label for="f-source">Source</label><input id="f-source" name="source" size="12">
      <button type="submit">Search</button>
    </form>
    <p id="counts" aria-live="polite"></p>
    <div role="group" aria-labelledby="replay-title">
      <h3 id="replay-title">Bulk replay</h3>
      <p><button id="replay-all" type="button">Replay all matching failed requests</button>
         <button id="replay-cancel" type="button" hidden>Cancel the replay</button></p>
      <label for="replay-progress">Replay progress</label>
      <progress id="replay-progress" max="1" value="0"></progress>
      <p id="replay-status" role="status"></p>
    </div>
    <table id="list"><caption>Requests, newest first</caption>
      <thead><tr><th scope="col">Request</th><th scope="col">Status</th><th scope="col">Code</th>
      <th scope="col">Source</th><th scope="col">Legal entity</th><th scope="col">Since</th></tr></thead>
      <tbody></tbody></table>
    <button id="more" type="button" hidden>More</button>
  </section>
  <section id="detail" aria-labelledby="detail-title" hidden>
    <h2 id="detail-title">Request</h2>
    <dl id="facts"></dl>
    <p><button id="show-payload" type="button">Show payload (audited)</button>
       <button id="retry" type="button">Retry</button></p>
    <pre id="payload" hidden></pre>
    <form id="edit">
      <label for="patch">Edit and retry: a JSON Merge Patch of the request</label>
      <textarea id="patch" rows="5" cols="60" aria-describedby="edit-errors">{"Customer": {}}</textarea>
      <ul id="edit-errors" aria-live="assertive"></ul>
      <button type="submit">Apply and retry</button>
    </form>
    <form id="review" hidden aria-describedby="review-why">
      <p id="review-why"></p>
      <label for="candidate">Link to the existing account</label><select id="candidate"></select>
      <button type="submit">Link</button>
      <button id="create-new" type="button">Create a new customer</button>
    </form>
    <form id="resolve">
      <label for="note">Resolve with a note</label><input id="note" maxlength="500" size="50">
      <button type="submit">Resolve</button>
    </form>
    <p id="outcome" role="status"></p>
  </section>
</main>`;

export function consolePage(): HttpResponseInit {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Customer sync: operations</title>
<meta name="referrer" content="no-referrer"><style nonce="${nonce}">${CONSOLE_STYLE}</style></head>
<body>${BODY}<script nonce="${nonce}">${CONSOLE_SCRIPT}</script></body></html>`;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: html,
  };
}
