import { CalendarDefinition, DateOverride, WeeklyHours } from './calendar.types';
import { workingDayMinutes } from './calendar-rules';
import { ServiceCalendarDto } from './service-calendar.dto';

/** A `service_calendars` row as SQL returns it; this module owns the table. */
export interface CalendarRow {
  id: string;
  org_id: string;
  name: string;
  time_zone: string;
  weekly_hours: WeeklyHours;
  overrides: DateOverride[];
  is_default: boolean;
  copied_from: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const CALENDAR_COLUMNS = `id, org_id, name, time_zone, weekly_hours, overrides, is_default, copied_from,
  version, created_at, updated_at`;

export const toDefinition = (row: CalendarRow): CalendarDefinition => ({
  id: row.id,
  version: row.version,
  timeZone: row.time_zone,
  weeklyHours: row.weekly_hours,
  overrides: row.overrides,
});

export const toCalendarDto = (row: CalendarRow): ServiceCalendarDto => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  timeZone: row.time_zone,
  weeklyHours: row.weekly_hours,
  overrides: row.overrides,
  isDefault: row.is_default,
  copiedFrom: row.copied_from,
  workingDayMinutes: workingDayMinutes(row.weekly_hours),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
