import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { OperationLogInterceptor } from './operation-log.interceptor';
import { OperationLogsController } from './operation-logs.controller';
import { OperationLogsService } from './operation-logs.service';

/** The operation log: a global interceptor appends to it, `listOperationLogs` reads it. */
@Module({
  controllers: [OperationLogsController],
  providers: [OperationLogsService, { provide: APP_INTERCEPTOR, useClass: OperationLogInterceptor }],
  exports: [OperationLogsService],
})
export class AuditModule {}
