import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { FindingDto } from './content.dto';

export type ReviewLevel = 'organization' | 'platform';

/** Opens and cancels review tasks; a content has at most one open task (a unique index enforces it). */
@Injectable()
export class ReviewTaskQueue {
  constructor(private readonly clock: Clock) {}

  async open(
    manager: EntityManager,
    task: { contentId: string; orgId: string; level: ReviewLevel; revision: number; findings: FindingDto[] },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await manager.query(
      `INSERT INTO review_tasks (content_id, org_id, level, revision, findings, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        task.contentId,
        task.orgId,
        task.level,
        task.revision,
        JSON.stringify(task.findings),
        this.clock.now(),
      ],
    );
    return id;
  }

  /** A newer revision supersedes whatever task was waiting for the old one. */
  async cancelOpen(manager: EntityManager, contentId: string): Promise<void> {
    await manager.query(
      `UPDATE review_tasks SET status = 'cancelled', version = version + 1 WHERE content_id = $1 AND status = 'open'`,
      [contentId],
    );
  }
}
