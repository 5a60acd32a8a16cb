import {
  describeHours,
  formatChinaTime,
  isWithinUsualHours,
  learnUsualHours,
  parseUsualHours,
} from './usual-hours';

/** A UTC instant for a China wall-clock hour on 2030-03-04 (China is UTC+8). */
const chinaHour = (hour: number, minute = 0) => new Date(Date.UTC(2030, 2, 4, hour - 8, minute));

describe('usual hours', () => {
  it('parses windows, including one that spans midnight and the whole day', () => {
    expect(parseUsualHours('09-21')).toEqual({ start: 9, end: 21 });
    expect(parseUsualHours('22-06')).toEqual({ start: 22, end: 6 });
    expect(parseUsualHours('00-24')).toEqual({ start: 0, end: 24 });
  });

  it('refuses empty or malformed windows', () => {
    for (const bad of ['09-09', '24-05', '9-21', '09-25', '', '09:00-21:00']) {
      expect(() => parseUsualHours(bad)).toThrow('not a window of usual hours');
    }
  });

  it('judges the hour in China time, end excluded', () => {
    const office = parseUsualHours('09-21');
    expect(isWithinUsualHours(chinaHour(9), office)).toBe(true);
    expect(isWithinUsualHours(chinaHour(20, 59), office)).toBe(true);
    expect(isWithinUsualHours(chinaHour(21), office)).toBe(false);
    expect(isWithinUsualHours(chinaHour(8, 59), office)).toBe(false);
    // 02:00 UTC is 10:00 in China: usual, though it is the small hours in UTC.
    expect(isWithinUsualHours(new Date('2030-03-04T02:00:00Z'), office)).toBe(true);
    expect(isWithinUsualHours(new Date('2030-03-04T14:00:00Z'), office)).toBe(false);
  });

  it('handles a night shift across midnight and the all-day window', () => {
    const night = parseUsualHours('22-06');
    expect(isWithinUsualHours(chinaHour(23), night)).toBe(true);
    expect(isWithinUsualHours(chinaHour(5), night)).toBe(true);
    expect(isWithinUsualHours(chinaHour(12), night)).toBe(false);
    const always = parseUsualHours('00-24');
    expect(isWithinUsualHours(chinaHour(0), always)).toBe(true);
    expect(isWithinUsualHours(chinaHour(23, 59), always)).toBe(true);
  });

  it('formats China time for people', () => {
    expect(formatChinaTime(new Date('2030-03-04T15:15:00Z'))).toBe('2030-03-04 23:15');
  });
});

describe('learnUsualHours', () => {
  const histogram = (entries: [number, number][]) => new Map(entries);

  it('knows nothing from too little history', () => {
    expect(learnUsualHours(histogram([[10, 49]]), 50)).toBeNull();
  });

  it('keeps the hours holding at least 2 % of the actions', () => {
    const hours = learnUsualHours(
      histogram([
        [1, 30],
        [2, 40],
        [9, 25],
        [14, 1],
      ]),
      50,
    );
    expect([...hours!].sort((a, b) => a - b)).toEqual([1, 2, 9]);
    expect(describeHours(hours!)).toBe('01-03, 09-10');
  });
});
