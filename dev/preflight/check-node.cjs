#!/usr/bin/env node
'use strict';
/**
 * Preflight for `npm start` and `npm test` (and `.ci/run`): stops with one line when this Node.js
 * is older than package.json `engines.node` (">=X.Y.Z"). Plain CommonJS with no dependencies and
 * no new APIs, so it runs on every Node.js a newcomer may have.
 *
 *   node dev/preflight/check-node.cjs            exit 1 with the message when too old
 *   node dev/preflight/check-node.cjs --minimum  prints the minimum version (X.Y.Z)
 *   node dev/preflight/check-node.cjs --check V  exit 0 when version V meets engines, else 1
 */
const fs = require('fs');
const path = require('path');

function parse(version) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version).trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compare(a, b) {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function minimumVersion() {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const range = pkg.engines && pkg.engines.node;
  const match = /^>=\s*(\d+\.\d+\.\d+)$/.exec(String(range || '').trim());
  if (!match)
    throw new Error('package.json engines.node must read ">=X.Y.Z" (got ' + JSON.stringify(range) + ')');
  return match[1];
}

function meets(version, minimum) {
  const found = parse(version);
  return found !== undefined && compare(found, parse(minimum)) >= 0;
}

function main(argv) {
  const minimum = minimumVersion();
  if (argv[0] === '--minimum') {
    console.log(minimum);
    return 0;
  }
  if (argv[0] === '--check') return meets(argv[1], minimum) ? 0 : 1;
  if (meets(process.versions.node, minimum)) return 0;
  console.error(
    'd365-customer-sync needs Node.js ' +
      minimum +
      ' or later (package.json engines, .nvmrc); this is Node.js ' +
      process.versions.node +
      ' (' +
      process.execPath +
      '). Install it with `nvm install` (reads .nvmrc) or from https://nodejs.org.',
  );
  return 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
module.exports = { meets, minimumVersion };
