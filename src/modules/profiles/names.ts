/**
 * A person's name as written on an ID card: letters of any script, with the separators names use
 * (the middle dot of minority and transliterated names, spaces, apostrophes, hyphens) between them.
 */
export const PERSON_NAME_PATTERN = /^[\p{L}\p{M}](?:[\p{L}\p{M}·・•. '-]*[\p{L}\p{M}])?$/u;
