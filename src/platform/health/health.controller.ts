import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { Public } from '../../modules/access/authorize.decorator';

@ApiTags('health')
@Controller('health')
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  /** Liveness: the process serves HTTP. Never touches the database, so a slow database doesn't restart pods. */
  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness probe' })
  live() {
    return this.health.check([]);
  }

  /** Readiness: the database answers and every migration is applied. */
  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness probe (database reachable, migrations applied)',
  })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      async () => {
        const indicator = this.indicators.check('migrations');
        const pending = await this.dataSource.showMigrations();
        return pending ? indicator.down({ pending: true }) : indicator.up();
      },
    ]);
  }
}
