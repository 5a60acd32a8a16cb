/**
 * The longest value each of our custom validators accepts, by validator name, so the OpenAPI document can
 * state the bound as `maxLength` (it reads class-validator's metadata; a custom check is opaque to it).
 * Keep beside the validators: a change to one of them changes its line here.
 */
export const VALIDATOR_MAX_LENGTH: Record<string, number> = {
  // 1[3-9] and nine digits
  isMainlandMobile: 11,
  // 0 + 3-digit area code + '-' + 8 digits + '-' + 6-digit extension
  isMainlandPhone: 20,
  // GB 32100: 18 characters
  isCreditCode: 18,
  // GB 11643: 18 characters
  isResidentIdNumber: 18,
  // YYYY-MM-DD
  isCalendarDate: 10,
  // The hyphenated form, which is the only one class-validator's isUUID accepts
  isUuid: 36,
  // RFC 3339 with up to nine fraction digits and an offset: 2025-01-31T23:59:59.123456789+08:00
  isDateTime: 35,
};
