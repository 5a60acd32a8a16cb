import { Module } from '@nestjs/common';
import { SocialAccountAccessModule } from '../social-account-access.module';
import { UsageRecordsModule } from '../usage-records/usage-records.module';
import { CredentialAccess } from './credential-access';
import { CredentialReveals } from './credential-reveals.service';
import { CredentialSealer } from './credential-secret';
import { CredentialsController } from './credentials.controller';
import { CredentialsService } from './credentials.service';
import { EncryptionKeyRotation } from './encryption-key-rotation.service';
import { RevealAnomalies } from './reveal-anomalies';
import { RevealNotices } from './reveal-notices';
import { RevealRateLimit } from './reveal-rate-limit';

/**
 * The credential vault of managed social accounts: `/orgs/{orgId}/social-accounts/{accountId}/credentials`
 * (store, read metadata, remove, reveal) and the key rotation behind `npm run admin -- rotate-keys`.
 * The field cipher, clock and notifications come from the platform's global modules. CredentialSealer is
 * exported for connectors that refresh an account's OAuth tokens in the vault's own format.
 */
@Module({
  imports: [SocialAccountAccessModule, UsageRecordsModule],
  controllers: [CredentialsController],
  providers: [
    CredentialAccess,
    CredentialSealer,
    CredentialsService,
    CredentialReveals,
    RevealRateLimit,
    RevealAnomalies,
    RevealNotices,
    EncryptionKeyRotation,
  ],
  exports: [EncryptionKeyRotation, CredentialSealer],
})
export class CredentialsModule {}
