import { buildMessage, ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';
import { IANAZone } from 'luxon';
import { CREDIT_CODE_MESSAGES, inspectCreditCode } from './credit-code';
import { isMainlandMobile, isMainlandPhone } from './phone';
import { inspectResidentId, isCalendarDate, RESIDENT_ID_MESSAGES } from './resident-id';

/*
 * class-validator decorators over the pure validators, for any module's DTOs. Messages say what is
 * wrong but never repeat the value: an ID number must not travel back in an error or into a log.
 */

/** A resident ID number: shape, check character, region code and a real, past birth date. */
export function IsResidentIdNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isResidentIdNumber',
      validator: {
        validate: (value: unknown) => inspectResidentId(value).valid,
        defaultMessage: buildMessage((each, args?: ValidationArguments) => {
          const inspection = inspectResidentId(args?.value);
          const reason = inspection.valid
            ? 'is not a valid resident ID number'
            : RESIDENT_ID_MESSAGES[inspection.problem];
          return `${each}$property ${reason}`;
        }, options),
      },
    },
    options,
  );
}

/** A unified social credit code with a correct GB 32100 check character. */
export function IsCreditCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCreditCode',
      validator: {
        validate: (value: unknown) => inspectCreditCode(value).valid,
        defaultMessage: buildMessage((each, args?: ValidationArguments) => {
          const inspection = inspectCreditCode(args?.value);
          const reason = inspection.valid
            ? 'is not a valid credit code'
            : CREDIT_CODE_MESSAGES[inspection.problem];
          return `${each}$property ${reason}`;
        }, options),
      },
    },
    options,
  );
}

/** An 11-digit mainland mobile number, without country code or separators. */
export function IsMainlandMobile(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMainlandMobile',
      validator: {
        validate: (value: unknown) => isMainlandMobile(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an 11-digit mainland mobile number (1[3-9]xxxxxxxxx)`,
          options,
        ),
      },
    },
    options,
  );
}

/** A mainland mobile or fixed-line number (`010-12345678`, extension allowed). */
export function IsMainlandPhone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMainlandPhone',
      validator: {
        validate: (value: unknown) => isMainlandPhone(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a mainland mobile number or a fixed-line number with area code`,
          options,
        ),
      },
    },
    options,
  );
}

/** A YYYY-MM-DD date that exists on the calendar. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: buildMessage((each) => `${each}$property must be a date as YYYY-MM-DD`, options),
      },
    },
    options,
  );
}

/** An IANA time zone name that this runtime knows (`Asia/Shanghai`, `Asia/Urumqi`, `UTC`). */
export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && IANAZone.isValidZone(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an IANA time zone such as Asia/Shanghai`,
          options,
        ),
      },
    },
    options,
  );
}
