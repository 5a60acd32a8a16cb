import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  buildMessage,
  IsArray,
  IsDefined,
  IsObject,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';

/*
 * Presence and null, as the spec says them. class-validator's `@IsOptional()` lets both `undefined`
 * and `null` through, so a partner's `"title": null` slipped past every check and reached the
 * service as "no change" or, worse, as a value. Here the two are separate: an optional field is either
 * absent or has a value of its type; a field whose spec says `nullable` (null means "clear it") says
 * so with `@Nullable()` and its TypeScript type `T | null`, which the swagger plugin turns into
 * `nullable: true`. Lint forbids `IsOptional` so the loose form cannot come back.
 */

/** The field may be left out; when present it must pass the validators that follow (null fails them). */
export const Optional = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** The field may be left out or be `null` (documented as nullable: declare it `T | null`). */
export const Nullable = () =>
  ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

/**
 * A nested object validated as its DTO. Bare `@ValidateNested()` accepts a missing value, so a required
 * nested field went unchecked and the service read `undefined.kind`; this one requires it unless an
 * `@Optional()`/`@Nullable()` before it says otherwise.
 */
export const NestedObject = (type: () => new (...args: never[]) => object) =>
  applyDecorators(
    IsDefined(),
    IsObject({ message: '$property must be an object' }),
    ValidateNested(),
    Type(type),
  );

/** An array of nested objects, each validated as its DTO. */
export const NestedArray = (type: () => new (...args: never[]) => object) =>
  applyDecorators(IsArray(), ValidateNested({ each: true }), Type(type));

/**
 * An RFC 3339 date-time with a time zone (`2030-01-31T08:00:00Z`, `2030-01-31T16:00:00+08:00`), the
 * `format: date-time` of the spec. `IsISO8601` also takes a bare date or week date, which a partner
 * then finds interpreted as midnight UTC.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;

export function isDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTime',
      validator: {
        validate: isDateTime,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a date-time with a time zone, e.g. 2030-01-31T08:00:00Z`,
          options,
        ),
      },
    },
    options,
  );
}
