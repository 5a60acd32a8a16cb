import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Actor } from '../access/actor';
import {
  ImportFormatError,
  ImportRow,
  parseCsv,
  parseLines,
  readPinyinCell,
  splitAllowPhrases,
} from './import-parsing';
import { LexiconEngines } from './lexicon-engines';
import { assertEditable, LexiconTarget } from './lexicon-target';
import { bumpLexiconVersion, lockLexicon } from './lexicon-versions';
import {
  CreateSensitiveWordDto,
  ImportLineResultDto,
  ImportResultDto,
  ImportSensitiveWordsQueryDto,
  SkipReason,
} from './sensitive-word.dto';
import { findByTermKeys, insertWords, sameValues, updateWords, WordValues } from './sensitive-word-writes';
import { toWordValues, wordProblem } from './word-rules';

/** The request as the controller hands it over: the body Fastify parsed and its declared type. */
export interface ImportSource {
  contentType: string | undefined;
  body: unknown;
}

type ImportFormat = 'lines' | 'csv';

interface Candidate {
  result: ImportLineResultDto;
  values: WordValues;
}

const DEFAULTS = { category: 'custom', severity: 'medium', action: 'review' } as const;

/**
 * Bulk import of a text file (one term per line) or a CSV file into a lexicon. Every line gets a result.
 * Lines that cannot become a word are skipped with a reason; the others are applied together in one
 * transaction with one version bump, so the lexicon never shows half an import (and a database error
 * applies none of it). A term already in the lexicon is left alone by a text file and overwritten by a
 * CSV row, whose columns define the whole word.
 */
@Injectable()
export class SensitiveWordImportService {
  private readonly maxEntries: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly engines: LexiconEngines,
    config: AppConfig,
  ) {
    this.maxEntries = config.env.MODERATION_IMPORT_MAX_LINES;
  }

  async importWords(
    actor: Actor,
    target: LexiconTarget,
    source: ImportSource,
    query: ImportSensitiveWordsQueryDto,
  ): Promise<ImportResultDto> {
    assertEditable(target);
    const { format, text } = readSource(source, query.format);
    const rows = parseFile(format, text);
    if (rows.length > this.maxEntries) {
      throw new DomainError(
        ErrorCode.PayloadTooLarge,
        `The file holds ${rows.length} entries; import at most ${this.maxEntries} at a time`,
      );
    }
    const lines: ImportLineResultDto[] = [];
    const candidates = this.candidates(rows, query, lines);
    const dryRun = query.dryRun ?? false;
    if (dryRun) {
      await this.classify(this.dataSource.manager, target, format, candidates);
    } else {
      await this.dataSource.transaction(async (manager) => {
        const now = this.clock.now();
        await lockLexicon(manager, target.orgId, now);
        const { inserts, updates } = await this.classify(manager, target, format, candidates);
        if (inserts.length === 0 && updates.length === 0) return;
        await insertWords(manager, target.orgId, actor.userId, inserts, now);
        await updateWords(manager, target.orgId, actor.userId, updates, now);
        await bumpLexiconVersion(manager, target.orgId, now);
      });
      this.engines.invalidate(target.orgId);
    }
    const count = (result: ImportLineResultDto['result']) => lines.filter((l) => l.result === result).length;
    return { dryRun, created: count('created'), updated: count('updated'), skipped: count('skipped'), lines };
  }

  /** Validates each row like a single create would, skipping the ones that fail and repeats in the file. */
  private candidates(
    rows: ImportRow[],
    query: ImportSensitiveWordsQueryDto,
    lines: ImportLineResultDto[],
  ): Candidate[] {
    const candidates: Candidate[] = [];
    const firstLine = new Map<string, number>();
    for (const row of rows) {
      const result: ImportLineResultDto = { line: row.line, term: row.values.term ?? '', result: 'created' };
      lines.push(result);
      if (row.problem) {
        markSkipped(result, 'invalid', row.problem);
        continue;
      }
      const dto = plainToInstance(CreateSensitiveWordDto, {
        term: row.values.term,
        category: row.values.category ?? query.category ?? DEFAULTS.category,
        severity: row.values.severity?.toLowerCase() ?? query.severity ?? DEFAULTS.severity,
        action: row.values.action?.toLowerCase() ?? query.action ?? DEFAULTS.action,
        allowPhrases: splitAllowPhrases(row.values.allow_phrases),
        hint: row.values.hint,
        pinyin: readPinyinCell(row.values.pinyin),
        pinyinAction: row.values.pinyin_action?.toLowerCase(),
      });
      const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0) {
        markSkipped(result, 'invalid', validationMessages(errors));
        continue;
      }
      result.term = dto.term;
      const values = toWordValues(dto);
      const problem = wordProblem(values.term, values.allowPhrases);
      if (problem) {
        markSkipped(result, problem.reason, `${problem.field} ${problem.message}`);
        continue;
      }
      const earlier = firstLine.get(values.termKey);
      if (earlier !== undefined) {
        markSkipped(result, 'duplicate_in_file', `the same term as line ${earlier}`);
        continue;
      }
      firstLine.set(values.termKey, row.line);
      candidates.push({ result, values });
    }
    return candidates;
  }

  /** Decides each candidate against the lexicon as it is: created, updated, or skipped. */
  private async classify(
    manager: EntityManager,
    target: LexiconTarget,
    format: ImportFormat,
    candidates: Candidate[],
  ): Promise<{ inserts: WordValues[]; updates: (WordValues & { id: string })[] }> {
    const existing = await findByTermKeys(
      manager,
      target.orgId,
      candidates.map((c) => c.values.termKey),
    );
    const byKey = new Map(existing.map((word) => [word.termKey, word]));
    const inserts: WordValues[] = [];
    const updates: (WordValues & { id: string })[] = [];
    for (const { result, values } of candidates) {
      const word = byKey.get(values.termKey);
      if (!word) {
        inserts.push(values);
      } else if (format === 'lines') {
        markSkipped(result, 'exists', `already in the lexicon as "${word.term}"`);
      } else if (sameValues(word, values)) {
        markSkipped(result, 'unchanged', 'already in the lexicon as given');
      } else {
        result.result = 'updated';
        updates.push({ ...values, id: word.id });
      }
    }
    return { inserts, updates };
  }
}

