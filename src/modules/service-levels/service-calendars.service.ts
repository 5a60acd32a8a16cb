import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, parseSort, SortKey } from '../../platform/http/pagination';
import { DataScope } from '../access/data-scope';
import { PLATFORM_ORG_ID } from '../access/platform-org';
import { calendarProblems } from './calendar-rules';
import { CALENDAR_COLUMNS, CalendarRow, toCalendarDto, toDefinition } from './calendar-row';
import { DateOverride, DEFAULT_TIME_ZONE, Period, WeeklyHours } from './calendar.types';
import { CompiledCalendars } from './compiled-calendars';
import { assertEditable } from './editing';
import {
  CreateServiceCalendarDto,
  DateOverrideInputDto,
  DueTimeDto,
  DueTimeRequestDto,
  ListServiceCalendarsQueryDto,
  ServiceCalendarDto,
  UpdateServiceCalendarDto,
  WeeklyHoursDto,
} from './service-calendar.dto';
import { dueAt } from './sla-clock';
import { CompiledCalendar, isOpen, nextOpening } from './working-time';

const SORT_KEYS: Record<string, SortKey> = {
  createdAt: { column: 'c.created_at', kind: 'timestamp', milliseconds: true },
};

const periodsOf = (periods: readonly Period[]): Period[] =>
  periods.map((p) => ({ start: p.start, end: p.end }));

const weeklyOf = (dto: WeeklyHoursDto): WeeklyHours => ({
  mon: periodsOf(dto.mon),
  tue: periodsOf(dto.tue),
  wed: periodsOf(dto.wed),
  thu: periodsOf(dto.thu),
  fri: periodsOf(dto.fri),
  sat: periodsOf(dto.sat),
  sun: periodsOf(dto.sun),
});

