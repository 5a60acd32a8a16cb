import { patternMaxLength } from './pattern-length';

describe('patternMaxLength', () => {
  it.each([
    ['^\\d{6}$', 6],
    ['^[A-Za-z0-9_]{4,32}$', 32],
    ['^[A-Za-z0-9._-]{1,32}$', 32],
    ['^[a-z0-9][a-z0-9_-]{0,63}$', 64],
    ['^[0-9a-f]{64}$', 64],
    ['^(?:ab|cde)?x$', 4],
    ['^[\\]a]{2}\\x41\\u0042$', 4],
    ['^\\P{Cc}{1,3}$', 3],
    ['^(?=x)x{2}$', 2],
  ])('%s is at most %i characters', (pattern, expected) => {
    expect(patternMaxLength(pattern)).toBe(expected);
  });

  it.each(['^\\P{Cc}+$', '^[a-z]+\\/[a-z0-9.+-]+$', '^a{2,}$', 'abc', '^abc', '^(a)\\1$', '^a{x}$'])(
    '%s has no bound it can state',
    (pattern) => {
      expect(patternMaxLength(pattern)).toBeUndefined();
    },
  );
});
