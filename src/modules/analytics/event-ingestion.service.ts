import { Injectable } from '@nestjs/common';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { DataScope } from '../access/data-scope';
import { SocialAccountAccess } from '../social-accounts/account-access.service';
import { EventBatchResultDto, EventImportResultDto } from './event.dto';
import { AcceptanceWindow, checkEvent } from './event-validation';
import { EncodedBatch, EventStore } from './event-store';
import { EventRefusal, MAX_BATCH_EVENTS } from './event.types';

/**
 * One batch being gathered: the accepted events already encoded for the store (no parsed objects kept),
 * the ids seen (a repeat within the batch is a duplicate, the first wins) and the refusals so far.
 */
class Gathered {
  readonly batch = new EncodedBatch();
  readonly seen = new Set<string>();
  refusals: (EventRefusal & { position: number })[] = [];
  /** Events refused (an event may have several refusals). */
  refused = 0;
  /** Valid events whose id came earlier in the same batch. */
  repeats = 0;

  clear(): void {
    this.batch.clear();
    this.seen.clear();
    this.refusals = [];
    this.refused = 0;
    this.repeats = 0;
  }
}

/**
 * Who the events are recorded for: the organization, and the account rule that applies (a member's
 * data scope over HTTP, the organization as a whole from the CLI). Answers are cached per input.
 */
interface Recorder {
  orgId: string;
  mayRecordFor(accountId: string): Promise<boolean>;
}

/** Called after each stored batch of an import, with the running totals. */
export type ImportProgress = (totals: EventImportResultDto) => void;

/** An account refusal names the field, not the reason, like the 404 it would be on its own. */
const ACCOUNT_REFUSAL = 'not a social account you may record analytics for';

export const MAX_FIRST_REFUSALS = 20;

/**
 * Ingestion, by batch request or NDJSON import: the same checks for every event, the same one-statement
 * insert per batch. Per-event refusal is the default (valid events are stored); `atomic` refuses all.
 */
