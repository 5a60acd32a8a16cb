import { Matches } from 'class-validator';

/** Names and titles are shown in consoles and logs: refuse control characters (newlines, NUL…). */
export const HasNoControlCharacters = () =>
  Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' });
