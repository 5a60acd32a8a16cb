import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import {
  IsCreditCode,
  IsMainlandPhone,
  NormalizeCreditCode,
  NormalizeEmail,
  NormalizeMainlandMobile,
  Trim,
} from '../../common/validation';
import { EnterpriseProfile } from './enterprise-profile.entity';
import { PERSON_NAME_PATTERN } from './names';
import { VERIFICATION_STATUSES, VerificationStatus } from './verification.types';

export class UpdateEnterpriseDto {
  @ApiProperty({ description: 'Registered company name, 2–200 characters', example: '北京某某科技有限公司' })
  @Trim()
  @IsString()
  @Length(2, 200)
  @Matches(/^\P{Cc}+$/u, { message: 'companyName must not contain control characters' })
  companyName: string;

  @ApiProperty({
    description:
      'Unified social credit code: 18 characters, GB 32100 check character (case and spaces ignored)',
    example: '91350100M000100Y43',
  })
  @NormalizeCreditCode()
  @IsCreditCode()
  creditCode: string;

  @ApiProperty({ example: '李四', minLength: 2, maxLength: 50 })
  @Trim()
  @IsString()
  @Length(2, 50)
  @Matches(PERSON_NAME_PATTERN, { message: 'contactPerson must be a person name' })
  contactPerson: string;

  @ApiProperty({ description: 'Mainland mobile or fixed-line number with area code', example: '13800138000' })
  @NormalizeMainlandMobile()
  @IsMainlandPhone()
  contactPhone: string;

  @ApiProperty({ format: 'email', example: 'contact@example.com' })
  @NormalizeEmail()
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class EnterpriseInfoDto {
  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty({ type: String, nullable: true })
  companyName: string | null;

  @ApiProperty({ type: String, nullable: true, example: '91350100M000100Y43' })
  creditCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  contactPerson: string | null;

  @ApiProperty({ type: String, nullable: true })
  contactPhone: string | null;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  @ApiProperty({ enum: VERIFICATION_STATUSES })
  verificationStatus: VerificationStatus;

  @ApiProperty({ type: String, nullable: true, description: "The reviewer's reason for the last decision" })
  verificationReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  verificationDecidedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt: string | null;
}

/** No row yet reads as an empty, unverified record rather than a 404: every agency or brand has one. */
export const toEnterpriseInfoDto = (orgId: string, profile: EnterpriseProfile | null): EnterpriseInfoDto => ({
  orgId,
  companyName: profile?.companyName ?? null,
  creditCode: profile?.creditCode ?? null,
  contactPerson: profile?.contactPerson ?? null,
  contactPhone: profile?.contactPhone ?? null,
  email: profile?.email ?? null,
  verificationStatus: profile?.verificationStatus ?? 'unverified',
  verificationReason: profile?.verificationReason ?? null,
  verificationDecidedAt: profile?.verificationDecidedAt?.toISOString() ?? null,
  updatedAt: profile?.updatedAt.toISOString() ?? null,
});
