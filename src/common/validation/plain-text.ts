import { Matches, ValidationOptions } from 'class-validator';

/**
 * Names and titles are shown in consoles and logs: refuse every control character, newlines and tabs
 * too. (NUL and the other C0 controls are refused in any text by the global RequestValidationPipe.)
 */
export const HasNoControlCharacters = (options: ValidationOptions = {}) =>
  Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters', ...options });
