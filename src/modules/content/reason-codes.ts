/** Why a reviewer rejects content: the categories of the platform's content guide. */
export const REVIEW_REASON_CODES = [
  'illegal',
  'privacy_or_trade_secret',
  'false_or_misleading',
  'vulgar_violent_terror_pornographic',
  'advertising',
  'attack_insult_defamation',
  'other',
] as const;
export type ReviewReasonCode = (typeof REVIEW_REASON_CODES)[number];

/** Why published content is removed. */
export const REMOVAL_REASON_CODES = [
  'breaks_law_or_rules',
  'private_data_or_trade_secret',
  'false_misleading_or_unverified',
  'vulgar_violent_terror_pornographic',
] as const;
export type RemovalReasonCode = (typeof REMOVAL_REASON_CODES)[number];
