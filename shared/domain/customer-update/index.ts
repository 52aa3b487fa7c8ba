/** Customer updates: merge patches, the ordering rule and the conflict rule (all pure). */
export * from './merge-patch';
export * from './update-order';
export * from './update-request';
export * from './conflict';
export * from './sent-digests';
export * from './version-bounds';
