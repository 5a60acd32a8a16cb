/**
 * A LIKE/ILIKE pattern matching `text` anywhere, with the user's `%`, `_` and `\` taken literally.
 * Use it as `column ILIKE :q ESCAPE '\'`, so a search for "50%" does not match everything.
 */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
