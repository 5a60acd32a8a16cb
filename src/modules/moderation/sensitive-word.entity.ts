import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Action, Severity } from './engine';

/**
 * One term of a lexicon: the platform's (`orgId` null) or an organization's. Written with SQL by
 * `sensitive-word-writes.ts` (single and bulk paths alike); read through this entity.
 */
@Entity('sensitive_words')
export class SensitiveWord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', nullable: true })
  orgId: string | null;

  /** `orgId`, or the nil UUID for the platform lexicon (a generated column). */
  @Column({ type: 'uuid', insert: false, update: false })
  lexiconId: string;

  @Column({ type: 'varchar', length: 100 })
  term: string;

  /** The term as the matcher sees it (see `termKeyOf`): unique per lexicon. */
  @Column({ type: 'text' })
  termKey: string;

  @Column({ type: 'varchar', length: 64 })
  category: string;

  @Column({ type: 'varchar', length: 8 })
  severity: Severity;

  @Column({ type: 'varchar', length: 8 })
  action: Action;

  @Column({ type: 'varchar', length: 100, array: true, default: '{}' })
  allowPhrases: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  hint: string | null;

  /** Whether the term also matches by sound (pinyin, homophones); null: its category's default. */
  @Column({ type: 'boolean', nullable: true })
  pinyin: boolean | null;

  /** The action of a match by sound; null: review (flag for a term that flags). */
  @Column({ type: 'varchar', length: 8, nullable: true })
  pinyinAction: Action | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'uuid', nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
