import { EntityManager } from 'typeorm';

/**
 * Lexicon versions: every change to a lexicon bumps its row in `sensitive_word_lexicons` in the same
 * transaction, and API replicas compare versions (one tiny primary-key query) to know whether the
 * automaton they built is still current.
 */

/** `lexicon_id` of the platform lexicon; an organization's lexicon is keyed by the organization's id. */
export const PLATFORM_LEXICON_ID = '00000000-0000-0000-0000-000000000000';

export const lexiconIdOf = (orgId: string | null): string => orgId ?? PLATFORM_LEXICON_ID;

/** What decides which engines and policy a scan uses. Versions are bigints, kept as text. */
export interface LexiconState {
  platformVersion: string;
  /** '0' when the organization has never had a word (or for platform-only scans). */
  orgVersion: string;
  absoluteTermsAction: 'review' | 'block';
}

/**
 * Locks the lexicon's version row until the transaction ends, creating it (at version 0: no words yet)
 * for an organization's first change. Every writer of a lexicon starts here, so writers of one lexicon
 * take turns and their duplicate checks cannot race.
 */
export async function lockLexicon(manager: EntityManager, orgId: string | null, now: Date): Promise<void> {
  await manager.query(
    `INSERT INTO sensitive_word_lexicons (org_id, version, updated_at) VALUES ($1, 0, $2)
     ON CONFLICT (lexicon_id) DO UPDATE SET version = sensitive_word_lexicons.version`,
    [orgId, now],
  );
}

/** Marks a change, in the transaction that makes it: replicas rebuild the lexicon's engine. */
export async function bumpLexiconVersion(
  manager: EntityManager,
  orgId: string | null,
  now: Date,
): Promise<void> {
  await manager.query(
    'UPDATE sensitive_word_lexicons SET version = version + 1, updated_at = $2 WHERE lexicon_id = $1',
    [lexiconIdOf(orgId), now],
  );
}

/** The platform version, the organization's version and its absolute-terms policy, in one round trip. */
export async function readLexiconState(manager: EntityManager, orgId: string | null): Promise<LexiconState> {
  const [row]: {
    platform_version: string | null;
    org_version: string | null;
    absolute_terms_action: 'review' | 'block' | null;
  }[] = await manager.query(
    `SELECT
       (SELECT version::text FROM sensitive_word_lexicons WHERE lexicon_id = $1) AS platform_version,
       (SELECT version::text FROM sensitive_word_lexicons WHERE lexicon_id = $2) AS org_version,
       (SELECT absolute_terms_action FROM moderation_policies WHERE org_id = $2) AS absolute_terms_action`,
    [PLATFORM_LEXICON_ID, orgId],
  );
  return {
    platformVersion: row?.platform_version ?? '0',
    orgVersion: row?.org_version ?? '0',
    absoluteTermsAction: row?.absolute_terms_action ?? 'review',
  };
}
