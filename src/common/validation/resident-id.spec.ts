import {
  chinaDate,
  inspectResidentId,
  isCalendarDate,
  isResidentIdNumber,
  maskResidentId,
  normalizeResidentId,
  residentIdCheckCharacter,
  residentIdMismatches,
} from './resident-id';

// Published specimen numbers (GB 11643 examples and common test data), with their check characters.
const FEMALE_1949 = '11010519491231002X';
const MALE_1990 = '110101199003074477';
const NOW = new Date('2025-06-01T00:00:00Z');

describe('resident ID number', () => {
  it('computes the ISO 7064 MOD 11-2 check character', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('11010119900307447')).toBe('7');
    expect(() => residentIdCheckCharacter('123')).toThrow();
  });

  it('accepts valid numbers and reads birth date and gender from them', () => {
    expect(inspectResidentId(FEMALE_1949, NOW)).toEqual({
      valid: true,
      info: { provinceCode: '11', birthDate: '1949-12-31', gender: 'female' },
    });
    expect(inspectResidentId(MALE_1990, NOW)).toEqual({
      valid: true,
      info: { provinceCode: '11', birthDate: '1990-03-07', gender: 'male' },
    });
    expect(isResidentIdNumber('440308199901011234', NOW)).toBe(true);
  });

  it('refuses the wrong shape', () => {
    for (const value of [
      '',
      '1101051949123100',
      '11010519491231002x',
      '1101051949123100XX',
      'A10105194912310021',
      42,
      null,
    ]) {
      expect(inspectResidentId(value, NOW)).toEqual({ valid: false, problem: 'format' });
    }
  });

  it('refuses a wrong check character', () => {
    expect(inspectResidentId('110105194912310021', NOW)).toEqual({
      valid: false,
      problem: 'check_character',
    });
    expect(inspectResidentId('110101199003074478', NOW)).toEqual({
      valid: false,
      problem: 'check_character',
    });
  });

  it('refuses region codes that are not provinces', () => {
    for (const prefix of [
      '00',
      '10',
      '16',
      '20',
      '24',
      '30',
      '38',
      '40',
      '47',
      '55',
      '60',
      '66',
      '70',
      '72',
      '80',
      '83',
      '99',
    ]) {
      const first17 = `${prefix}010519900101011`;
      const id = `${first17}${residentIdCheckCharacter(first17)}`;
      expect(inspectResidentId(id, NOW)).toEqual({ valid: false, problem: 'region' });
    }
    for (const prefix of [
      '11',
      '15',
      '21',
      '23',
      '31',
      '37',
      '41',
      '46',
      '50',
      '54',
      '61',
      '65',
      '71',
      '81',
      '82',
    ]) {
      const first17 = `${prefix}010519900101011`;
      expect(isResidentIdNumber(`${first17}${residentIdCheckCharacter(first17)}`, NOW)).toBe(true);
    }
  });

  it('refuses impossible, too old and future birth dates', () => {
    const withBirth = (yyyymmdd: string) => {
      const first17 = `110105${yyyymmdd}002`;
      return `${first17}${residentIdCheckCharacter(first17)}`;
    };
    for (const date of ['19900230', '19901301', '19900001', '18991231', '20250602', '30000101']) {
      expect(inspectResidentId(withBirth(date), NOW)).toEqual({ valid: false, problem: 'birth_date' });
    }
    expect(isResidentIdNumber(withBirth('20000229'), NOW)).toBe(true);
    // Born "today" in China while it is still yesterday in UTC.
    expect(isResidentIdNumber(withBirth('20250601'), new Date('2025-05-31T17:00:00Z'))).toBe(true);
  });

  it('checks consistency with a stated birth date and gender', () => {
    expect(residentIdMismatches(FEMALE_1949, { birthDate: '1949-12-31', gender: 'female' }, NOW)).toEqual([]);
    expect(residentIdMismatches(FEMALE_1949, { birthDate: '1949-12-30', gender: 'female' }, NOW)).toEqual([
      'birthDate',
    ]);
    expect(residentIdMismatches(FEMALE_1949, { birthDate: '1949-12-31', gender: 'male' }, NOW)).toEqual([
      'gender',
    ]);
    expect(residentIdMismatches('bogus', { birthDate: '1949-12-31', gender: 'male' }, NOW)).toEqual([
      'birthDate',
      'gender',
    ]);
  });

  it('masks all but the first 3 and last 4 characters', () => {
    expect(maskResidentId(FEMALE_1949)).toBe('110***********002X');
    expect(maskResidentId('110105194912311234')).toMatch(/^110\*{11}1234$/);
    expect(maskResidentId('1234567')).toBe('*******');
  });

  it('normalizes spaces and a lower-case x', () => {
    expect(normalizeResidentId(' 11010519491231002x ')).toBe(FEMALE_1949);
  });
});

describe('calendar dates', () => {
  it('accepts real YYYY-MM-DD dates only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2023-2-1')).toBe(false);
    expect(isCalendarDate('2023-02-01T00:00:00Z')).toBe(false);
    expect(isCalendarDate(20230201)).toBe(false);
  });

  it('tells the date in China', () => {
    expect(chinaDate(new Date('2025-05-31T16:00:00Z'))).toBe('2025-06-01');
    expect(chinaDate(new Date('2025-05-31T15:59:59Z'))).toBe('2025-05-31');
  });
});
