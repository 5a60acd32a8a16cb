import { MESSAGE_LIMITS, secondsUntilAllowed } from './rate-window';

const NOW = new Date('2025-06-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe('secondsUntilAllowed', () => {
  it('allows the first message', () => {
    expect(secondsUntilAllowed([], NOW, MESSAGE_LIMITS)).toBe(0);
  });

  it('waits out the rest of the minute after a message', () => {
    expect(secondsUntilAllowed([ago(20_000)], NOW, MESSAGE_LIMITS)).toBe(40);
    expect(secondsUntilAllowed([ago(60_000)], NOW, MESSAGE_LIMITS)).toBe(0);
  });

  it('after ten in a day, waits until the oldest of them is a day old', () => {
    const hour = 3_600_000;
    const events = Array.from({ length: 10 }, (_, i) => ago((i + 1) * hour));
    expect(secondsUntilAllowed(events, NOW, MESSAGE_LIMITS)).toBe(14 * 3600);
  });

  it('rounds a partial second up, so a client retrying on time is allowed', () => {
    expect(secondsUntilAllowed([ago(59_500)], NOW, MESSAGE_LIMITS)).toBe(1);
  });
});
