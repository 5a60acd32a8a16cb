/**
 * Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character set
 * (digits and upper-case letters without I, O, Z, S, V), the last one a weighted MOD 31 check character.
 */

export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/;

/** The check character for the first 17 characters. */
export function creditCodeCheckCharacter(first17: string): string {
  if (!/^[0-9ABCDEFGHJKLMNPQRTUWXY]{17}$/.test(first17)) {
    throw new Error('creditCodeCheckCharacter needs 17 characters of the GB 32100 set');
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += CREDIT_CODE_CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  const check = 31 - (sum % 31);
  return CREDIT_CODE_CHARSET[check === 31 ? 0 : check];
}

export type CreditCodeProblem = 'format' | 'check_character';

export function inspectCreditCode(
  value: unknown,
): { valid: true } | { valid: false; problem: CreditCodeProblem } {
  if (typeof value !== 'string' || !SHAPE.test(value)) return { valid: false, problem: 'format' };
  if (creditCodeCheckCharacter(value.slice(0, 17)) !== value[17])
    return { valid: false, problem: 'check_character' };
  return { valid: true };
}

export function isCreditCode(value: unknown): value is string {
  return inspectCreditCode(value).valid;
}

export const CREDIT_CODE_MESSAGES: Record<CreditCodeProblem, string> = {
  format: `must be 18 characters of ${CREDIT_CODE_CHARSET}`,
  check_character: 'has a wrong check character',
};

/** Codes are printed in upper case; accept what people paste with spaces or in lower case. */
export const normalizeCreditCode = (value: string): string => value.replace(/\s+/g, '').toUpperCase();
