import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/pagination';
import { LoginAttempt, LoginFailureReason, LoginResult } from './login-attempt.entity';

const RESULTS: LoginResult[] = ['success', 'failure', 'locked', 'rate_limited'];
const REASONS: LoginFailureReason[] = [
  'invalid_credentials',
  'account_disabled',
  'account_locked',
  'ip_rate_limited',
];

export class LoginHistoryEntryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  time: string;

  @ApiProperty({ example: '203.0.113.7' })
  ip: string;

  @ApiProperty({ type: String, nullable: true })
  userAgent: string | null;

  @ApiProperty({ enum: RESULTS })
  result: LoginResult;

  /** Why the attempt failed; null on success. */
  @ApiProperty({ enum: REASONS, nullable: true })
  reason: LoginFailureReason | null;
}

export class LoginHistoryPageDto extends PageOf(LoginHistoryEntryDto) {}

export const toLoginHistoryEntryDto = (attempt: LoginAttempt): LoginHistoryEntryDto => ({
  id: attempt.id,
  time: attempt.createdAt.toISOString(),
  ip: attempt.ip,
  userAgent: attempt.userAgent,
  result: attempt.result,
  reason: attempt.reason,
});
