import { Transform } from 'class-transformer';
import { normalizeCreditCode } from './credit-code';
import { normalizeMainlandMobile } from './phone';
import { normalizeResidentId } from './resident-id';

/*
 * Input clean-up that runs before validation (the global ValidationPipe transforms). Each one leaves
 * non-strings alone, so the type check that follows still reports them.
 */
const onStrings = (fn: (value: string) => string) =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? fn(value) : value));

export const Trim = () => onStrings((value) => value.trim());
export const NormalizeResidentId = () => onStrings(normalizeResidentId);
export const NormalizeCreditCode = () => onStrings(normalizeCreditCode);
export const NormalizeMainlandMobile = () => onStrings(normalizeMainlandMobile);
/** Emails compare case-insensitively, so they are kept lower-cased. */
export const NormalizeEmail = () => onStrings((value) => value.trim().toLowerCase());
/** Query strings are text: accept exactly `true` / `false` and let anything else fail `@IsBoolean()`. */
export const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));
