import { GateRoomState, liveRequestsWaiting, releaseAllowance, replayWindow } from './replay-job';

const gate = (over: Partial<GateRoomState> = {}): GateRoomState => ({
  slots: 8,
  held: 0,
  pausedUntil: 0,
  instances: 1,
  ...over,
});
const pacing = { reserveSlots: 1, batchSize: 10, backgroundShare: 4 };

describe('the replay window: the slots beyond the reserve, within admission’s background share', () => {
  it('is one background share per instance at work, at most the slots beyond the reserve', () => {
    expect(replayWindow(gate(), pacing)).toBe(4);
    expect(replayWindow(gate({ instances: 2 }), pacing)).toBe(7);
    expect(replayWindow(gate({ instances: 2 }), { ...pacing, backgroundShare: 3 })).toBe(6);
    // Nothing seen at work counts as one instance (the tick's own may be idle).
    expect(replayWindow(gate({ instances: 0 }), { ...pacing, backgroundShare: 2 })).toBe(2);
  });

  it('without fair sharing (FAIR_SHARE_WAITERS 0), the slots beyond the reserve', () => {
    expect(replayWindow(gate(), { ...pacing, backgroundShare: 0 })).toBe(7);
    // The reserve is at most slots − 1.
    expect(replayWindow(gate({ slots: 2 }), { ...pacing, backgroundShare: 0, reserveSlots: 5 })).toBe(1);
  });

  it('releases up to the window, never past it, the gate’s room or the batch', () => {
    expect(releaseAllowance(gate(), 0, pacing, 0)).toBe(4);
    expect(releaseAllowance(gate(), 3, pacing, 0)).toBe(1);
    expect(releaseAllowance(gate(), 4, pacing, 0)).toBe(0);
    expect(releaseAllowance(gate(), 6, pacing, 0)).toBe(0);
    // Live requests hold 5 slots: 2 left beyond the reserve, under the window of 4.
    expect(releaseAllowance(gate({ held: 5 }), 0, pacing, 0)).toBe(2);
    // Three instances at work, no fair sharing limit left: the batch caps one release.
    expect(releaseAllowance(gate({ slots: 40, instances: 3 }), 0, { ...pacing, backgroundShare: 0 }, 0)).toBe(
      10,
    );
  });

  it('releases nothing during a throttling pause', () => {
    expect(releaseAllowance(gate({ pausedUntil: 2_000 }), 0, pacing, 1_000)).toBe(0);
    expect(releaseAllowance(gate({ pausedUntil: 2_000 }), 0, pacing, 2_000)).toBe(4);
  });
});

describe('live requests waiting in the customer queue', () => {
  it('are the messages beyond the job’s own on their way and one window', () => {
    // Window 4, 2 of the job's on their way: up to 6 messages is live work the instances take at once.
    expect(liveRequestsWaiting(6, 2, 4)).toBe(false);
    expect(liveRequestsWaiting(7, 2, 4)).toBe(true);
    expect(liveRequestsWaiting(0, 0, 4)).toBe(false);
    expect(liveRequestsWaiting(57, 4, 4)).toBe(true);
  });
});
