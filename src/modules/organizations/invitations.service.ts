import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Actor } from '../access/actor';
import { AccessGrant } from '../access/access-grant.entity';
import { InvitationDto } from './member.dto';
import { OrgInvitation } from './org-invitation.entity';

export const toInvitationDto = (invitation: OrgInvitation, orgName: string): InvitationDto => ({
  id: invitation.id,
  orgId: invitation.orgId,
  orgName,
  userId: invitation.userId,
  unitId: invitation.unitId,
  roleId: invitation.roleId,
  scope: invitation.scope,
  status: invitation.status,
  expiresAt: invitation.expiresAt.toISOString(),
  createdAt: invitation.createdAt.toISOString(),
});

/** The invitee's side: see pending invitations, accept (becoming a member) or decline. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async listMyInvitations(actor: Actor): Promise<{ items: InvitationDto[]; nextCursor: null }> {
    const rows = await this.dataSource
      .getRepository(OrgInvitation)
      .createQueryBuilder('i')
      .innerJoin('organizations', 'o', 'o.id = i.org_id')
      .addSelect('o.name', 'org_name')
      .where(`i.user_id = :userId AND i.status = 'pending' AND i.expires_at > :now`, {
        userId: actor.userId,
        now: this.clock.now(),
      })
      .orderBy('i.created_at', 'DESC')
      .getRawAndEntities();
    return {
      items: rows.entities.map((invitation, index) => toInvitationDto(invitation, rows.raw[index].org_name)),
      nextCursor: null,
    };
  }

  async acceptInvitation(actor: Actor, invitationId: string): Promise<InvitationDto> {
    return this.decide(actor, invitationId, 'accepted');
  }

  async declineInvitation(actor: Actor, invitationId: string): Promise<InvitationDto> {
    return this.decide(actor, invitationId, 'declined');
  }

  private async decide(
    actor: Actor,
    invitationId: string,
    status: 'accepted' | 'declined',
  ): Promise<InvitationDto> {
    return this.dataSource.transaction(async (manager) => {
      const invitation = await manager
        .getRepository(OrgInvitation)
        .createQueryBuilder('i')
        .setLock('pessimistic_write')
        .where('i.id = :invitationId AND i.user_id = :userId', { invitationId, userId: actor.userId })
        .getOne();
      if (!invitation) throw DomainError.notFound('Invitation');
      const now = this.clock.now();
      if (invitation.status !== 'pending' || invitation.expiresAt <= now) {
        throw new DomainError(ErrorCode.InvalidState, 'The invitation is no longer pending', {
          extensions: { currentState: invitation.expiresAt <= now ? 'expired' : invitation.status },
        });
      }
      invitation.status = status;
      invitation.decidedAt = now;
      await manager.save(invitation);
      if (status === 'accepted') {
        await manager.query(
          `INSERT INTO org_members (org_id, user_id, unit_id, status, joined_at) VALUES ($1, $2, $3, 'active', $4)
           ON CONFLICT (org_id, user_id) DO UPDATE
             SET unit_id = EXCLUDED.unit_id, status = 'active', joined_at = EXCLUDED.joined_at, removed_at = NULL,
                 updated_at = now(), version = org_members.version + 1`,
          [invitation.orgId, invitation.userId, invitation.unitId, now],
        );
        if (invitation.roleId && invitation.scope) {
          // Checked against the inviter's authority when the invitation was made.
          await manager.insert(AccessGrant, {
            orgId: invitation.orgId,
            userId: invitation.userId,
            roleId: invitation.roleId,
            effect: 'allow',
            unitId: invitation.unitId,
            scope: invitation.scope,
            grantedBy: invitation.invitedBy,
          });
        }
      }
      const [{ name }] = await manager.query('SELECT name FROM organizations WHERE id = $1', [
        invitation.orgId,
      ]);
      return toInvitationDto(invitation, name);
    });
  }
}
