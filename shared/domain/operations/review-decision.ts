/** What an operator decided for a needs-review possible duplicate (issue 32; operations/review.ts). */
export const REVIEW_DECISIONS = ['linked', 'create_new'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
