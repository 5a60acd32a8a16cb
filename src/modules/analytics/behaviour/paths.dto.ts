import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { HasNoControlCharacters } from '../../../common/validation/plain-text';
import { NestedArray, Optional } from '../../../common/validation';
import { AnalyticsReportQueryDto } from '../report-scope';

export const PATH_DIRECTIONS = ['after', 'before'] as const;
export type PathDirection = (typeof PATH_DIRECTIONS)[number];
export const MAX_PATH_DEPTH = 5;
export const MAX_PATH_LIMIT = 50;
export const MAX_PATH_RULES = 50;
/** Long enough for any URL shape; short enough that no single pattern is a regex program. */
export const MAX_PATH_PATTERN_LENGTH = 200;

const STEP_DESCRIPTION =
  'A step label: a page view is its path after the cleaning rules (`/products/:id`), a custom event ' +
  '`custom:<name>`, any other event its type (`purchase`).';

export class PathsQueryDto extends AnalyticsReportQueryDto {
  @ApiProperty({ description: `The event the paths start (after) or end (before) at. ${STEP_DESCRIPTION}` })
  @IsString()
  @Length(1, 1100)
  @HasNoControlCharacters()
  event: string;

  /** `after` (default): the steps people took next; `before`: the steps that led to it. */
  @ApiPropertyOptional({ enum: PATH_DIRECTIONS, default: 'after' })
  @Optional()
  @IsIn(PATH_DIRECTIONS)
  direction?: PathDirection;

  /** How many steps away from the event (1–5, default 3). */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PATH_DEPTH, default: 3 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PATH_DEPTH)
  depth?: number;

  /** The most frequent transitions kept per level (1–50, default 10). */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PATH_LIMIT, default: 10 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PATH_LIMIT)
  limit?: number;
}

export class PathTransitionDto {
  /** 1 for the step next to the event, up to `depth`. */
  @ApiProperty({ type: 'integer' })
  level: number;

  /** The step one level closer to the event (the event itself at level 1). */
  from: string;

  /** The step at this level. */
  to: string;

  /** People who took this transition at this level. */
  @ApiProperty({ type: 'integer' })
  persons: number;
}

export class PathsReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  timeZone: string;

  event: string;

  @ApiProperty({ enum: PATH_DIRECTIONS })
  direction: PathDirection;

  @ApiProperty({ type: 'integer' })
  depth: number;

  /** People who had the event in the period. */
  @ApiProperty({ type: 'integer' })
  persons: number;

  /** Per level (ascending), the most frequent transitions, most people first. */
  @ApiProperty({ type: [PathTransitionDto] })
  transitions: PathTransitionDto[];
}

export class PathRuleDto {
  /**
   * A PostgreSQL regular expression (advanced syntax) matched against page paths, at most 200
   * characters; every match is replaced by `alias` (`\1` names a group).
   */
  @ApiProperty({ maxLength: MAX_PATH_PATTERN_LENGTH, example: '^/products/[0-9]+' })
  @IsString()
  @Length(1, MAX_PATH_PATTERN_LENGTH)
  @HasNoControlCharacters()
  pattern: string;

  @ApiProperty({ maxLength: 200, example: '/products/:id' })
  @IsString()
  @Length(0, 200)
  @HasNoControlCharacters()
  alias: string;
}

export class ReplacePathRulesDto {
  /** Applied in order, each to the result of the one before; at most 50. An empty list clears them. */
  @ApiProperty({ type: [PathRuleDto], maxItems: MAX_PATH_RULES })
  @NestedArray(() => PathRuleDto)
  @ArrayMaxSize(MAX_PATH_RULES)
  rules: PathRuleDto[];
}

export class PathRulesDto {
  @ApiProperty({ type: [PathRuleDto] })
  rules: PathRuleDto[];
}
