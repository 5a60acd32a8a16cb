import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import {
  Gender,
  IsCalendarDate,
  IsMainlandMobile,
  IsResidentIdNumber,
  NormalizeMainlandMobile,
  NormalizeResidentId,
  Nullable,
  Optional,
  Trim,
} from '../../common/validation';
import { PERSON_NAME_PATTERN } from './names';
import { UserProfile } from './user-profile.entity';
import { VERIFICATION_STATUSES, VerificationStatus } from './verification.types';

const GENDERS: readonly Gender[] = ['male', 'female'];

export class UpdateProfileDto {
  @ApiProperty({
    description: 'Name as on the ID card, 2–50 characters',
    example: '张三',
    minLength: 2,
    maxLength: 50,
  })
  @Trim()
  @IsString()
  @Length(2, 50)
  @Matches(PERSON_NAME_PATTERN, {
    message: 'realName must contain only letters, spaces and name separators (·)',
  })
  realName: string;

  @ApiProperty({ enum: GENDERS })
  @IsIn(GENDERS)
  gender: Gender;

  @ApiProperty({ format: 'date', example: '1949-12-31' })
  @IsCalendarDate()
  birthDate: string;

  @ApiPropertyOptional({
    description:
      'Resident ID number (18 characters, MOD 11-2 check character), consistent with birthDate and gender. ' +
      'Write-only: answers show it masked. Omit it to keep the number on file.',
    example: '11010519491231002X',
    writeOnly: true,
  })
  @Optional()
  @NormalizeResidentId()
  @IsResidentIdNumber()
  idNumber?: string;

  @ApiPropertyOptional({
    description: 'Mainland mobile number; omitted or null clears it',
    example: '13800138000',
    nullable: true,
    type: String,
  })
  @Nullable()
  @NormalizeMainlandMobile()
  @IsMainlandMobile()
  mobile?: string | null;
}

export class ProfileDto {
  @ApiProperty({ type: String, nullable: true, example: '张三' })
  realName: string | null;

  @ApiProperty({ enum: GENDERS, nullable: true })
  gender: Gender | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, example: '1949-12-31' })
  birthDate: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '110***********002X',
    description: 'Never the full number',
  })
  idNumberMasked: string | null;

  @ApiProperty({ type: String, nullable: true, example: '13800138000' })
  mobile: string | null;

  @ApiProperty({ enum: VERIFICATION_STATUSES })
  realNameStatus: VerificationStatus;

  @ApiProperty({ type: String, nullable: true, description: "The reviewer's reason for the last decision" })
  realNameReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  realNameDecidedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt: string | null;
}

export class MyOrganizationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['platform', 'agency', 'brand'] })
  kind: string;

  @ApiProperty({ enum: ['active', 'suspended'] })
  status: string;
}

export class MeDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  username: string;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone: string | null;

  @ApiProperty({ enum: ['active', 'disabled'] })
  status: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: ProfileDto })
  profile: ProfileDto;

  @ApiProperty({
    type: MyOrganizationDto,
    isArray: true,
    description: 'Organizations the user is an active member of',
  })
  organizations: MyOrganizationDto[];
}

export const EMPTY_PROFILE: ProfileDto = {
  realName: null,
  gender: null,
  birthDate: null,
  idNumberMasked: null,
  mobile: null,
  realNameStatus: 'unverified',
  realNameReason: null,
  realNameDecidedAt: null,
  updatedAt: null,
};

export const toProfileDto = (profile: UserProfile | null): ProfileDto =>
  profile
    ? {
        realName: profile.realName,
        gender: profile.gender,
        birthDate: profile.birthDate,
        idNumberMasked: profile.idNumberMasked,
        mobile: profile.mobile,
        realNameStatus: profile.realNameStatus,
        realNameReason: profile.realNameReason,
        realNameDecidedAt: profile.realNameDecidedAt?.toISOString() ?? null,
        updatedAt: profile.updatedAt.toISOString(),
      }
    : { ...EMPTY_PROFILE };
