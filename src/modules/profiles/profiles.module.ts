import { Module } from '@nestjs/common';
import { EnterpriseController } from './enterprise.controller';
import { EnterpriseService } from './enterprise.service';
import { MeController } from './me.controller';
import { MeService } from './me.service';
import { VerificationNotices } from './verification-notices';
import { VerificationStatusReader } from './verification-status.reader';
import { VerificationSubmissions } from './verification-submissions';
import { VerificationsController } from './verifications.controller';
import { VerificationsService } from './verifications.service';

/**
 * Profiles, enterprise information and their platform verification: `/me`, `/me/profile`,
 * `/orgs/{orgId}/enterprise` and `/platform/verifications`. Notifications come from the global
 * NotificationsModule; the field cipher and clock from the platform's global modules.
 */
@Module({
  controllers: [MeController, EnterpriseController, VerificationsController],
  providers: [
    MeService,
    EnterpriseService,
    VerificationsService,
    VerificationSubmissions,
    VerificationNotices,
    VerificationStatusReader,
  ],
  exports: [VerificationStatusReader],
})
export class ProfilesModule {}
