import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength, ValidateBy, ValidationArguments } from 'class-validator';
import { Gender, Optional, Trim } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';
import { VerificationRequest } from './verification-request.entity';
import {
  Decision,
  EnterpriseSnapshot,
  PersonSnapshot,
  REQUEST_STATUSES,
  RequestStatus,
  VERIFICATION_KINDS,
  VerificationKind,
} from './verification.types';

export class ListVerificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES, description: 'Only requests in this status' })
  @Optional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;

  @ApiPropertyOptional({ enum: VERIFICATION_KINDS })
  @Optional()
  @IsIn(VERIFICATION_KINDS)
  kind?: VerificationKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only real-name requests of this user' })
  @Optional()
  @IsUUID()
  subjectUserId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only enterprise requests of this organization' })
  @Optional()
  @IsUUID()
  subjectOrgId?: string;

  @ApiPropertyOptional({
    enum: ['submittedAt', '-submittedAt'],
    description: 'Sort key; default `submittedAt` (oldest first, the review queue order)',
  })
  @Optional()
  @IsIn(['submittedAt', '-submittedAt'])
  sort?: string;
}

/** Present when rejecting (1–500 characters after trimming), optional when approving. */
function IsDecisionReason(): PropertyDecorator {
  return ValidateBy({
    name: 'isDecisionReason',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        if (value === undefined || value === null)
          return (args?.object as DecideVerificationDto).decision !== 'reject';
        return typeof value === 'string' && value.length >= 1 && value.length <= 500;
      },
      defaultMessage: (args?: ValidationArguments) =>
        args?.value === undefined || args?.value === null
          ? 'reason is required to reject'
          : 'reason must be text of 1–500 characters',
    },
  });
}

export class DecideVerificationDto {
  @ApiProperty({ enum: ['approve', 'reject'] })
  @IsIn(['approve', 'reject'])
  decision: Decision;

  @ApiPropertyOptional({ description: 'Told to the subject; required to reject', maxLength: 500 })
  @Trim()
  @IsDecisionReason()
  reason?: string;

  @ApiPropertyOptional({
    description: 'Internal note for platform staff, never shown to the subject',
    maxLength: 1000,
  })
  @Optional()
  @Trim()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class PersonSubmissionDto {
  @ApiProperty()
  realName: string;

  @ApiProperty({ enum: ['male', 'female'] })
  gender: Gender;

  @ApiProperty({ format: 'date' })
  birthDate: string;

  @ApiProperty({
    example: '110***********002X',
    description: 'Masked; reviewers never see the full number here',
  })
  idNumberMasked: string;
}

export class EnterpriseSubmissionDto {
  @ApiProperty()
  companyName: string;

  @ApiProperty()
  creditCode: string;

  @ApiProperty()
  contactPerson: string;

  @ApiProperty()
  contactPhone: string;

  @ApiProperty()
  email: string;
}

export class VerificationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: VERIFICATION_KINDS })
  kind: VerificationKind;

  @ApiProperty({ enum: REQUEST_STATUSES })
  status: RequestStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The person, for real_name' })
  subjectUserId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The organization, for enterprise',
  })
  subjectOrgId: string | null;

  @ApiProperty({
    type: PersonSubmissionDto,
    nullable: true,
    description: 'What was submitted, for real_name',
  })
  person: PersonSubmissionDto | null;

  @ApiProperty({
    type: EnterpriseSubmissionDto,
    nullable: true,
    description: 'What was submitted, for enterprise',
  })
  enterprise: EnterpriseSubmissionDto | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  submittedBy: string | null;

  @ApiProperty({ format: 'date-time' })
  submittedAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;
}

export function toVerificationDto(request: VerificationRequest): VerificationDto {
  // The snapshot was written masked; copy named fields only, so nothing else stored there can leak out.
  const person = request.kind === 'real_name' ? (request.snapshot as PersonSnapshot) : null;
  const enterprise = request.kind === 'enterprise' ? (request.snapshot as EnterpriseSnapshot) : null;
  return {
    id: request.id,
    kind: request.kind,
    status: request.status,
    subjectUserId: request.subjectUserId,
    subjectOrgId: request.subjectOrgId,
    person: person
      ? {
          realName: person.realName,
          gender: person.gender,
          birthDate: person.birthDate,
          idNumberMasked: person.idNumberMasked,
        }
      : null,
    enterprise: enterprise
      ? {
          companyName: enterprise.companyName,
          creditCode: enterprise.creditCode,
          contactPerson: enterprise.contactPerson,
          contactPhone: enterprise.contactPhone,
          email: enterprise.email,
        }
      : null,
    submittedBy: request.submittedBy,
    submittedAt: request.submittedAt.toISOString(),
    decidedBy: request.decidedBy,
    decidedAt: request.decidedAt?.toISOString() ?? null,
    reason: request.reason,
    note: request.note,
  };
}
