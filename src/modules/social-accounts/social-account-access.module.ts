import { Module } from '@nestjs/common';
import { SocialAccountAccess } from './account-access.service';

/** The account access rule on its own, so every module that uses accounts can import just the rule. */
@Module({ providers: [SocialAccountAccess], exports: [SocialAccountAccess] })
export class SocialAccountAccessModule {}
