import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, etagOf } from '../../platform/http/etag';
import { Actor } from '../access/actor';
import { EnterpriseProfile } from './enterprise-profile.entity';
import { EnterpriseInfoDto, toEnterpriseInfoDto, UpdateEnterpriseDto } from './enterprise.dto';
import { concurrentWriteAsConflict, Tagged } from './tagged';
import { VerificationSubmissions } from './verification-submissions';
import { VerificationStatus } from './verification.types';

const RESUBMITTABLE: readonly VerificationStatus[] = ['unverified', 'rejected'];

/**
 * Enterprise information of agency and brand organizations. The guard has already checked membership
 * and the permission in `orgId`; the platform organization is not an enterprise and has none.
 */
@Injectable()
export class EnterpriseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly submissions: VerificationSubmissions,
  ) {}

  async getEnterpriseInfo(actor: Actor, orgId: string): Promise<Tagged<EnterpriseInfoDto>> {
    this.assertEnterprise(actor);
    const profile = await this.dataSource.getRepository(EnterpriseProfile).findOneBy({ orgId });
    return { body: toEnterpriseInfoDto(orgId, profile), etag: etagOf(profile?.version ?? 0) };
  }

  /**
   * Replaces the information. A new company name or credit code, or saving while unverified or
   * rejected, puts it up for review; contact changes alone keep the status.
   */
  async updateEnterpriseInfo(
    actor: Actor,
    orgId: string,
    dto: UpdateEnterpriseDto,
    ifMatch: string | undefined,
  ): Promise<Tagged<EnterpriseInfoDto>> {
    this.assertEnterprise(actor);
    const now = this.clock.now();
    const saved = await concurrentWriteAsConflict(() =>
      this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(EnterpriseProfile);
        const existing = await repo.findOne({ where: { orgId }, lock: { mode: 'pessimistic_write' } });
        assertIfMatch(ifMatch, existing?.version ?? 0);

        const identityChanged =
          !existing || existing.companyName !== dto.companyName || existing.creditCode !== dto.creditCode;
        const needsReview = identityChanged || RESUBMITTABLE.includes(existing.verificationStatus);
        const fields = {
          companyName: dto.companyName,
          creditCode: dto.creditCode,
          contactPerson: dto.contactPerson,
          contactPhone: dto.contactPhone,
          email: dto.email,
          ...(needsReview
            ? {
                verificationStatus: 'pending' as const,
                verificationReason: null,
                verificationDecidedAt: null,
              }
            : {}),
        };
        if (existing) {
          await repo.save(Object.assign(existing, fields));
        } else {
          await repo.insert({ orgId, ...fields });
        }
        if (needsReview) {
          const { companyName, creditCode, contactPerson, contactPhone, email } = fields;
          await this.submissions.submit(
            manager,
            {
              kind: 'enterprise',
              orgId,
              snapshot: { companyName, creditCode, contactPerson, contactPhone, email },
            },
            actor.userId,
            now,
          );
        }
        return repo.findOneByOrFail({ orgId });
      }),
    );
    return { body: toEnterpriseInfoDto(orgId, saved), etag: etagOf(saved.version) };
  }

  private assertEnterprise(actor: Actor): void {
    if (actor.orgKind === 'platform') {
      throw new DomainError(
        ErrorCode.Unprocessable,
        'The platform organization has no enterprise information',
      );
    }
  }
}
