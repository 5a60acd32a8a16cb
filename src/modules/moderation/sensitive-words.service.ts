import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch } from '../../platform/http/etag';
import { Page, paginate, parseSort, SortKey } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { LexiconEngines } from './lexicon-engines';
import { assertEditable, LexiconTarget } from './lexicon-target';
import { bumpLexiconVersion, lexiconIdOf, lockLexicon } from './lexicon-versions';
import {
  CreateSensitiveWordDto,
  ListSensitiveWordsQueryDto,
  SensitiveWordDto,
  toSensitiveWordDto,
  UpdateSensitiveWordDto,
} from './sensitive-word.dto';
import { SensitiveWord } from './sensitive-word.entity';
import { findByTermKeys, insertWords, sameValues, updateWords, WordValues } from './sensitive-word-writes';
import { assertWordUsable, toWordValues, WordInput } from './word-rules';
import { containsPattern } from '../../platform/database/like';

const SORT_KEYS: Record<string, SortKey> = {
  createdAt: { column: 'w.created_at', kind: 'timestamp' },
  term: { column: 'w.term', kind: 'text' },
};

/**
 * A lexicon's words, one at a time: the platform's (platform staff) or an organization's. Every change
 * locks the lexicon, bumps its version in the same transaction and, once committed, tells this
 * replica's engines; other replicas notice the version within MODERATION_VERSION_CHECK_MS.
 */
@Injectable()
export class SensitiveWordsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly engines: LexiconEngines,
  ) {}

  async list(target: LexiconTarget, query: ListSensitiveWordsQueryDto): Promise<Page<SensitiveWordDto>> {
    const qb = this.dataSource
      .getRepository(SensitiveWord)
      .createQueryBuilder('w')
      .where('w.lexicon_id = :lexiconId', { lexiconId: lexiconIdOf(target.orgId) });
    if (query.q) {
      qb.andWhere(`w.term ILIKE :q ESCAPE '\\'`, { q: containsPattern(query.q) });
    }
    if (query.category) qb.andWhere('w.category = :category', { category: query.category });
    if (query.action) qb.andWhere('w.action = :action', { action: query.action });
    if (query.severity) qb.andWhere('w.severity = :severity', { severity: query.severity });
    const sort = parseSort(query.sort, SORT_KEYS, '-createdAt');
    return paginate(qb, {
      query,
      sort,
      idColumn: 'w.id',
      sortValue: (word) => (sort.key === SORT_KEYS.term ? word.term : word.createdAt),
      idValue: (word) => word.id,
      map: toSensitiveWordDto,
    });
  }

  async get(target: LexiconTarget, wordId: string): Promise<SensitiveWord> {
    return this.find(this.dataSource.manager, target, wordId);
  }

  async create(actor: Actor, target: LexiconTarget, dto: CreateSensitiveWordDto): Promise<SensitiveWord> {
    assertEditable(target);
    const values = wordValues(dto);
    const word = await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      await lockLexicon(manager, target.orgId, now);
      await this.assertTermFree(manager, target, values.termKey, null);
      const ids = await insertWords(manager, target.orgId, actor.userId, [values], now);
      await bumpLexiconVersion(manager, target.orgId, now);
      const [id] = ids.values();
      return this.find(manager, target, id);
    });
    this.engines.invalidate(target.orgId);
    return word;
  }

  async update(
    actor: Actor,
    target: LexiconTarget,
    wordId: string,
    dto: UpdateSensitiveWordDto,
    ifMatch?: string,
  ): Promise<SensitiveWord> {
    assertEditable(target);
    let changed = false;
    const word = await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      await lockLexicon(manager, target.orgId, now);
      const before = await this.find(manager, target, wordId);
      assertIfMatch(ifMatch, before.version);
      const values = wordValues({
        term: dto.term ?? before.term,
        category: dto.category ?? before.category,
        severity: dto.severity ?? before.severity,
        action: dto.action ?? before.action,
        allowPhrases: dto.allowPhrases ?? before.allowPhrases,
        hint: dto.hint === undefined ? before.hint : dto.hint,
        pinyin: dto.pinyin === undefined ? before.pinyin : dto.pinyin,
        pinyinAction: dto.pinyinAction === undefined ? before.pinyinAction : dto.pinyinAction,
      });
      if (sameValues(before, values)) return before;
      if (values.termKey !== before.termKey)
        await this.assertTermFree(manager, target, values.termKey, before.id);
      await updateWords(manager, target.orgId, actor.userId, [{ ...values, id: before.id }], now);
      await bumpLexiconVersion(manager, target.orgId, now);
      changed = true;
      return this.find(manager, target, before.id);
    });
    if (changed) this.engines.invalidate(target.orgId);
    return word;
  }

  async remove(target: LexiconTarget, wordId: string): Promise<void> {
    assertEditable(target);
    await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      await lockLexicon(manager, target.orgId, now);
      const word = await this.find(manager, target, wordId);
      await manager.delete(SensitiveWord, { id: word.id, lexiconId: lexiconIdOf(target.orgId) });
      await bumpLexiconVersion(manager, target.orgId, now);
    });
    this.engines.invalidate(target.orgId);
  }

  private async find(manager: EntityManager, target: LexiconTarget, wordId: string): Promise<SensitiveWord> {
    const word = await manager
      .getRepository(SensitiveWord)
      .findOneBy({ id: wordId, lexiconId: lexiconIdOf(target.orgId) });
    if (!word) throw DomainError.notFound('Sensitive word');
    return word;
  }

  private async assertTermFree(
    manager: EntityManager,
    target: LexiconTarget,
    termKey: string,
    exceptId: string | null,
  ): Promise<void> {
    const [existing] = await findByTermKeys(manager, target.orgId, [termKey]);
    if (existing && existing.id !== exceptId) {
      throw new DomainError(ErrorCode.Duplicate, `This lexicon already has the term "${existing.term}"`, {
        errors: [
          { field: 'term', message: 'is already in this lexicon (spelling variants count as the same term)' },
        ],
        extensions: { existingId: existing.id },
      });
    }
  }
}

/** Checks a term and its allow phrases (422 when they cannot work), and computes what is stored. */
export function wordValues(input: WordInput): WordValues {
  const values = toWordValues(input);
  assertWordUsable(values.term, values.allowPhrases);
  return values;
}
