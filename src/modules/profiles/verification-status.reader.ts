import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VerificationStatus } from './verification.types';

/**
 * For other modules whose rules depend on verification (e.g. only a verified brand may authorize an
 * agency): answers the current status without exposing the profile tables.
 */
@Injectable()
export class VerificationStatusReader {
  constructor(private readonly dataSource: DataSource) {}

  async realNameStatus(userId: string): Promise<VerificationStatus> {
    const rows: { status: VerificationStatus }[] = await this.dataSource.query(
      `SELECT real_name_status AS status FROM user_profiles WHERE user_id = $1`,
      [userId],
    );
    return rows[0]?.status ?? 'unverified';
  }

  async enterpriseStatus(orgId: string): Promise<VerificationStatus> {
    const rows: { status: VerificationStatus }[] = await this.dataSource.query(
      `SELECT verification_status AS status FROM enterprise_profiles WHERE org_id = $1`,
      [orgId],
    );
    return rows[0]?.status ?? 'unverified';
  }
}
