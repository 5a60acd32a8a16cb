import { DomainError, ErrorCode } from '../../platform/errors';

export const CONTENT_STATES = [
  'draft',
  'submitted',
  'in_review',
  'approved',
  'rejected',
  'published',
  'publish_failed',
  'removed',
  'restored',
] as const;
export type ContentState = (typeof CONTENT_STATES)[number];

/** Where automatic review sends submitted text: back to the author, to a review queue, or straight through. */
const AFTER_AUTOMATIC_REVIEW: ContentState[] = ['rejected', 'submitted', 'in_review', 'approved'];

/**
 * Every allowed state change. `submitted` waits for the organization's own review, `in_review` for the
 * platform's; `restored` is published again after a successful restore request. Editing approved or
 * published text sends it back through review, hence the edges from those states to the review states.
 */
const EDGES: Record<ContentState, readonly ContentState[]> = {
  draft: AFTER_AUTOMATIC_REVIEW,
  rejected: AFTER_AUTOMATIC_REVIEW,
  submitted: ['in_review', 'approved', 'rejected'],
  in_review: ['approved', 'rejected'],
  approved: ['published', 'publish_failed', ...AFTER_AUTOMATIC_REVIEW],
  publish_failed: ['approved', ...AFTER_AUTOMATIC_REVIEW],
  published: ['removed', ...AFTER_AUTOMATIC_REVIEW],
  removed: ['restored'],
  restored: ['removed', ...AFTER_AUTOMATIC_REVIEW],
};

export const canTransition = (from: ContentState, to: ContentState): boolean => EDGES[from].includes(to);

/** 409 `invalid_state` naming the current state, so a client can refresh and show the right actions. */
export function assertTransition(from: ContentState, to: ContentState): void {
  if (!canTransition(from, to)) {
    throw new DomainError(ErrorCode.InvalidState, `Content in state "${from}" cannot become "${to}"`, {
      extensions: { currentState: from },
    });
  }
}

/** States in which the text is live on its target. */
export const LIVE_STATES: readonly ContentState[] = ['published', 'restored'];

/** States in which the author may still edit freely (no review is pending or passed). */
export const EDITABLE_WITHOUT_REVIEW: readonly ContentState[] = ['draft', 'rejected'];