/** Overrides as stored: sorted by date, holidays without periods, `provisional` always present. */
const overridesOf = (dtos: readonly DateOverrideInputDto[]): DateOverride[] =>
  dtos
    .map((o) => ({
      date: o.date,
      kind: o.kind,
      name: o.name,
      periods: o.kind === 'workday' && o.periods ? periodsOf(o.periods) : null,
      provisional: o.provisional ?? false,
    }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

function assertValid(input: {
  timeZone?: string;
  weeklyHours?: WeeklyHours;
  overrides?: DateOverrideInputDto[];
}) {
  const problems = calendarProblems({
    timeZone: input.timeZone,
    weeklyHours: input.weeklyHours,
    // Validated in the order the caller sent them, so field indexes point at their body.
    overrides: input.overrides?.map((o) => ({ ...o, periods: o.periods ?? null, provisional: false })),
  });
  if (problems.length > 0) {
    throw new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', { errors: problems });
  }
}

/**
 * Service calendars of an organization: business hours per weekday, holidays and make-up working
 * days. The platform organization's default calendar is the platform calendar others copy.
 */
@Injectable()
export class ServiceCalendarsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly compiled: CompiledCalendars,
  ) {}

  list(scope: DataScope, query: ListServiceCalendarsQueryDto): Promise<Page<ServiceCalendarDto>> {
    // Calendars belong to the organization, not to a unit: any grant of the permission reads them.
    const qb = this.dataSource.manager
      .createQueryBuilder()
      .select(CALENDAR_COLUMNS.split(',').map((c) => `c.${c.trim()} AS ${c.trim()}`))
      .from('service_calendars', 'c')
      .where('c.org_id = :orgId', { orgId: scope.orgId });
    const sort = parseSort(undefined, SORT_KEYS, 'createdAt');
    return paginate(qb, {
      query,
      sort,
      idColumn: 'c.id',
      fetch: (q) => q.getRawMany<CalendarRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: toCalendarDto,
    });
  }

  async get(scope: DataScope, calendarId: string): Promise<Versioned<ServiceCalendarDto>> {
    const row = await this.load(this.dataSource.manager, scope.orgId, calendarId);
    return new Versioned(toCalendarDto(row), row.version);
  }

  async create(scope: DataScope, dto: CreateServiceCalendarDto): Promise<Versioned<ServiceCalendarDto>> {
    assertEditable(scope, 'service calendars');
    return this.dataSource.transaction(async (manager) => {
      const source = dto.copyFrom === 'platform' ? await this.platformCalendar(manager) : null;
      if (!source && !dto.weeklyHours) {
        throw DomainError.validation('weeklyHours', 'is required unless copyFrom is given');
      }
      const weeklyHours = dto.weeklyHours ? weeklyOf(dto.weeklyHours) : source!.weekly_hours;
      const timeZone = dto.timeZone ?? source?.time_zone ?? DEFAULT_TIME_ZONE;
      assertValid({ timeZone, weeklyHours, overrides: dto.overrides });
      const overrides = dto.overrides ? overridesOf(dto.overrides) : (source?.overrides ?? []);
      // Calendar writes of one organization take turns on its row, so two first calendars cannot both
      // become the default.
      await manager.query(`SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE`, [scope.orgId]);
      const defaults: unknown[] = await manager.query(
        `SELECT 1 FROM service_calendars WHERE org_id = $1 AND is_default`,
        [scope.orgId],
      );
      const hasDefault = defaults.length > 0;
      // The first calendar of an organization is its default, whatever the body says.
      const makeDefault = dto.isDefault === true || !hasDefault;
      if (makeDefault) await this.clearDefault(manager, scope.orgId);
      const now = this.clock.now();
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO service_calendars (org_id, name, time_zone, weekly_hours, overrides, is_default, copied_from,
                                        created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $8) RETURNING id`,
        [
          scope.orgId,
          dto.name,
          timeZone,
          JSON.stringify(weeklyHours),
          JSON.stringify(overrides),
          makeDefault,
          source?.id ?? null,
          now,
        ],
      );
      const row = await this.load(manager, scope.orgId, id);
      return new Versioned(toCalendarDto(row), row.version);
    });
  }

  async update(
    scope: DataScope,
    calendarId: string,
    dto: UpdateServiceCalendarDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<ServiceCalendarDto>> {
    assertEditable(scope, 'service calendars');
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE`, [scope.orgId]);
      const before = await this.load(manager, scope.orgId, calendarId, { lock: true });
      assertIfMatch(ifMatch, before.version);
      const weeklyHours = dto.weeklyHours ? weeklyOf(dto.weeklyHours) : before.weekly_hours;
      assertValid({
        timeZone: dto.timeZone,
        weeklyHours: dto.weeklyHours && weeklyHours,
        overrides: dto.overrides,
      });
      if (dto.isDefault && !before.is_default) await this.clearDefault(manager, scope.orgId);
      await manager.query(
        `UPDATE service_calendars SET name = $3, time_zone = $4, weekly_hours = $5::jsonb, overrides = $6::jsonb,
                is_default = $7, updated_at = $8, version = version + 1
          WHERE org_id = $1 AND id = $2`,
        [
          scope.orgId,
          calendarId,
          dto.name ?? before.name,
          dto.timeZone ?? before.time_zone,
          JSON.stringify(weeklyHours),
          JSON.stringify(dto.overrides ? overridesOf(dto.overrides) : before.overrides),
          before.is_default || dto.isDefault === true,
          this.clock.now(),
        ],
      );
      const row = await this.load(manager, scope.orgId, calendarId);
      return new Versioned(toCalendarDto(row), row.version);
    });
  }

  /** Only an unused calendar goes: not the default, and named by no SLA policy. */
  async remove(scope: DataScope, calendarId: string): Promise<void> {
    assertEditable(scope, 'service calendars');
    await this.dataSource.transaction(async (manager) => {
      const row = await this.load(manager, scope.orgId, calendarId, { lock: true });
      if (row.is_default) {
        throw new DomainError(
          ErrorCode.ReferenceInUse,
          "This is the organization's default calendar; make another the default first",
        );
      }
      const users: { id: string }[] = await manager.query(
        `SELECT id FROM sla_policies WHERE org_id = $1 AND calendar_id = $2 LIMIT 5`,
        [scope.orgId, calendarId],
      );
      if (users.length > 0) {
        throw new DomainError(ErrorCode.ReferenceInUse, 'SLA policies use this calendar', {
          extensions: { policyIds: users.map((u) => u.id) },
        });
      }
      await manager.query(`DELETE FROM service_calendars WHERE org_id = $1 AND id = $2`, [
        scope.orgId,
        calendarId,
      ]);
    });
  }

  /** The due-time arithmetic over HTTP, exactly as the SLA clock runs it. */
  async dueTime(scope: DataScope, calendarId: string, dto: DueTimeRequestDto): Promise<DueTimeDto> {
    const calendar = await this.compiledCalendar(scope.orgId, calendarId);
    const from = Date.parse(dto.from);
    const pauses = (dto.pauses ?? []).map((p, i) => {
      const pausedAt = Date.parse(p.pausedAt);
      const resumedAt = p.resumedAt === null ? null : Date.parse(p.resumedAt);
      if (resumedAt !== null && resumedAt < pausedAt) {
        throw DomainError.validation(`pauses.${i}.resumedAt`, 'must not be before pausedAt');
      }
      return { pausedAt, resumedAt };
    });
    const due = dueAt({ minutes: dto.minutes, mode: dto.mode }, calendar, from, pauses);
    return {
      dueAt: due === null ? null : new Date(due).toISOString(),
      openAtFrom: isOpen(calendar, from),
      nextOpeningAt: new Date(nextOpening(calendar, from)).toISOString(),
    };
  }

  /** A calendar of the organization, compiled (cached by version). */
  async compiledCalendar(orgId: string, calendarId: string): Promise<CompiledCalendar> {
    return this.compiled.get(toDefinition(await this.load(this.dataSource.manager, orgId, calendarId)));
  }

  private async clearDefault(manager: EntityManager, orgId: string): Promise<void> {
    await manager.query(
      `UPDATE service_calendars SET is_default = false, updated_at = $2, version = version + 1
        WHERE org_id = $1 AND is_default`,
      [orgId, this.clock.now()],
    );
  }

  private async platformCalendar(manager: EntityManager): Promise<CalendarRow> {
    const rows: CalendarRow[] = await manager.query(
      `SELECT ${CALENDAR_COLUMNS} FROM service_calendars WHERE org_id = $1 AND is_default`,
      [PLATFORM_ORG_ID],
    );
    if (!rows[0]) throw new DomainError(ErrorCode.ReferenceNotFound, 'The platform has no calendar to copy');
    return rows[0];
  }

  private async load(
    manager: EntityManager,
    orgId: string,
    calendarId: string,
    options: { lock?: boolean } = {},
  ): Promise<CalendarRow> {
    const rows: CalendarRow[] = await manager.query(
      `SELECT ${CALENDAR_COLUMNS} FROM service_calendars WHERE org_id = $1 AND id = $2${options.lock ? ' FOR UPDATE' : ''}`,
      [orgId, calendarId],
    );
    if (!rows[0]) throw DomainError.notFound('Service calendar');
    return rows[0];
  }
}
