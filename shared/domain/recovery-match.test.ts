import { decideRecoveryMatch } from './recovery-match';

describe('which customer a recovery lookup found', () => {
  it('takes an e-mail match first, listing several', () => {
    expect(decideRecoveryMatch(['US-1'], undefined)).toEqual({
      kind: 'found',
      account: 'US-1',
      matchedOn: 'email',
    });
    expect(decideRecoveryMatch(['US-1', 'US-2'], [{ account: 'US-9', hasEmail: false }])).toEqual({
      kind: 'found',
      account: 'US-1',
      matchedOn: 'email',
      existingAccounts: 'US-1,US-2',
    });
  });

  it('takes the one customer without an e-mail that has the name and phone', () => {
    expect(
      decideRecoveryMatch(
        [],
        [
          { account: 'US-7', hasEmail: true },
          { account: 'US-8', hasEmail: false },
        ],
      ),
    ).toEqual({ kind: 'found', account: 'US-8', matchedOn: 'name_and_phone' });
  });

  it('never guesses between several, and finds nothing when every candidate holds another e-mail', () => {
    expect(
      decideRecoveryMatch(
        [],
        [
          { account: 'US-8', hasEmail: false },
          { account: 'US-9', hasEmail: false },
        ],
      ),
    ).toEqual({ kind: 'ambiguous', matchedOn: 'name_and_phone', accounts: ['US-8', 'US-9'] });
    expect(decideRecoveryMatch([], [{ account: 'US-7', hasEmail: true }])).toEqual({ kind: 'none' });
    expect(decideRecoveryMatch([], undefined)).toEqual({ kind: 'none' });
    expect(decideRecoveryMatch([], [])).toEqual({ kind: 'none' });
  });
});
