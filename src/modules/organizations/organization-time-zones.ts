import { Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { PeriodLimits, ReportPeriod, resolveReportPeriod } from '../../platform/reports';

export const DEFAULT_ORGANIZATION_TIME_ZONE = 'Asia/Shanghai';

/** The zone in which an organization's reports cut local days, for any module's report code. */
@Injectable()
export class OrganizationTimeZones {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async of(orgId: string): Promise<string> {
    const rows: { time_zone: string }[] = await this.dataSource.query(
      'SELECT time_zone FROM organizations WHERE id = $1',
      [orgId],
    );
    return rows[0]?.time_zone ?? DEFAULT_ORGANIZATION_TIME_ZONE;
  }

  /** A report's `from`/`to` as local days of the organization, today by the Clock. */
  async reportPeriod(
    orgId: string,
    query: { from?: string; to?: string },
    limits?: PeriodLimits,
  ): Promise<ReportPeriod> {
    return resolveReportPeriod(query, await this.of(orgId), this.clock.now(), limits);
  }
}

/** Imported by report modules: only the time-zone reader, without the organizations module's routes. */
@Module({ providers: [OrganizationTimeZones], exports: [OrganizationTimeZones] })
export class OrganizationTimeZonesModule {}
