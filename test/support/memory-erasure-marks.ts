import { ErasureMarks } from '../../shared/ports';

/** Erasure marks in memory (unit tests). */
export function memoryErasureMarks(): ErasureMarks & {
  marks: Map<string, { requestId: string; at: string }>;
} {
  const marks = new Map<string, { requestId: string; at: string }>();
  return {
    marks,
    async isMarked(key) {
      return marks.has(key);
    },
    async mark(key, requestId, at) {
      if (!marks.has(key)) marks.set(key, { requestId, at });
    },
    async release(key) {
      marks.delete(key);
    },
  };
}
