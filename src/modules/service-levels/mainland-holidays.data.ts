import { DateOverride } from './calendar.types';

/*
 * Mainland China's public holidays and make-up working days (调休), as the platform calendar ships them.
 * Sources (see docs/calendars.md):
 *   2025: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12).
 *   2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
 *   2027: PROVISIONAL. No notice was published when this was written: these are only the statutory
 *         holidays of 全国年节及纪念日放假办法 (2024 revision) on their 2027 dates, with no make-up days.
 *         Lunar dates come from the new moons in Beijing time (the 2027 Spring Festival new moon falls
 *         at 23:56 on Feb 6, so 正月初一 is Feb 6 and 除夕, 腊月廿九, is Feb 5; 五月 begins Jun 5 and 八月
 *         Sep 1; 清明 falls on Apr 5). An operator replaces them when the notice is published.
 * Make-up working days keep the calendar's regular weekday hours (periods null).
 */

const days = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (
    let d = new Date(`${from}T00:00:00Z`);
    d <= new Date(`${to}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1)
  ) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
};

const holiday = (name: string, from: string, to = from, provisional = false): DateOverride[] =>
  days(from, to).map((date) => ({ date, kind: 'holiday', name, periods: null, provisional }));

const workday = (name: string, ...dates: string[]): DateOverride[] =>
  dates.map((date) => ({
    date,
    kind: 'workday',
    name: `${name}调休上班`,
    periods: null,
    provisional: false,
  }));

export const MAINLAND_HOLIDAYS_VERSION = '2025-2027.1';

export const MAINLAND_HOLIDAYS: readonly DateOverride[] = [
  // 2025
  ...holiday('元旦', '2025-01-01'),
  ...workday('春节', '2025-01-26'),
  ...holiday('春节', '2025-01-28', '2025-02-04'),
  ...workday('春节', '2025-02-08'),
  ...holiday('清明节', '2025-04-04', '2025-04-06'),
  ...workday('劳动节', '2025-04-27'),
  ...holiday('劳动节', '2025-05-01', '2025-05-05'),
  ...holiday('端午节', '2025-05-31', '2025-06-02'),
  ...workday('国庆节、中秋节', '2025-09-28'),
  ...holiday('国庆节、中秋节', '2025-10-01', '2025-10-08'),
  ...workday('国庆节、中秋节', '2025-10-11'),
  // 2026
  ...holiday('元旦', '2026-01-01', '2026-01-03'),
  ...workday('元旦', '2026-01-04'),
  ...workday('春节', '2026-02-14'),
  ...holiday('春节', '2026-02-15', '2026-02-23'),
  ...workday('春节', '2026-02-28'),
  ...holiday('清明节', '2026-04-04', '2026-04-06'),
  ...holiday('劳动节', '2026-05-01', '2026-05-05'),
  ...workday('劳动节', '2026-05-09'),
  ...holiday('端午节', '2026-06-19', '2026-06-21'),
  ...workday('国庆节', '2026-09-20'),
  ...holiday('中秋节', '2026-09-25', '2026-09-27'),
  ...holiday('国庆节', '2026-10-01', '2026-10-07'),
  ...workday('国庆节', '2026-10-10'),
  // 2027, provisional: statutory days only, no 调休 until the notice says so.
  ...holiday('元旦', '2027-01-01', '2027-01-01', true),
  ...holiday('春节', '2027-02-05', '2027-02-08', true),
  ...holiday('清明节', '2027-04-05', '2027-04-05', true),
  ...holiday('劳动节', '2027-05-01', '2027-05-02', true),
  ...holiday('端午节', '2027-06-09', '2027-06-09', true),
  ...holiday('中秋节', '2027-09-15', '2027-09-15', true),
  ...holiday('国庆节', '2027-10-01', '2027-10-03', true),
];