@Injectable()
export class EventIngestion {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly store: EventStore,
    private readonly accounts: SocialAccountAccess,
  ) {}

  async ingestBatch(
    scope: DataScope,
    events: readonly unknown[],
    { atomic }: { atomic: boolean },
  ): Promise<EventBatchResultDto> {
    const recorder = this.memberRecorder(scope);
    const window = await this.window(scope.orgId);
    const gathered = new Gathered();
    // The request pipe has refused control characters anywhere in the body already.
    const options = { controlCharactersChecked: true };
    for (let position = 0; position < events.length; position++) {
      await this.gather(recorder, gathered, position, events[position], window, options);
    }
    if (atomic && gathered.refusals.length > 0) {
      throw new DomainError(ErrorCode.ValidationFailed, 'The batch has invalid events; nothing was stored', {
        errors: gathered.refusals.map((r) => ({
          field: `events[${r.position}].${r.field}`,
          message: r.message,
        })),
      });
    }
    const stored = await this.write(scope.orgId, gathered.batch);
    return {
      received: events.length,
      stored,
      duplicates: gathered.repeats + gathered.batch.count - stored,
      refused: gathered.refused,
      refusals: gathered.refusals.map(({ position, field, message }) => ({
        index: position,
        field,
        message,
      })),
    };
  }

  /**
   * Reads NDJSON line by line from `body` (never holding more than one batch), storing every valid
   * line in batches of 1,000, each batch its own transaction: an interrupted import is resumed by
   * sending the file again, the event ids make the stored part count as duplicates.
   */
  importNdjson(scope: DataScope, body: Readable, limitBytes: number): Promise<EventImportResultDto> {
    return this.importStream(this.memberRecorder(scope), body, limitBytes);
  }

  /**
   * The same import for the organization as a whole (the CLI, an operator loading history): accounts
   * must be the organization's own or authorized to it for analytics, as jobs acting for it judge.
   */
  importForOrganization(
    orgId: string,
    body: Readable,
    limitBytes: number,
    progress?: ImportProgress,
  ): Promise<EventImportResultDto> {
    return this.importStream(this.organizationRecorder(orgId), body, limitBytes, progress);
  }

  private async importStream(
    recorder: Recorder,
    body: Readable,
    limitBytes: number,
    progress?: ImportProgress,
  ): Promise<EventImportResultDto> {
    const window = await this.window(recorder.orgId);
    const result: EventImportResultDto = { stored: 0, duplicates: 0, refused: 0, firstRefusals: [] };
    // One batch at a time, its Buffer reused: what the import holds does not grow with the file.
    const gathered = new Gathered();
    let pending = 0;
    const flush = async () => {
      const stored = await this.write(recorder.orgId, gathered.batch);
      result.stored += stored;
      result.duplicates += gathered.repeats + gathered.batch.count - stored;
      result.refused += gathered.refused;
      for (const refusal of gathered.refusals) {
        if (result.firstRefusals.length >= MAX_FIRST_REFUSALS) break;
        result.firstRefusals.push({ line: refusal.position, field: refusal.field, message: refusal.message });
      }
      gathered.clear();
      pending = 0;
      progress?.(result);
    };

    const limited = byteLimit(limitBytes);
    body.on('error', (error) => limited.destroy(error));
    const lines = createInterface({ input: body.pipe(limited), crlfDelay: Infinity });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      // Each line is checked and encoded as it arrives; its parsed object is garbage at once.
      await this.gather(recorder, gathered, line, parseLine(text), window);
      pending += 1;
      if (pending >= MAX_BATCH_EVENTS) await flush();
    }
    if (pending > 0) await flush();
    return result;
  }

  private async window(orgId: string): Promise<AcceptanceWindow> {
    return { now: this.clock.now(), retentionDays: await this.store.retentionDays(orgId) };
  }

  /** Checks one event (or line) and adds it to the batch: encoded if valid and new, else counted. */
  private async gather(
    recorder: Recorder,
    gathered: Gathered,
    position: number,
    raw: unknown,
    window: AcceptanceWindow,
    options: { controlCharactersChecked?: boolean } = {},
  ): Promise<void> {
    const checked = raw instanceof LineError ? raw.refusal() : checkEvent(raw, window, options);
    if (!checked.ok) {
      gathered.refused += 1;
      for (const refusal of checked.refusals) gathered.refusals.push({ position, ...refusal });
      return;
    }
    const { row } = checked;
    if (row.socialAccountId && !(await recorder.mayRecordFor(row.socialAccountId))) {
      gathered.refused += 1;
      gathered.refusals.push({ position, field: 'socialAccountId', message: ACCOUNT_REFUSAL });
      return;
    }
    if (gathered.seen.has(row.eventId)) {
      gathered.repeats += 1;
      return;
    }
    gathered.seen.add(row.eventId);
    gathered.batch.add(row);
  }

  /** The account access rule with the analytics authorization; frozen accounts still have history. */
  private memberRecorder(scope: DataScope): Recorder {
    return {
      orgId: scope.orgId,
      mayRecordFor: cached(async (accountId) => {
        try {
          await this.accounts.require(scope, accountId, { authorization: 'analytics', operable: false });
          return true;
        } catch (error) {
          if (error instanceof DomainError) return false;
          throw error;
        }
      }),
    };
  }

  private organizationRecorder(orgId: string): Recorder {
    return {
      orgId,
      mayRecordFor: cached(async (accountId) => {
        const judged = await this.accounts.forOrganization(
          this.dataSource.manager,
          orgId,
          accountId,
          'analytics',
        );
        if (!judged) return false;
        // A frozen or suspended account keeps its history.
        return judged.access.allowed || judged.access.code === 'account_unavailable';
      }),
    };
  }

  private async write(orgId: string, batch: EncodedBatch): Promise<number> {
    if (batch.count === 0) return 0;
    await this.store.prepare(batch.times());
    const receivedAt = this.clock.now();
    return this.dataSource.transaction((manager) =>
      this.store.insertBatch(manager, orgId, batch, receivedAt),
    );
  }
}

function cached(check: (accountId: string) => Promise<boolean>): (accountId: string) => Promise<boolean> {
  const answers = new Map<string, boolean>();
  return async (accountId) => {
    const known = answers.get(accountId);
    if (known !== undefined) return known;
    const answer = await check(accountId);
    answers.set(accountId, answer);
    return answer;
  };
}

/** A line that is not JSON, kept in place so its refusal keeps its line number. */
class LineError {
  constructor(private readonly message: string) {}
  refusal() {
    return { ok: false as const, refusals: [{ field: '', message: this.message }] };
  }
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return new LineError('the line is not valid JSON');
  }
}

/** The longest line accepted: an event with 8 KB of properties and every field at its maximum fits. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Passes bytes through until `limit` (then 413), and refuses a line longer than MAX_LINE_BYTES before
 * readline would gather it: a body without newlines must not become one string in memory.
 */
function byteLimit(limit: number): Transform {
  let seen = 0;
  let sinceNewline = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) {
        callback(
          new DomainError(ErrorCode.PayloadTooLarge, `The import is larger than the limit of ${limit} bytes`),
        );
        return;
      }
      let start = 0;
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) {
        if (sinceNewline + at - start > MAX_LINE_BYTES) break;
        sinceNewline = 0;
        start = at + 1;
      }
      sinceNewline += chunk.length - start;
      if (sinceNewline > MAX_LINE_BYTES) {
        callback(DomainError.validation('body', `a line is longer than ${MAX_LINE_BYTES} bytes`));
        return;
      }
      callback(null, chunk);
    },
  });
}
