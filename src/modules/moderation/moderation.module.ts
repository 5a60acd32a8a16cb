import { Module } from '@nestjs/common';
import { LexiconEngines } from './lexicon-engines';
import { ModerationCheckController } from './moderation-check.controller';
import { ModerationCheckService } from './moderation-check.service';
import { ModerationPoliciesService } from './moderation-policies.service';
import { ModerationPolicyController } from './moderation-policy.controller';
import { ModerationService } from './moderation.service';
import { OrganizationSensitiveWordsController } from './organization-sensitive-words.controller';
import { PlatformLexiconSeeder } from './platform-lexicon-seeder';
import { PlatformSensitiveWordsController } from './platform-sensitive-words.controller';
import { SensitiveWordImportService } from './sensitive-word-import.service';
import { SensitiveWordsService } from './sensitive-words.service';

/**
 * Sensitive-word moderation around the pure engine in `./engine`: the platform and organization
 * lexicons (CRUD and import), organization policies, the live check endpoint, and `ModerationService`
 * for other modules (content's automatic review).
 */
@Module({
  controllers: [
    ModerationCheckController,
    PlatformSensitiveWordsController,
    OrganizationSensitiveWordsController,
    ModerationPolicyController,
  ],
  providers: [
    PlatformLexiconSeeder,
    LexiconEngines,
    ModerationService,
    ModerationCheckService,
    SensitiveWordsService,
    SensitiveWordImportService,
    ModerationPoliciesService,
  ],
  exports: [ModerationService],
})
export class ModerationModule {}
