import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnvironment } from './config.schema';

@Global()
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateEnvironment, ignoreEnvFile: true }),
  ],
  providers: [
    // ConfigModule has validated the environment already; this is the same result, typed.
    { provide: AppConfig, useFactory: () => new AppConfig(validateEnvironment(process.env)) },
  ],
  exports: [AppConfig],
})
export class AppConfigModule {}
