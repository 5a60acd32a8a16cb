/**
 * Resident identity card numbers (居民身份证号码, GB 11643-1999): 6-digit region code, 8-digit birth date,
 * 3-digit sequence (the last digit odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
 * Pure functions: no I/O, no clock unless given one, so every module can use them the same way.
 */

export type Gender = 'male' | 'female';

export interface ResidentIdInfo {
  /** First two digits: the province-level division. */
  provinceCode: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  gender: Gender;
}

export type ResidentIdProblem = 'format' | 'check_character' | 'region' | 'birth_date';

export type ResidentIdInspection =
  { valid: true; info: ResidentIdInfo } | { valid: false; problem: ResidentIdProblem };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

/**
 * Province-level codes in use (GB/T 2260): the north (11–15), north-east (21–23), east (31–37),
 * centre-south (41–46), south-west (50–54), north-west (61–65), Taiwan (71), Hong Kong (81), Macao (82).
 */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  ...['11', '12', '13', '14', '15'],
  ...['21', '22', '23'],
  ...['31', '32', '33', '34', '35', '36', '37'],
  ...['41', '42', '43', '44', '45', '46'],
  ...['50', '51', '52', '53', '54'],
  ...['61', '62', '63', '64', '65'],
  ...['71', '81', '82'],
]);

/** The earliest birth year accepted: older dates are typing mistakes, not people. */
const EARLIEST_BIRTH_YEAR = 1900;

/** The check character for the first 17 digits (ISO 7064 MOD 11-2). */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('residentIdCheckCharacter needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Today's date in China (UTC+8, no daylight saving). ID numbers are issued in China, so "born in the
 * future" is judged by the calendar there, not by the server's time zone.
 */
export function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** True when `value` is YYYY-MM-DD naming a day that exists (no 2023-02-29). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Normalizes what people type: surrounding spaces and a lower-case x. */
export const normalizeResidentId = (value: string): string => value.trim().toUpperCase();

/** Checks a (normalized) ID number and says what is wrong, never echoing the number itself. */
export function inspectResidentId(value: unknown, now: Date = new Date()): ResidentIdInspection {
  if (typeof value !== 'string' || !SHAPE.test(value)) return { valid: false, problem: 'format' };
  if (residentIdCheckCharacter(value.slice(0, 17)) !== value[17])
    return { valid: false, problem: 'check_character' };
  const provinceCode = value.slice(0, 2);
  if (!PROVINCE_CODES.has(provinceCode)) return { valid: false, problem: 'region' };
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (
    !isCalendarDate(birthDate) ||
    Number(value.slice(6, 10)) < EARLIEST_BIRTH_YEAR ||
    birthDate > chinaDate(now)
  ) {
    return { valid: false, problem: 'birth_date' };
  }
  const gender: Gender = Number(value[16]) % 2 === 1 ? 'male' : 'female';
  return { valid: true, info: { provinceCode, birthDate, gender } };
}

export function isResidentIdNumber(value: unknown, now?: Date): value is string {
  return inspectResidentId(value, now).valid;
}

export const RESIDENT_ID_MESSAGES: Record<ResidentIdProblem, string> = {
  format: 'must be 18 characters: 17 digits and a digit or X',
  check_character: 'has a wrong check character',
  region: 'does not start with a valid region code',
  birth_date: 'does not contain a valid birth date',
};

export type ResidentIdField = 'birthDate' | 'gender';

/**
 * Which of the stated birth date and gender disagree with the ID number: an empty list means consistent.
 * The ID number must be valid (see `inspectResidentId`); an invalid one disagrees with everything.
 */
export function residentIdMismatches(
  idNumber: string,
  stated: { birthDate: string; gender: Gender },
  now?: Date,
): ResidentIdField[] {
  const inspection = inspectResidentId(idNumber, now);
  if (!inspection.valid) return ['birthDate', 'gender'];
  const mismatches: ResidentIdField[] = [];
  if (inspection.info.birthDate !== stated.birthDate) mismatches.push('birthDate');
  if (inspection.info.gender !== stated.gender) mismatches.push('gender');
  return mismatches;
}

/** `110***********123X`: the first 3 and last 4 characters stay, everything between becomes `*`. */
export function maskResidentId(value: string): string {
  if (value.length <= 7) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}
