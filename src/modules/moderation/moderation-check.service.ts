import { Injectable } from '@nestjs/common';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { AccessRepository, AccessSnapshot } from '../access/access.repository';
import { Actor } from '../access/actor';
import { CheckResultDto, CheckTextDto, toCheckFindingDto } from './moderation-check.dto';
import { ModerationService } from './moderation.service';

/** The editor's live check: the same scan as content review, answered and forgotten. */
@Injectable()
export class ModerationCheckService {
  constructor(
    private readonly moderation: ModerationService,
    private readonly access: AccessRepository,
    private readonly clock: Clock,
  ) {}

  async check(actor: Actor, dto: CheckTextDto): Promise<CheckResultDto> {
    const orgId = dto.orgId?.toLowerCase() ?? null;
    if (orgId) await this.assertMember(actor, orgId);
    const scan = await this.moderation.scanFields(orgId, { text: dto.text });
    return {
      verdict: scan.verdict,
      findings: scan.findings.map(toCheckFindingDto),
      lexiconVersion: scan.lexiconVersion,
    };
  }

  /**
   * An organization's lexicon is its own business: only its active members (and its API keys) may
   * check against it. Anyone else gets the same 404 as for an organization that does not exist.
   */
  private async assertMember(actor: Actor, orgId: string): Promise<void> {
    let snapshot: AccessSnapshot | null = null;
    if (actor.apiKeyId) {
      snapshot = await this.access.loadForApiKey(actor.apiKeyId, orgId);
    } else if (actor.userId && actor.sessionId) {
      snapshot = await this.access.loadForUser(actor.userId, actor.sessionId, orgId, this.clock.now());
    }
    if (!snapshot?.principalValid || !snapshot.orgKind) throw DomainError.notFound('Organization');
  }
}
