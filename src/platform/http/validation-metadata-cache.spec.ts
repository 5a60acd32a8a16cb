import { IsInt, IsString, Length, validateSync } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache';

describe('cached validation metadata', () => {
  beforeAll(() => cacheValidationMetadata());

  it('validates as before, inherited rules included, for every call', () => {
    class Base {
      @IsString()
      name!: unknown;
    }
    class Child extends Base {
      @IsInt()
      count!: unknown;
    }
    const bad = Object.assign(new Child(), { name: 1, count: 'x' });
    const good = Object.assign(new Child(), { name: 'a', count: 2 });
    for (let i = 0; i < 3; i++) {
      expect(
        validateSync(bad)
          .map((e) => e.property)
          .sort(),
      ).toEqual(['count', 'name']);
      expect(validateSync(good)).toEqual([]);
    }
  });

  it('sees rules registered after a class was first validated', () => {
    class Late {
      @IsString()
      title!: unknown;
    }
    expect(validateSync(Object.assign(new Late(), { title: 'abcdef' }))).toEqual([]);
    // A rule added later (as a decorator applied at run time does) must not be hidden by the cache.
    Length(1, 3)(Late.prototype, 'title');
    expect(validateSync(Object.assign(new Late(), { title: 'abcdef' })).map((e) => e.property)).toEqual([
      'title',
    ]);
  });
});
