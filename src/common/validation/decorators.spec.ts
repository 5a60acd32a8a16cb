import { validateSync } from 'class-validator';
import { residentIdCheckCharacter } from './resident-id';
import {
  IsCalendarDate,
  IsCreditCode,
  IsMainlandMobile,
  IsMainlandPhone,
  IsResidentIdNumber,
} from './decorators';

class Sample {
  @IsResidentIdNumber()
  idNumber: unknown;

  @IsCreditCode()
  creditCode: unknown;

  @IsMainlandMobile()
  mobile: unknown;

  @IsMainlandPhone()
  phone: unknown;

  @IsCalendarDate()
  date: unknown;
}

const make = (values: Partial<Record<keyof Sample, unknown>>): Sample =>
  Object.assign(new Sample(), {
    idNumber: '11010519491231002X',
    creditCode: '91350100M000100Y43',
    mobile: '13800138000',
    phone: '010-12345678',
    date: '1990-01-01',
    ...values,
  });

const messages = (sample: Sample) =>
  Object.fromEntries(validateSync(sample).map((e) => [e.property, Object.values(e.constraints ?? {})]));

describe('validation decorators', () => {
  it('pass valid values', () => {
    expect(validateSync(make({}))).toEqual([]);
  });

  it('say what is wrong without repeating the value', () => {
    const result = messages(
      make({
        idNumber: '110105194912310021',
        creditCode: '91350100M000100Y44',
        mobile: '123',
        phone: 'x',
        date: '1990-02-30',
      }),
    );
    expect(result).toEqual({
      idNumber: ['idNumber has a wrong check character'],
      creditCode: ['creditCode has a wrong check character'],
      mobile: ['mobile must be an 11-digit mainland mobile number (1[3-9]xxxxxxxxx)'],
      phone: ['phone must be a mainland mobile number or a fixed-line number with area code'],
      date: ['date must be a date as YYYY-MM-DD'],
    });
    expect(JSON.stringify(result)).not.toContain('110105194912310021');
  });

  it('name the region problem of an ID number', () => {
    const first17 = '99010519491231002';
    const idNumber = `${first17}${residentIdCheckCharacter(first17)}`;
    expect(messages(make({ idNumber })).idNumber).toEqual([
      'idNumber does not start with a valid region code',
    ]);
  });
});
