import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { SYSTEM_ROLES, OrganizationKind } from '../access/permission-catalogue';
import { VerificationRequest } from './verification-request.entity';

const MANAGE_PERMISSION = 'org:manage';

/**
 * Tells the subject of a decision about it, inside the deciding transaction (the notifications outbox
 * makes a rolled-back decision notify no one): the person for real-name checks, and for enterprise
 * checks the organization's active members who hold `org:manage`.
 */
@Injectable()
export class VerificationNotices {
  constructor(private readonly notifications: NotificationsService) {}

  async decided(manager: EntityManager, request: VerificationRequest): Promise<void> {
    const approved = request.status === 'verified';
    const data = {
      verificationId: request.id,
      kind: request.kind,
      status: request.status,
      reason: request.reason,
    };
    const because = request.reason ? `: ${request.reason}` : '.';
    if (request.kind === 'real_name' && request.subjectUserId) {
      await this.notifications.notify(manager, {
        userIds: [request.subjectUserId],
        type: `verification.real_name.${approved ? 'approved' : 'rejected'}`,
        title: approved ? 'Real-name verification approved' : 'Real-name verification rejected',
        body: approved
          ? 'Your real-name verification was approved.'
          : `Your real-name verification was rejected${because}`,
        data,
      });
      return;
    }
    if (request.kind === 'enterprise' && request.subjectOrgId) {
      const { name, userIds } = await this.managersOf(manager, request.subjectOrgId);
      if (userIds.length === 0) return;
      await this.notifications.notify(manager, {
        userIds,
        orgId: request.subjectOrgId,
        type: `verification.enterprise.${approved ? 'approved' : 'rejected'}`,
        title: approved ? 'Enterprise verification approved' : 'Enterprise verification rejected',
        body: approved
          ? `The enterprise information of ${name} was approved.`
          : `The enterprise information of ${name} was rejected${because}`,
        data,
      });
    }
  }

  /**
   * Active members holding `org:manage`: through a system role whose catalogue entry has it, a custom
   * role listing it, or a direct allow; minus anyone denied it organization-wide (a deny wins).
   */
  private async managersOf(
    manager: EntityManager,
    orgId: string,
  ): Promise<{ name: string; userIds: string[] }> {
    const orgs: { kind: OrganizationKind; name: string }[] = await manager.query(
      `SELECT kind, name FROM organizations WHERE id = $1`,
      [orgId],
    );
    const org = orgs[0];
    if (!org) return { name: '', userIds: [] };
    const systemKeys = SYSTEM_ROLES[org.kind]
      .filter((role) => (role.permissions as readonly string[]).includes(MANAGE_PERMISSION))
      .map((role) => role.key);
    const rows: { user_id: string }[] = await manager.query(
      `SELECT DISTINCT m.user_id
       FROM org_members m
       JOIN access_grants g ON g.org_id = m.org_id AND g.user_id = m.user_id
       LEFT JOIN roles r ON r.id = g.role_id
       WHERE m.org_id = $1 AND m.status = 'active'
         AND (r.system_key = ANY($2::text[])
              OR (r.id IS NOT NULL AND r.system_key IS NULL AND $3 = ANY(r.permissions))
              OR (g.role_id IS NULL AND g.permission = $3 AND g.effect = 'allow'))
         AND NOT EXISTS (
           SELECT 1 FROM access_grants d
           WHERE d.org_id = m.org_id AND d.user_id = m.user_id AND d.role_id IS NULL
             AND d.permission = $3 AND d.effect = 'deny' AND d.scope = 'org')
       ORDER BY m.user_id`,
      [orgId, systemKeys, MANAGE_PERMISSION],
    );
    return { name: org.name, userIds: rows.map((row) => row.user_id) };
  }
}
