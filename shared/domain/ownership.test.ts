import {
  Caller,
  identityOf,
  identityAfterMatch,
  linkVerificationFor,
  mayErase,
  mayNameLinkOwner,
  mayReadRequest,
  mayReplay,
  mayRevealAccounts,
  mayUpdateByAccount,
  mayVerifyLink,
  SHARED_KEY_CALLER,
  writeThroughLink,
} from './ownership';
import { toStatusAnswer, StatusRecord } from './status';
import { callbackEventFor } from './callback-event';

const pos: Caller = { id: 'pos', source: 'pos', permissions: ['create', 'read', 'accounts', 'staff'] };
const shopA: Caller = { id: 'shop-a', source: 'shop-a', permissions: ['create', 'read'] };
const shopB: Caller = { id: 'shop-b', source: 'shop-b', permissions: ['create', 'read'] };
const operator: Caller = { id: 'ops', source: 'ops', permissions: ['operator'] };

describe('the ownership policy', () => {
  it('lets a caller read only its own requests; operators read any', () => {
    expect(mayReadRequest(shopA, 'shop-a')).toBe(true);
    expect(mayReadRequest(shopB, 'shop-a')).toBe(false);
    expect(mayReadRequest(pos, 'shop-a')).toBe(false);
    expect(mayReadRequest(operator, 'shop-a')).toBe(true);
    // A record without a caller is the shared key's.
    expect(mayReadRequest(SHARED_KEY_CALLER, undefined)).toBe(true);
    expect(mayReadRequest(shopA, undefined)).toBe(false);
  });

  it('makes updating by D365 account a role of its own (POS, back office, operators)', () => {
    expect(mayUpdateByAccount(pos)).toBe(true);
    expect(mayUpdateByAccount(operator)).toBe(true);
    expect(mayUpdateByAccount(shopA)).toBe(false);
  });

  it('trusts an identity a staff caller or the shop itself verified, and no other', () => {
    expect(identityOf(pos)).toBe('verified');
    expect(identityOf(shopA)).toBe('unverified');
    expect(identityOf(shopA, true)).toBe('verified');
  });

  it('makes a shop’s link found by name and phone pending: a verified e-mail proves no phone (issue 32)', () => {
    expect(identityAfterMatch('verified', { matchedOn: 'name_and_phone', bySource: true })).toBe(
      'unverified',
    );
    expect(identityAfterMatch('verified', { matchedOn: 'email', bySource: true })).toBe('verified');
    expect(identityAfterMatch('verified', { matchedOn: 'name_and_phone', bySource: false })).toBe('verified');
    expect(identityAfterMatch(undefined, { matchedOn: 'name_and_phone', bySource: true })).toBeUndefined();
    const identity = identityAfterMatch('verified', { matchedOn: 'name_and_phone', bySource: true });
    expect(linkVerificationFor('linked', identity)).toBe('pending');
  });

  it('makes an unverified create that found the customer in D365 a pending link; its own customers are its own', () => {
    expect(linkVerificationFor('linked', 'unverified')).toBe('pending');
    expect(linkVerificationFor('linked', 'verified')).toBeUndefined();
    expect(linkVerificationFor('created', 'unverified')).toBeUndefined();
    expect(linkVerificationFor('linked', undefined)).toBeUndefined(); // accepted before the policy
  });

  it('grants no writes through a pending link, unless its own source verifies the identity now', () => {
    const pending = { source: 'shop-b', verification: 'pending' as const };
    expect(writeThroughLink(shopB, { source: 'shop-b' })).toBe('allowed');
    expect(writeThroughLink(shopB, { source: 'shop-b', verification: 'verified' })).toBe('allowed');
    expect(writeThroughLink(shopB, pending)).toBe('unverified');
    expect(writeThroughLink(shopB, pending, true)).toBe('confirm');
    expect(writeThroughLink(shopA, pending, true)).toBe('unverified');
    expect(writeThroughLink(operator, pending)).toBe('unverified'); // an operator verifies it first
  });

  it('names a link owner only to that owner', () => {
    expect(mayNameLinkOwner(shopA, { source: 'shop-a' })).toBe(true);
    expect(mayNameLinkOwner(pos, { source: 'shop-a' })).toBe(false);
  });

  it('leaves replay and verification to operators, erasure to operators and the own link', () => {
    expect(mayReplay(operator)).toBe(true);
    expect([pos, shopA].map(mayReplay)).toEqual([false, false]);
    expect(mayVerifyLink(operator)).toBe(true);
    expect(mayVerifyLink(pos)).toBe(false);
    expect(mayErase(shopA, { source: 'shop-a' })).toBe(true);
    expect(mayErase(shopA, { source: 'shop-a', verification: 'pending' })).toBe(false);
    expect(mayErase(shopB, { source: 'shop-a' })).toBe(false);
    expect(mayErase(operator, { source: 'shop-a' })).toBe(true);
  });
});

describe('answers under the policy', () => {
  const record: StatusRecord = {
    correlationId: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
    status: 'succeeded',
    legalEntity: 'USRT',
    target: 'odata',
    attempts: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:01.000Z',
    customerAccount: 'US-000001',
    outcome: 'linked',
    existingAccounts: 'US-000001,US-000002',
    matchedOn: 'email',
    identity: 'unverified',
    caller: 'shop-b',
    source: 'shop-b',
    sourceCustomerId: 'B-1',
    etag: '*',
  };

  it('names no account for an unverified link: the status answer says it is pending', () => {
    const answer = toStatusAnswer(record);
    expect(answer).toMatchObject({ status: 'succeeded', outcome: 'linked', verification: 'pending' });
    expect(JSON.stringify(answer)).not.toContain('US-00000');
    expect(mayRevealAccounts({ ...record, identity: 'verified' })).toBe(true);
    expect(toStatusAnswer({ ...record, identity: 'verified' })).toMatchObject({
      customerAccount: 'US-000001',
    });
  });

  it('names no account in the callback of an unverified link', () => {
    const event = callbackEventFor(record);
    expect(event.data).toMatchObject({ outcome: 'linked', verification: 'pending' });
    expect(JSON.stringify(event)).not.toContain('US-00000');
  });

  it("keeps a rejected duplicate's accounts from an unverified caller (DUPLICATE_POLICY=reject)", () => {
    const rejected: StatusRecord = {
      ...record,
      status: 'failed',
      outcome: undefined,
      customerAccount: undefined,
      errorCode: 'duplicate',
      errorMessage: 'A customer with this e-mail address already exists: account US-000001.',
    };
    const answer = toStatusAnswer(rejected);
    expect(answer.error?.code).toBe('duplicate');
    expect(JSON.stringify(answer)).not.toContain('US-00000');
    expect(answer.verification).toBeUndefined();
    expect(JSON.stringify(toStatusAnswer({ ...rejected, identity: 'verified' }))).toContain('US-000001');
  });
});
