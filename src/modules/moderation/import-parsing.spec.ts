import { ImportFormatError, parseCsv, parseLines, readPinyinCell, splitAllowPhrases } from './import-parsing';

describe('parseLines', () => {
  it('reads one trimmed term per line, skipping blanks and comments, with line numbers', () => {
    expect(parseLines('\ufeff# list\r\n 最佳 \n\n赌博\r第一')).toEqual([
      { line: 2, values: { term: '最佳' } },
      { line: 4, values: { term: '赌博' } },
      { line: 5, values: { term: '第一' } },
    ]);
  });
});

describe('parseCsv', () => {
  it('reads columns in the default order without a header', () => {
    expect(parseCsv('最佳,advertising.absolute_term,medium,review,最佳赏味期|最佳食用期,hint')).toEqual([
      {
        line: 1,
        values: {
          term: '最佳',
          category: 'advertising.absolute_term',
          severity: 'medium',
          action: 'review',
          allow_phrases: '最佳赏味期|最佳食用期',
          hint: 'hint',
        },
      },
    ]);
  });

  it('maps columns by a header in any order and leaves empty cells out', () => {
    expect(parseCsv('Term,Action,allowPhrases\n赌博,block,\n')).toEqual([
      { line: 2, values: { term: '赌博', action: 'block' } },
    ]);
  });

  it('handles quotes, doubled quotes, commas and line breaks inside quotes', () => {
    const rows = parseCsv('term,hint\n"a,b","say ""hi""\nthere"\nc,d\r\n');
    expect(rows).toEqual([
      { line: 2, values: { term: 'a,b', hint: 'say "hi"\nthere' } },
      { line: 4, values: { term: 'c', hint: 'd' } },
    ]);
  });

  it('marks a row with too many columns', () => {
    expect(parseCsv('term,action\nx,block,extra')).toEqual([
      { line: 2, values: { term: 'x' }, problem: 'has 3 columns; expected at most 2' },
    ]);
  });

  it('refuses an unknown or repeated header column and an unclosed quote, naming the line', () => {
    expect(() => parseCsv('term,colour\n')).toThrow(ImportFormatError);
    expect(() => parseCsv('term,term\n')).toThrow(/appears twice/);
    try {
      parseCsv('a\nb\n"c,d\ne');
      throw new Error('expected a format error');
    } catch (error) {
      expect(error).toMatchObject({ line: 3, message: 'a quoted field is never closed' });
    }
  });
});

describe('splitAllowPhrases', () => {
  it('splits on | and drops empty parts', () => {
    expect(splitAllowPhrases(' a | b ||')).toEqual(['a', 'b']);
    expect(splitAllowPhrases(undefined)).toBeUndefined();
  });
});

describe('the pinyin columns', () => {
  it('are read by header name or position, true/false in any case, empty for the category default', () => {
    const rows = parseCsv('term,pinyin_action,pinyin\n最佳,block,TRUE\n最好,,\n');
    expect(rows.map((row) => row.values)).toEqual([
      { term: '最佳', pinyin_action: 'block', pinyin: 'TRUE' },
      { term: '最好' },
    ]);
    expect(parseCsv('最低价,advertising,high,review,,,false,flag')[0].values).toMatchObject({
      pinyin: 'false',
      pinyin_action: 'flag',
    });
    expect([readPinyinCell('TRUE'), readPinyinCell('false'), readPinyinCell(undefined)]).toEqual([
      true,
      false,
      undefined,
    ]);
    expect(readPinyinCell('maybe')).toBe('maybe');
  });
});
