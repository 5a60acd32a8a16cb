import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { Actor } from '../access/actor';
import { recordContentEvent } from './content-events';
import { loadContent, toContentDto } from './content-row';
import { ContentDto, EditorialDto } from './content.dto';

/**
 * Platform editors' display powers: category, sort weight, recommend, pin (置顶, optionally until a
 * time) and feature (加精). They change how content is listed, not what it says, so no review follows;
 * each change is a line in the content's history.
 */
@Injectable()
export class EditorialService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async apply(actor: Actor, contentId: string, dto: EditorialDto): Promise<ContentDto> {
    const now = this.clock.now();
    if (dto.pinnedUntil && new Date(dto.pinnedUntil).getTime() <= now.getTime()) {
      throw DomainError.validation('pinnedUntil', 'must be in the future');
    }
    return this.dataSource.transaction(async (manager) => {
      const before = await loadContent(manager, contentId, { lock: true });
      const pinned = dto.pinned ?? (dto.pinnedUntil ? true : before.pinned);
      let pinnedUntil = before.pinned_until;
      if (dto.pinnedUntil !== undefined)
        pinnedUntil = dto.pinnedUntil === null ? null : new Date(dto.pinnedUntil);
      else if (dto.pinned === true) pinnedUntil = null;
      if (!pinned) pinnedUntil = null;
      await manager.query(
        `UPDATE contents SET category = $2, sort_weight = $3, recommended = $4, featured = $5, pinned = $6,
           pinned_until = $7, updated_at = $8, version = version + 1 WHERE id = $1`,
        [
          contentId,
          dto.category ?? before.category,
          dto.sortWeight ?? before.sort_weight,
          dto.recommended ?? before.recommended,
          dto.featured ?? before.featured,
          pinned,
          pinnedUntil,
          now,
        ],
      );
      await recordContentEvent(
        manager,
        {
          contentId,
          orgId: before.org_id,
          from: before.state,
          to: before.state,
          action: 'editorial',
          actor,
          note: JSON.stringify(dto),
          revision: before.revision,
        },
        now,
      );
      return toContentDto(await loadContent(manager, contentId), now);
    });
  }
}
