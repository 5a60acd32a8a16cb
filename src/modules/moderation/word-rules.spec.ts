import { DomainError } from '../../platform/errors';
import { assertWordUsable, termKeyOf, wordProblem } from './word-rules';

describe('termKeyOf', () => {
  it('gives spelling variants of a term one key', () => {
    const key = termKeyOf('最佳');
    for (const variant of ['最 佳', '＊最佳！', '最\u200b佳', '最😀佳']) expect(termKeyOf(variant)).toBe(key);
    expect(termKeyOf('國家級')).toBe(termKeyOf('国家级'));
    expect(termKeyOf('ＮＯ．１')).toBe(termKeyOf('no1'));
  });

  it('keeps repetitions apart: 谢谢 is not 谢', () => {
    expect(termKeyOf('谢谢')).toBe('谢{2}');
    expect(termKeyOf('谢')).toBe('谢');
  });
});

describe('wordProblem', () => {
  it('refuses a term with no letter or digit', () => {
    expect(wordProblem('！？…', [])).toMatchObject({ reason: 'empty_after_normalization', field: 'term' });
  });

  it('refuses an allow phrase that does not contain the term', () => {
    expect(wordProblem('最佳', ['最佳赏味期', '赏味期'])).toMatchObject({
      reason: 'allow_phrase_mismatch',
      field: 'allowPhrases.1',
    });
    expect(wordProblem('最佳', ['最 佳赏味期'])).toBeNull();
  });

  it('is a 422 for single writes', () => {
    expect(() => assertWordUsable('!!!', [])).toThrow(DomainError);
    expect(() => assertWordUsable('!!!', [])).toThrow(/normalizes to nothing/);
  });
});
