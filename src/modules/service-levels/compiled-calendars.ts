import { Injectable } from '@nestjs/common';
import { CalendarDefinition } from './calendar.types';
import { CompiledCalendar, compileCalendar } from './working-time';

/** Enough for every calendar of a large deployment; past it the cache starts afresh rather than grow. */
const MAX_CACHED = 5000;

/**
 * Compiled calendars by id, kept while their version stays the same: an edit bumps the version, so
 * the next read of any replica compiles the new one (no cross-process invalidation needed).
 */
@Injectable()
export class CompiledCalendars {
  private readonly byId = new Map<string, CompiledCalendar>();

  /** The cached compilation when `version` matches, else undefined. */
  peek(id: string, version: number): CompiledCalendar | undefined {
    const cached = this.byId.get(id);
    return cached && cached.version === version ? cached : undefined;
  }

  get(definition: CalendarDefinition): CompiledCalendar {
    const cached = this.peek(definition.id, definition.version);
    if (cached) return cached;
    if (this.byId.size >= MAX_CACHED) this.byId.clear();
    const compiled = compileCalendar(definition);
    this.byId.set(definition.id, compiled);
    return compiled;
  }
}
