/** Privacy requests (issue 27): the request, its answer, what it looks for, Shopify's compliance payloads. */
export * from './privacy-request';
export * from './privacy-answer';
export * from './subject-query';
export * from './privacy-intake';