function markSkipped(result: ImportLineResultDto, reason: SkipReason, message: string): void {
  Object.assign(result, { result: 'skipped', reason, message });
}

/** The body as text in a known format, or the 4xx saying what to send instead. */
function readSource(
  source: ImportSource,
  requested: ImportFormat | undefined,
): { format: ImportFormat; text: string } {
  const [mediaType, ...parameters] = (source.contentType ?? '')
    .split(';')
    .map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  const textual = mediaType === 'text/csv' || mediaType === 'text/plain';
  if (!textual || typeof source.body !== 'string' || (charset && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new DomainError(
      ErrorCode.UnsupportedMediaType,
      'Send the file itself as the body, UTF-8 encoded, with Content-Type text/csv or text/plain',
    );
  }
  const text = source.body;
  // Fastify decodes the body as UTF-8; a GBK file (Excel's default "CSV" in Chinese Windows) turns
  // into replacement characters, which would be stored as garbage terms.
  if (text.includes('\ufffd')) {
    throw new DomainError(
      ErrorCode.Unprocessable,
      'The file is not valid UTF-8; in Excel save it as "CSV UTF-8"',
    );
  }
  if (text.trim() === '') throw DomainError.validation('body', 'the file is empty');
  return { format: requested ?? (mediaType === 'text/csv' ? 'csv' : 'lines'), text };
}

function parseFile(format: ImportFormat, text: string): ImportRow[] {
  try {
    return format === 'csv' ? parseCsv(text) : parseLines(text);
  } catch (error) {
    if (!(error instanceof ImportFormatError)) throw error;
    throw new DomainError(
      ErrorCode.Unprocessable,
      `The CSV cannot be read: line ${error.line}: ${error.message}`,
      {
        errors: [{ field: 'body', message: `line ${error.line}: ${error.message}` }],
        extensions: { line: error.line },
      },
    );
  }
}

/** class-validator's messages (which name their property), nested ones included. */
function validationMessages(errors: ValidationError[]): string {
  return errors
    .flatMap((error) => [
      ...Object.values(error.constraints ?? {}),
      ...(error.children?.length ? [validationMessages(error.children)] : []),
    ])
    .join('; ');
}
