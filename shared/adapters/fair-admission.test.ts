import { fairAdmission } from './fair-admission';
import { AdmissionTicket } from '../ports';

const ticket = (answer: AdmissionTicket | { deferSeconds: number }): AdmissionTicket => {
  if (!('release' in answer)) throw new Error(`deferred ${answer.deferSeconds} s`);
  return answer;
};

describe('fair admission on one instance', () => {
  it("admits a caller's requests up to its share, defers the next, and admits another caller meanwhile", () => {
    const admission = fairAdmission({ waiters: 2, weights: {}, receiveThreshold: 2 });
    const a = admission.shareOf({ caller: 'key:a' });
    const b = admission.shareOf({ caller: 'key:b' });
    const held = [ticket(admission.admit(a)), ticket(admission.admit(a))];
    expect(admission.admit(a)).toEqual({ deferSeconds: 1 });
    expect('release' in admission.admit(b)).toBe(true);
    expect(admission.working(a)).toBe(2);
    held[0]!.release();
    held[0]!.release(); // a second release changes nothing
    expect(admission.working(a)).toBe(1);
    expect('release' in admission.admit(a)).toBe(true);
  });

  it("lends a busy caller the instance's spare room, always leaving one share free for another caller", () => {
    const admission = fairAdmission({ waiters: 2, weights: {}, receiveThreshold: 6 });
    const a = admission.shareOf({ caller: 'key:a' });
    const b = admission.shareOf({ caller: 'key:b' });
    for (let i = 0; i < 4; i++) ticket(admission.admit(a)); // its share (2), then the spare room (up to 6 − 2)
    expect(admission.admit(a)).toHaveProperty('deferSeconds');
    ticket(admission.admit(b));
    ticket(admission.admit(b)); // B's share fits beside: 6 at work, the host still receives
    expect(admission.admit(b)).toHaveProperty('deferSeconds');
    expect(admission.working(a) + admission.working(b)).toBe(6);
  });

  it('gives a weighted caller its multiple of the share', () => {
    const admission = fairAdmission({ waiters: 2, weights: { 'key:pos': 2 }, receiveThreshold: 2 });
    const pos = admission.shareOf({ caller: 'key:pos' });
    for (let i = 0; i < 4; i++) ticket(admission.admit(pos));
    expect(admission.admit(pos)).toHaveProperty('deferSeconds');
  });

  it('spreads a deferred backlog at the pace the instance finishes that caller’s requests (at least 1/s)', () => {
    let clock = 0;
    const admission = fairAdmission({ waiters: 2, weights: {}, receiveThreshold: 2 }, () => clock);
    const a = admission.shareOf({ caller: 'key:a' });
    const held = [ticket(admission.admit(a)), ticket(admission.admit(a))];
    const delays = (count: number) =>
      Array.from({ length: count }, () => (admission.admit(a) as { deferSeconds: number }).deferSeconds);
    expect(delays(3)).toEqual([1, 2, 3]); // nothing finished yet: one a second
    clock = 10_000; // those came back
    for (let i = 0; i < 10; i++) {
      clock += 500; // ten finished over the last 5 s: two a second
      held.shift()!.release();
      held.push(ticket(admission.admit(a)));
    }
    expect(delays(5)).toEqual([1, 1, 2, 2, 3]);
  });

  it('counts all background work as one share, whoever asked for it', () => {
    const admission = fairAdmission({ waiters: 2, weights: { 'key:ops': 4 }, receiveThreshold: 2 });
    const replay = admission.shareOf({ caller: 'key:ops', priority: 'background' });
    const backfill = admission.shareOf({ caller: 'key:other', priority: 'background' });
    ticket(admission.admit(replay));
    ticket(admission.admit(backfill));
    expect(admission.admit(replay)).toHaveProperty('deferSeconds');
    expect('release' in admission.admit(admission.shareOf({ caller: 'key:ops' }))).toBe(true);
  });

  it('admits everything with FAIR_SHARE_WAITERS=0', () => {
    const admission = fairAdmission({ waiters: 0, weights: {}, receiveThreshold: 16 });
    const a = admission.shareOf({ caller: 'key:a' });
    for (let i = 0; i < 100; i++) ticket(admission.admit(a));
    expect(admission.working(a)).toBe(100);
  });
});
