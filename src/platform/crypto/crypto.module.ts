import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FieldCipher } from './field-cipher';

@Global()
@Module({
  providers: [
    {
      provide: FieldCipher,
      inject: [AppConfig],
      useFactory: ({ env }: AppConfig) =>
        FieldCipher.fromConfig(env.ENCRYPTION_KEYS, env.ENCRYPTION_ACTIVE_KEY_ID),
    },
  ],
  exports: [FieldCipher],
})
export class CryptoModule {}
