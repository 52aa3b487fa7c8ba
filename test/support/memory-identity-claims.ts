import { IdentityClaims } from '../../shared/ports';

/** The same rules in memory (unit tests). */
export function memoryIdentityClaims(now: () => Date = () => new Date()): IdentityClaims & {
  claims: Map<string, { owner: string; until: string; version: number }>;
} {
  const claims = new Map<string, { owner: string; until: string; version: number }>();
  let version = 0;
  return {
    claims,
    async claim(key, owner, until) {
      const existing = claims.get(key);
      if (existing && existing.owner !== owner && existing.until > now().toISOString())
        return { held: true, until: existing.until };
      const mine = { owner, until, version: ++version };
      claims.set(key, mine);
      return {
        get until() {
          return mine.until;
        },
        async extend(next) {
          if (claims.get(key)?.version !== mine.version) return false;
          mine.until = next;
          return true;
        },
        async release() {
          if (claims.get(key)?.version === mine.version) claims.delete(key);
        },
      };
    },
    async releaseOwnedBy(owners) {
      let released = 0;
      for (const [key, claim] of claims)
        if (owners.has(claim.owner)) {
          claims.delete(key);
          released += 1;
        }
      return released;
    },
  };
}
