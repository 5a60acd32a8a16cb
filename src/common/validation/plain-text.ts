import { Matches, ValidateBy, ValidationOptions } from 'class-validator';

/** Names and titles are shown in consoles and logs: refuse control characters (newlines, NUL…). */
export const HasNoControlCharacters = (options: ValidationOptions = {}) =>
  Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters', ...options });

/** Long text may hold newlines and tabs, but PostgreSQL cannot store NUL: refuse it with a 400, not a 500. */
export const HasNoNulCharacters = (options: ValidationOptions = {}) =>
  ValidateBy(
    {
      name: 'hasNoNulCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !value.includes('\0'),
        defaultMessage: () => '$property must not contain NUL characters',
      },
    },
    options,
  );
