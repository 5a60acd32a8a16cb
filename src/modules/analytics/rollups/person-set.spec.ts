import fc from 'fast-check';
import { BITMAP, decodePersonSet, DELTAS, encodePersonSet, PersonUnion } from './person-set';

const ordinalSets = fc.uniqueArray(fc.oneof(fc.nat(300), fc.nat(100_000), fc.nat(0x7fffffff)), {
  maxLength: 400,
});

describe('person sets', () => {
  it('decodes exactly the ordinals encoded, in either format', () => {
    fc.assert(
      fc.property(ordinalSets, (ordinals) => {
        const encoded = encodePersonSet(ordinals);
        expect(decodePersonSet(encoded)).toEqual([...ordinals].sort((a, b) => a - b));
      }),
    );
  });

  it('keeps the smaller format: a bitmap for dense sets, deltas for sparse ones', () => {
    const dense = Array.from({ length: 1000 }, (_, i) => i);
    expect(encodePersonSet(dense)[0]).toBe(BITMAP);
    expect(encodePersonSet(dense)).toHaveLength(1 + 125);
    expect(encodePersonSet([5, 1_000_000])[0]).toBe(DELTAS);
    expect(decodePersonSet(encodePersonSet([]))).toEqual([]);
  });

  it('counts a union as the number of distinct ordinals over all sets', () => {
    fc.assert(
      fc.property(
        fc.array(
          ordinalSets.map((s) => s.map((o) => o % 200_000)),
          { maxLength: 8 },
        ),
        (days) => {
          const union = new PersonUnion();
          for (const day of days) union.add(encodePersonSet([...new Set(day)]));
          expect(union.size).toBe(new Set(days.flat()).size);
        },
      ),
    );
  });

  it('refuses duplicates, negatives and fractions', () => {
    expect(() => encodePersonSet([1, 1])).toThrow(RangeError);
    expect(() => encodePersonSet([-1])).toThrow(RangeError);
    expect(() => encodePersonSet([1.5])).toThrow(RangeError);
  });
});
