import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { newOpaqueToken, sha256Hex } from '../../platform/crypto/tokens';
import { DomainError } from '../../platform/errors';
import { Page, paginate, parseSort } from '../../platform/http/pagination';
import { Actor, requireUserId } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { GrantsService } from '../access/grants.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, ListApiKeysQueryDto } from './api-key.dto';
import { ApiKey } from './api-key.entity';

const KEY_PREFIX = 'dyk_';

const toApiKeyDto = (key: ApiKey): ApiKeyDto => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  createdBy: key.createdBy,
  expiresAt: key.expiresAt?.toISOString() ?? null,
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
  createdAt: key.createdAt.toISOString(),
});

/**
 * API keys let partner systems act in one organization with grants of their own. The key is random,
 * shown once and stored as a SHA-256 hash (a key has 256 bits of entropy, so a slow hash adds nothing).
 * Keys have no unit, so a `self` scope of api-keys:* sees the keys its holder created; `org` sees all.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: GrantsService,
    private readonly clock: Clock,
  ) {}

  async listApiKeys(scope: DataScope, query: ListApiKeysQueryDto): Promise<Page<ApiKeyDto>> {
    const qb = this.dataSource.getRepository(ApiKey).createQueryBuilder('k');
    scope.apply(qb, { org: 'k.org_id', owner: 'k.created_by' });
    return paginate(qb, {
      query,
      sort: parseSort(undefined, { createdAt: { column: 'k.created_at', kind: 'timestamp' } }, '-createdAt'),
      idColumn: 'k.id',
      sortValue: (k) => k.createdAt,
      idValue: (k) => k.id,
      map: toApiKeyDto,
    });
  }

  async createApiKey(actor: Actor, scope: DataScope, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const createdBy = requireUserId(actor);
    const expiresAt = dto.expiresAt === undefined ? null : new Date(dto.expiresAt);
    if (expiresAt && expiresAt <= this.clock.now()) {
      throw DomainError.validation('expiresAt', 'must be in the future');
    }
    const secret = `${KEY_PREFIX}${newOpaqueToken()}`;
    return this.dataSource.transaction(async (manager) => {
      const key = await manager.save(
        manager.create(ApiKey, {
          orgId: scope.orgId,
          name: dto.name,
          prefix: secret.slice(0, 12),
          secretHash: sha256Hex(secret),
          createdBy,
          expiresAt,
        }),
      );
      const grants = [];
      for (const grant of dto.grants)
        grants.push(await this.grants.grant(manager, actor, { apiKeyId: key.id }, grant));
      return { ...toApiKeyDto(key), key: secret, grants };
    });
  }

  async revokeApiKey(scope: DataScope, keyId: string): Promise<void> {
    const qb = this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.id = :keyId', { keyId });
    scope.apply(qb, { org: 'k.org_id', owner: 'k.created_by' });
    const key = await qb.getOne();
    if (!key) throw DomainError.notFound('API key');
    if (key.revokedAt) return;
    await this.dataSource.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
      keyId,
      this.clock.now(),
    ]);
  }

  /** When a member leaves, the keys they made stop working with them. */
  async revokeKeysCreatedBy(manager: EntityManager, orgId: string, userId: string): Promise<void> {
    await manager.query(
      'UPDATE api_keys SET revoked_at = $3 WHERE org_id = $1 AND created_by = $2 AND revoked_at IS NULL',
      [orgId, userId, this.clock.now()],
    );
  }
}
