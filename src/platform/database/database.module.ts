import { Global, Module } from '@nestjs/common';
import { PreparedQueries } from './prepared-queries';

/** Database helpers every module may use beside TypeORM's own injectables. */
@Global()
@Module({ providers: [PreparedQueries], exports: [PreparedQueries] })
export class DatabaseModule {}
