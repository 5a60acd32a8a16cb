import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { queryRows } from '../../../platform/database/query-rows';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { assertIfMatch, etagOf } from '../../../platform/http/etag';
import { Actor } from '../../access/actor';
import { DataScope } from '../../access/data-scope';
import { UsageRecordsService } from '../usage-records/usage-records.service';
import { CredentialAccess } from './credential-access';
import { CredentialSecret, CredentialSealer, maskLoginName } from './credential-secret';
import { CredentialMetadataDto, StoreCredentialsDto } from './credential.dto';

export interface Tagged<T> {
  body: T;
  etag: string;
}

interface CredentialRow {
  account_id: string;
  kind: CredentialSecret['kind'];
  login_name_masked: string | null;
  access_token_expires_at: Date | null;
  refresh_token_expires_at: Date | null;
  stored_by: string | null;
  stored_at: Date;
  version: number;
}

const METADATA_COLUMNS = `account_id, kind, login_name_masked, access_token_expires_at, refresh_token_expires_at,
  stored_by, stored_at, version`;

const toMetadataDto = (row: CredentialRow): CredentialMetadataDto => ({
  accountId: row.account_id,
  kind: row.kind,
  loginNameMasked: row.login_name_masked,
  accessTokenExpiresAt: row.access_token_expires_at?.toISOString() ?? null,
  refreshTokenExpiresAt: row.refresh_token_expires_at?.toISOString() ?? null,
  storedAt: row.stored_at.toISOString(),
  storedBy: row.stored_by,
});

/** The validated body as the document that gets sealed, with expiries normalized to UTC. */
export function secretFromDto(dto: StoreCredentialsDto): CredentialSecret {
  if (dto.kind === 'password') {
    return { kind: 'password', loginName: dto.loginName!, password: dto.password! };
  }
  return {
    kind: 'oauth',
    openId: dto.openId ?? null,
    accessToken: dto.accessToken!,
    accessTokenExpiresAt: new Date(dto.accessTokenExpiresAt!).toISOString(),
    refreshToken: dto.refreshToken ?? null,
    refreshTokenExpiresAt: dto.refreshTokenExpiresAt
      ? new Date(dto.refreshTokenExpiresAt).toISOString()
      : null,
  };
}

/**
 * Storing, reading (metadata only) and removing an account's credentials. The secret is sealed as one
 * JSON document bound to the account; the clear columns hold only what reminders and displays need
 * (kind, expiries, a masked login name). Every change appends exactly one usage record in its
 * transaction. Revealing lives in CredentialReveals.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CredentialAccess,
    private readonly sealer: CredentialSealer,
    private readonly usage: UsageRecordsService,
    private readonly clock: Clock,
  ) {}

  async get(scope: DataScope, accountId: string): Promise<Tagged<CredentialMetadataDto>> {
    await this.access.read(scope, accountId);
    const row = await this.find(this.dataSource.manager, accountId, false);
    if (!row) throw DomainError.notFound('Credentials');
    return { body: toMetadataDto(row), etag: etagOf(row.version) };
  }

  /** Stores the first credentials (`credential.stored`) or replaces them (`credential.rotated`). */
  async store(
    actor: Actor,
    scope: DataScope,
    accountId: string,
    dto: StoreCredentialsDto,
    ifMatch: string | undefined,
  ): Promise<Tagged<CredentialMetadataDto>> {
    const secret = secretFromDto(dto);
    return this.dataSource.transaction(async (manager) => {
      const access = await this.access.require(scope, accountId, manager);
      const existing = await this.find(manager, accountId, true);
      assertIfMatch(ifMatch, existing?.version ?? 0);

      const sealed = this.sealer.seal(access.accountId, secret);
      const values = [
        access.accountId,
        secret.kind,
        sealed.keyId,
        sealed.ciphertext,
        secret.kind === 'password' ? maskLoginName(secret.loginName) : null,
        secret.kind === 'oauth' ? new Date(secret.accessTokenExpiresAt) : null,
        secret.kind === 'oauth' && secret.refreshTokenExpiresAt
          ? new Date(secret.refreshTokenExpiresAt)
          : null,
        actor.userId,
        this.clock.now(),
      ];
      const [row] = existing
        ? await queryRows<CredentialRow>(
            manager,
            `UPDATE account_credentials
             SET kind = $2, key_id = $3, ciphertext = $4, login_name_masked = $5, access_token_expires_at = $6,
                 refresh_token_expires_at = $7, stored_by = $8, stored_at = $9, updated_at = $9, version = version + 1
             WHERE account_id = $1 RETURNING ${METADATA_COLUMNS}`,
            values,
          )
        : // Two first stores racing: the row lock above had nothing to lock, so the loser lands here.
          await queryRows<CredentialRow>(
            manager,
            `INSERT INTO account_credentials (account_id, kind, key_id, ciphertext, login_name_masked,
               access_token_expires_at, refresh_token_expires_at, stored_by, stored_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
             ON CONFLICT (account_id) DO NOTHING RETURNING ${METADATA_COLUMNS}`,
            values,
          );
      if (!row) throw concurrentChange();

      await this.usage.append(manager, {
        accountId: access.accountId,
        brandOrgId: access.brandOrgId,
        action: existing ? 'credential.rotated' : 'credential.stored',
        actor,
        actorOrgId: scope.orgId,
        agencyOrgId: access.agencyOrgId,
        details: existing ? { kind: secret.kind, previousKind: existing.kind } : { kind: secret.kind },
      });
      return { body: toMetadataDto(row), etag: etagOf(row.version) };
    });
  }

  async remove(
    actor: Actor,
    scope: DataScope,
    accountId: string,
    ifMatch: string | undefined,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const access = await this.access.require(scope, accountId, manager);
      const existing = await this.find(manager, accountId, true);
      if (!existing) throw DomainError.notFound('Credentials');
      assertIfMatch(ifMatch, existing.version);
      await manager.query(`DELETE FROM account_credentials WHERE account_id = $1`, [access.accountId]);
      await this.usage.append(manager, {
        accountId: access.accountId,
        brandOrgId: access.brandOrgId,
        action: 'credential.removed',
        actor,
        actorOrgId: scope.orgId,
        agencyOrgId: access.agencyOrgId,
        details: { kind: existing.kind },
      });
    });
  }

  private async find(
    manager: EntityManager,
    accountId: string,
    lock: boolean,
  ): Promise<CredentialRow | null> {
    const rows: CredentialRow[] = await manager.query(
      `SELECT ${METADATA_COLUMNS} FROM account_credentials WHERE account_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [accountId],
    );
    return rows[0] ?? null;
  }
}

const concurrentChange = () =>
  new DomainError(ErrorCode.Conflict, 'A concurrent request changed these credentials; reload and retry');
