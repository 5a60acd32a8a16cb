/** pg-boss queue names of the rollups (a file of their own: the job and the rebuild service both use them). */
export const ROLLUP_JOB = 'analytics.rollups';
export const ROLLUP_REBUILD_JOB = 'analytics.rollup-rebuild';
