import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsDateTime, Optional } from '../../common/validation';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import {
  Channel,
  CHANNELS,
  DEVICE_TYPES,
  DeviceType,
  EVENT_TYPES,
  EventType,
  MAX_BATCH_EVENTS,
} from './event.types';

/** Ten trillion yuan in fen: far above any real purchase, well inside a JavaScript safe integer. */
const MAX_AMOUNT_FEN = 1_000_000_000_000_000;

/**
 * One tracked event. Validated event by event (not by the request pipe), so that one bad event of a
 * batch does not cost the others; the same rules validate every line of an NDJSON import.
 */
export class TrackedEventDto {
  /** Made by the client; a repeat is ignored, so a retried batch never counts twice. */
  @IsUUID()
  eventId: string;

  @ApiProperty({ enum: EVENT_TYPES })
  @IsIn(EVENT_TYPES)
  type: EventType;

  /** Required for `custom` events, refused for the others. */
  @ValidateIf((o: TrackedEventDto) => o.type === 'custom' || o.name !== undefined)
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  /** When it happened (not when it was sent): at most 5 minutes ahead, not older than the retention. */
  @IsDateTime()
  occurredAt: string;

  /** The device's or browser's id of the visitor; `anonymousId`, `userId` or both. */
  @Optional()
  @IsString()
  @Length(1, 128)
  @HasNoControlCharacters()
  anonymousId?: string;

  /** The site's or app's own id of a signed-in person. */
  @Optional()
  @IsString()
  @Length(1, 128)
  @HasNoControlCharacters()
  userId?: string;

  @Optional()
  @IsString()
  @Length(1, 128)
  @HasNoControlCharacters()
  sessionId?: string;

  /** The full page URL; its path is taken when `path` is absent. */
  @Optional()
  @IsString()
  @Length(1, 2048)
  @HasNoControlCharacters()
  url?: string;

  @Optional()
  @IsString()
  @Length(1, 1024)
  @HasNoControlCharacters()
  path?: string;

  @Optional()
  @IsString()
  @Length(1, 2048)
  @HasNoControlCharacters()
  referrer?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  utmSource?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  utmMedium?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  utmCampaign?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  utmTerm?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  utmContent?: string;

  /** Derived from the referrer and UTM fields when absent (rules in docs/analytics.md). */
  @ApiPropertyOptional({ enum: CHANNELS })
  @Optional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ enum: DEVICE_TYPES })
  @Optional()
  @IsIn(DEVICE_TYPES)
  deviceType?: DeviceType;

  @Optional()
  @IsString()
  @Length(1, 50)
  @HasNoControlCharacters()
  os?: string;

  @Optional()
  @IsString()
  @Length(1, 50)
  @HasNoControlCharacters()
  browser?: string;

  @Optional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  screenWidth?: number;

  @Optional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  screenHeight?: number;

  /** A BCP 47 language tag such as `zh-CN`. */
  @Optional()
  @IsString()
  @Length(2, 35)
  @HasNoControlCharacters()
  locale?: string;

  /** Integer fen: required for `purchase`, allowed for `conversion`, refused for the other types. */
  @ValidateIf((o: TrackedEventDto) => o.type === 'purchase' || o.amount !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT_FEN)
  amount?: number;

  /** A social account the caller may read analytics for (its own brand's, or authorized for `analytics`). */
  @Optional()
  @IsUUID()
  socialAccountId?: string;

  @Optional()
  @IsUUID()
  campaignId?: string;

  @Optional()
  @IsUUID()
  adId?: string;

  /** Free-form: at most 50 keys in all, nested at most 3 deep, 8 KB as JSON. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class EventBatchDto {
  /**
   * 1 to 1,000 events, each as the `TrackedEventDto` schema describes. Each is validated on its own:
   * refused events are listed in the answer with their index, the valid ones are stored (unless `atomic`).
   */
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    minItems: 1,
    maxItems: MAX_BATCH_EVENTS,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_EVENTS)
  @IsObject({ each: true, message: 'each event must be an object' })
  events: Record<string, unknown>[];
}

export class EventBatchQueryDto {
  /** `true`: one invalid event rejects the whole batch (400, nothing stored). Default `false`. */
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @Optional()
  @IsIn(['true', 'false'])
  atomic?: 'true' | 'false';
}

export class BatchRefusalDto {
  /** The event's position in `events`, from 0. */
  index: number;
  /** The refused field, e.g. `occurredAt`. */
  field: string;
  message: string;
}

export class EventBatchResultDto {
  /** Events sent in the batch. */
  received: number;
  /** Events stored now. */
  stored: number;
  /** Events ignored because their eventId was stored before or came earlier in the same batch. */
  duplicates: number;
  /** Events refused (listed in `refusals`). */
  refused: number;
  @ApiProperty({ type: BatchRefusalDto, isArray: true })
  refusals: BatchRefusalDto[];
}

export class ImportRefusalDto {
  /** The line number in the body, from 1. */
  line: number;
  field: string;
  message: string;
}

export class EventImportResultDto {
  stored: number;
  duplicates: number;
  refused: number;
  /** The first refused lines (at most 20), in order. */
  @ApiProperty({ type: ImportRefusalDto, isArray: true, maxItems: 20 })
  firstRefusals: ImportRefusalDto[];
}
