import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';

/** OpenAPI texts shared by the platform and organization lexicon routes. */

export const LIST_DESCRIPTION =
  'Filters: `q` (substring of the term, case-insensitive), `category`, `action`, `severity`. ' +
  'Sort: `createdAt` (default, newest first) or `term`; prefix `-` for descending.';

export const CREATE_DESCRIPTION =
  'Spelling variants are the same term (case, full-width, traditional characters, symbols between the ' +
  'characters), so a variant of a term already in the lexicon is 409 `duplicate`. A term with no letter or ' +
  'digit, or an allow phrase that does not contain the term, is 422. Needs the permission over the whole ' +
  'organization. The change reaches checks on every API replica within seconds.';

export const IMPORT_DESCRIPTION =
  'The body is the file itself, UTF-8: `text/plain` is one term per line (blank lines and `#` comments ' +
  'ignored), `text/csv` has the columns `term,category,severity,action,allow_phrases,hint,pinyin,pinyin_action` (allow phrases ' +
  'separated by `|`; a first row starting with `term` is a header naming the columns in any order). Empty ' +
  'cells and plain lines take `category`, `severity` and `action` from the query (default `custom`, ' +
  '`medium`, `review`). Every line gets a result: `created`, `updated` (CSV rows overwrite an existing ' +
  'term) or `skipped` with a reason (`invalid`, `empty_after_normalization`, `allow_phrase_mismatch`, ' +
  '`duplicate_in_file`, `exists` for a plain line whose term is there, `unchanged`). Skipped lines do not ' +
  'stop the import; the rest is applied in one transaction. `dryRun=true` reports without changing anything.';

/** The import body: a text file, not JSON. */
export const ApiImportBody = () =>
  applyDecorators(
    ApiConsumes('text/csv', 'text/plain'),
    ApiBody({
      required: true,
      schema: { type: 'string' },
      description: 'The file: CSV (`text/csv`) or one term per line (`text/plain`), UTF-8',
    }),
  );
