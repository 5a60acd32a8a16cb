/**
 * Tiers are one short list for every organization: SLA policies and care plans match on them, so a
 * free-form value per organization would let a typo silently match nothing.
 */
export const CUSTOMER_TIERS = ['vip', 'key', 'normal'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

export const CUSTOMER_KINDS = ['person', 'company'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

export const CUSTOMER_STATUSES = ['active', 'archived', 'merged'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** How many merges deep a read of an old id may follow `merged_into`; merges form chains, never cycles. */
export const MAX_MERGE_HOPS = 16;
