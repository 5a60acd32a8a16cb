/**
 * Mainland China phone numbers. Mobile numbers are 11 digits starting 13–19 (all carriers, including
 * virtual operators' 16x/17x and the 19x ranges). Stored and compared without country code or
 * separators, so the same number is always the same string.
 */
const MOBILE = /^1[3-9]\d{9}$/;
/** Fixed-line: trunk 0, a 2–3 digit area code, a 7–8 digit number, optionally an extension. */
const LANDLINE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;

export function isMainlandMobile(value: unknown): value is string {
  return typeof value === 'string' && MOBILE.test(value);
}

export function isMainlandLandline(value: unknown): value is string {
  return typeof value === 'string' && LANDLINE.test(value);
}

/** A mobile or a fixed-line number: what a company gives as its contact phone. */
export function isMainlandPhone(value: unknown): value is string {
  return isMainlandMobile(value) || isMainlandLandline(value);
}

/**
 * Strips what people type around a mobile number (spaces, dashes, a +86 or 86 country prefix). Returns
 * the input unchanged when it does not become a mobile number, so validation reports it as typed.
 */
export function normalizeMainlandMobile(value: string): string {
  const digits = value
    .trim()
    .replace(/[\s-]/g, '')
    .replace(/^\+?86(?=1\d{10}$)/, '');
  return MOBILE.test(digits) ? digits : value;
}
