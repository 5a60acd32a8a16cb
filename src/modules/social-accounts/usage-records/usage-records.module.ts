import { Module } from '@nestjs/common';
import { SocialAccountAccessModule } from '../social-account-access.module';
import { UsageChainVerifier } from './usage-chain-verifier.service';
import { UsageCheckpoints } from './usage-checkpoints.service';
import { UsageRecordsController } from './usage-records.controller';
import { UsageRecordsReader } from './usage-records-reader.service';
import { UsageRecordsService } from './usage-records.service';

/**
 * Account usage records: appending to each account's hash chain (UsageRecordsService, which other
 * modules call inside their transactions), signed checkpoints and their job, and the endpoints that
 * list, export and verify a chain.
 */
@Module({
  imports: [SocialAccountAccessModule],
  controllers: [UsageRecordsController],
  providers: [UsageRecordsService, UsageCheckpoints, UsageRecordsReader, UsageChainVerifier],
  exports: [UsageRecordsService],
})
export class UsageRecordsModule {}
