import { PERSON_NAME_PATTERN } from './names';

describe('person names', () => {
  it('accepts names as written on ID cards', () => {
    for (const name of [
      '张三',
      '欧阳娜娜',
      '阿依古丽·买买提',
      '迪丽热巴·迪力木拉提',
      'Zhang San',
      "O'Neil",
      'Anne-Marie',
    ]) {
      expect(PERSON_NAME_PATTERN.test(name)).toBe(true);
    }
  });

  it('refuses digits, symbols and dangling separators', () => {
    for (const name of ['张3', '·张三', '张三·', 'a<b>', 'x@y', ' 张三', '张三\n']) {
      expect(PERSON_NAME_PATTERN.test(name)).toBe(false);
    }
  });
});
