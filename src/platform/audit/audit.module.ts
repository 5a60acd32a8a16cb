import { Module } from '@nestjs/common';
import { OperationLogInterceptor } from './operation-log.interceptor';
import { OperationLogsController } from './operation-logs.controller';
import { OperationLogsService } from './operation-logs.service';

/** The operation log: its interceptor (in the app's RouteInterceptorChain) appends to it, `listOperationLogs` reads it. */
@Module({
  controllers: [OperationLogsController],
  providers: [OperationLogsService, OperationLogInterceptor],
  exports: [OperationLogsService, OperationLogInterceptor],
})
export class AuditModule {}
