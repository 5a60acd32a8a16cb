import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  inspectResidentId,
  maskResidentId,
  RESIDENT_ID_MESSAGES,
  residentIdMismatches,
} from '../../common/validation';
import { Clock } from '../../platform/clock/clock';
import { FieldCipher } from '../../platform/crypto/field-cipher';
import { DomainError, ErrorCode, FieldError } from '../../platform/errors';
import { assertIfMatch, etagOf } from '../../platform/http/etag';
import { Actor, requireUserId } from '../access/actor';
import { MeDto, MyOrganizationDto, ProfileDto, toProfileDto, UpdateProfileDto } from './me.dto';
import { concurrentWriteAsConflict, Tagged } from './tagged';
import { UserProfile } from './user-profile.entity';
import { VerificationSubmissions } from './verification-submissions';
import { VerificationStatus } from './verification.types';

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  status: string;
  created_at: Date;
}

/** States in which saving the profile (even unchanged) asks for a review. */
const RESUBMITTABLE: readonly VerificationStatus[] = ['unverified', 'rejected'];

/**
 * The signed-in user's own account and real-name profile. The resident ID number is sealed with the
 * field cipher (the user id bound in as associated data) and only its masked form ever leaves here.
 */
@Injectable()
export class MeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
    private readonly submissions: VerificationSubmissions,
  ) {}

  async getMe(actor: Actor): Promise<Tagged<MeDto>> {
    const userId = requireUserId(actor);
    // Users and organizations belong to other modules; read them with plain SQL rather than their entities.
    const [users, organizations, profile] = await Promise.all([
      this.dataSource.query<UserRow[]>(
        `SELECT id, username, email, phone, status, created_at FROM users WHERE id = $1`,
        [userId],
      ),
      this.dataSource.query<MyOrganizationDto[]>(
        `SELECT o.id, o.name, o.kind, o.status
         FROM org_members m JOIN organizations o ON o.id = m.org_id
         WHERE m.user_id = $1 AND m.status = 'active'
         ORDER BY o.name, o.id`,
        [userId],
      ),
      this.dataSource.getRepository(UserProfile).findOneBy({ userId }),
    ]);
    const user = users[0];
    if (!user) throw DomainError.notFound('User');
    return {
      body: {
        id: user.id,
        username: user.username,
        email: user.email,
        phone: user.phone,
        status: user.status,
        createdAt: user.created_at.toISOString(),
        profile: toProfileDto(profile),
        organizations: organizations.map((o) => ({ id: o.id, name: o.name, kind: o.kind, status: o.status })),
      },
      etag: etagOf(profile?.version ?? 0),
    };
  }

  /**
   * Replaces the profile. A new real name or ID number, or saving while unverified or rejected, puts
   * the profile up for review (status `pending`, one verification request); contact changes alone keep
   * the status.
   */
  async updateMyProfile(
    actor: Actor,
    dto: UpdateProfileDto,
    ifMatch: string | undefined,
  ): Promise<Tagged<ProfileDto>> {
    const userId = requireUserId(actor);
    const now = this.clock.now();
    const saved = await concurrentWriteAsConflict(() =>
      this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(UserProfile);
        const existing = await repo.findOne({ where: { userId }, lock: { mode: 'pessimistic_write' } });
        assertIfMatch(ifMatch, existing?.version ?? 0);

        const storedIdNumber = existing
          ? this.cipher.decrypt(
              { keyId: existing.idNumberKeyId, ciphertext: existing.idNumberCiphertext },
              userId,
            )
          : null;
        const idNumber = dto.idNumber ?? storedIdNumber;
        if (!idNumber) throw DomainError.validation('idNumber', 'idNumber is required');
        this.assertConsistent(idNumber, dto, now);

        const identityChanged =
          !existing || existing.realName !== dto.realName || storedIdNumber !== idNumber;
        const needsReview = identityChanged || RESUBMITTABLE.includes(existing.realNameStatus);
        // Sealed afresh on every save: a fresh IV each time, and rows move to the active key as people edit.
        const sealed = this.cipher.encrypt(idNumber, userId);
        const fields = {
          realName: dto.realName,
          gender: dto.gender,
          birthDate: dto.birthDate,
          idNumberCiphertext: sealed.ciphertext,
          idNumberKeyId: sealed.keyId,
          idNumberMasked: maskResidentId(idNumber),
          mobile: dto.mobile ?? null,
          ...(needsReview
            ? { realNameStatus: 'pending' as const, realNameReason: null, realNameDecidedAt: null }
            : {}),
        };
        if (existing) {
          await repo.save(Object.assign(existing, fields));
        } else {
          await repo.insert({ userId, ...fields });
        }
        if (needsReview) await this.submit(manager, userId, fields, now);
        return repo.findOneByOrFail({ userId });
      }),
    );
    return { body: toProfileDto(saved), etag: etagOf(saved.version) };
  }

  /** The number must be valid today (by our clock) and agree with the stated birth date and gender. */
  private assertConsistent(idNumber: string, dto: UpdateProfileDto, now: Date): void {
    const inspection = inspectResidentId(idNumber, now);
    if (!inspection.valid) {
      throw DomainError.validation('idNumber', `idNumber ${RESIDENT_ID_MESSAGES[inspection.problem]}`);
    }
    const errors: FieldError[] = residentIdMismatches(idNumber, dto, now).map((field) => ({
      field: 'idNumber',
      message: `idNumber does not match ${field}`,
    }));
    if (errors.length > 0)
      throw new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', { errors });
  }

  private submit(
    manager: EntityManager,
    userId: string,
    fields: Pick<UserProfile, 'realName' | 'gender' | 'birthDate' | 'idNumberMasked'>,
    now: Date,
  ) {
    const snapshot = {
      realName: fields.realName,
      gender: fields.gender,
      birthDate: fields.birthDate,
      idNumberMasked: fields.idNumberMasked,
    };
    return this.submissions.submit(manager, { kind: 'real_name', userId, snapshot }, userId, now);
  }
}
