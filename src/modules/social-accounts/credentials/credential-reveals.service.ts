import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError } from '../../../platform/errors';
import { Actor, requireUserId } from '../../access/actor';
import { DataScope } from '../../access/data-scope';
import { UsageRecordsService } from '../usage-records/usage-records.service';
import { CredentialAccess } from './credential-access';
import { CredentialSealer } from './credential-secret';
import { RevealCredentialsDto, RevealedCredentialsDto } from './credential.dto';
import { RevealAnomalies } from './reveal-anomalies';
import { RevealNotices } from './reveal-notices';
import { RevealRateLimit } from './reveal-rate-limit';

/**
 * The one way a credential leaves the vault: a person (not an API key) with `credentials:reveal`
 * and the account access rule's `manage` authorization states a reason and gets the secret in this
 * answer only. Within one transaction the reveal is rate-limited, judged for anomalies, recorded in
 * `credential_reveals` and as one usage record (the reason, never the secret), and the brand's owners
 * are notified; if any step fails nothing is revealed and nothing is recorded.
 */
@Injectable()
export class CredentialReveals {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CredentialAccess,
    private readonly sealer: CredentialSealer,
    private readonly rateLimit: RevealRateLimit,
    private readonly anomalies: RevealAnomalies,
    private readonly notices: RevealNotices,
    private readonly usage: UsageRecordsService,
    private readonly clock: Clock,
  ) {}

  async reveal(
    actor: Actor,
    scope: DataScope,
    accountId: string,
    dto: RevealCredentialsDto,
  ): Promise<RevealedCredentialsDto> {
    const userId = requireUserId(actor);
    return this.dataSource.transaction(async (manager) => {
      const access = await this.access.require(scope, accountId, manager);
      const now = this.clock.now();
      await this.rateLimit.assertAllowed(manager, userId, now);

      const rows: { key_id: string; ciphertext: string }[] = await manager.query(
        `SELECT key_id, ciphertext FROM account_credentials WHERE account_id = $1`,
        [access.accountId],
      );
      if (!rows[0]) throw DomainError.notFound('Credentials');
      const secret = this.sealer.open(access.accountId, {
        keyId: rows[0].key_id,
        ciphertext: rows[0].ciphertext,
      });

      const ip = actor.ip || null;
      const assessment = await this.anomalies.assess(manager, {
        brandOrgId: access.brandOrgId,
        orgId: scope.orgId,
        ip,
        at: now,
      });
      const [{ id: revealId }]: { id: string }[] = await manager.query(
        `INSERT INTO credential_reveals (account_id, brand_org_id, org_id, user_id, reason, ip, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [access.accountId, access.brandOrgId, scope.orgId, userId, dto.reason, ip, now],
      );
      await this.usage.append(manager, {
        accountId: access.accountId,
        brandOrgId: access.brandOrgId,
        action: 'credential.revealed',
        actor,
        actorOrgId: scope.orgId,
        agencyOrgId: access.agencyOrgId,
        details: { revealId, kind: secret.kind, reason: dto.reason, anomalies: assessment.rules },
      });
      await this.notices.send(
        manager,
        {
          revealId,
          accountId: access.accountId,
          brandOrgId: access.brandOrgId,
          orgId: scope.orgId,
          via: access.via,
          userId,
          reason: dto.reason,
          ip,
          at: now,
        },
        assessment,
      );
      return { revealId, accountId: access.accountId, revealedAt: now.toISOString(), credentials: secret };
    });
  }
}
