import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Rng } from './random';

export type FaultService = 'd365' | 'token' | 'keyvault' | 'shopify' | 'bigcommerce';

/** `before`: when a request arrives; `after`: once D365 committed the customer the request created. */
export type FaultPhase = 'before' | 'after';

/** `POST /_emulator/faults` body. All but `service` optional. */
export const faultRuleSchema = z
  .object({
    service: z.enum(['d365', 'token', 'keyvault', 'shopify', 'bigcommerce']),
    status: z.number().int().min(100).max(599).optional(),
    retryAfter: z.number().int().min(0).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    hang: z.boolean().optional(),
    reset: z.boolean().optional(),
    count: z.number().int().positive().optional(),
    probability: z.number().min(0).max(1).optional(),
    /** Only requests whose path contains this text match. */
    path: z.string().min(1).optional(),
    /**
     * D365 only: the request is processed (the customer is created) and the fault strikes the answer,
     * as a gateway timeout after a commit does. Matches requests that create or update a customer only.
     */
    after: z.boolean().optional(),
    /** Only requests with this method match. */
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    /**
     * A scripted answer: with `status`, the answer is exactly this body (a string as is, anything
     * else as JSON) and these headers, so a test can replay an answer captured from a real service.
     */
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /**
     * `after` rules only: a slow commit. The answer (the fault's, or the real one) goes out first and
     * the customer is committed this many ms later, as when a gateway times out while the AOS is
     * still writing.
     */
    commitDelayMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const effects = [rule.status !== undefined, rule.hang === true, rule.reset === true].filter(
      Boolean,
    ).length;
    if (effects > 1) ctx.addIssue({ code: 'custom', message: 'status, hang and reset exclude each other' });
    if (effects === 0 && rule.latencyMs === undefined && rule.commitDelayMs === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a rule needs status, latencyMs, hang or reset' });
    }
    if ((rule.body !== undefined || rule.headers !== undefined) && rule.status === undefined) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'a scripted body or headers need a status' });
    }
    if (rule.commitDelayMs !== undefined && rule.after !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['commitDelayMs'],
        message: 'commitDelayMs applies to after rules only',
      });
    }
    if (rule.after === true && rule.service !== 'd365') {
      ctx.addIssue({
        code: 'custom',
        path: ['after'],
        message: 'after applies to service "d365" only (requests that create or update customers)',
      });
    }
  });

export type FaultRuleInput = z.infer<typeof faultRuleSchema>;

export interface FaultRule extends FaultRuleInput {
  id: string;
  createdAt: string;
  /** How many requests the rule has been applied to. */
  applied: number;
  /** How many more requests it applies to (rules with `count` only). */
  remaining?: number;
}

export interface Faults {
  add(input: FaultRuleInput): FaultRule;
  list(): FaultRule[];
  remove(id: string): boolean;
  clear(): void;
  /**
   * The rule to apply to a request, if any: rules are tried in the order they were added; a rule matches
   * by service (and path text) and phase (`before`: on arrival, rules without `after`; `after`: once a
   * customer was created or updated, rules with `after: true`); one with `probability` applies when the random draw
   * is below it; one with `count` is removed after it applied `count` times. The first rule that applies wins.
   */
  pick(
    service: FaultService,
    path: string,
    rng: Rng,
    phase?: FaultPhase,
    method?: string,
  ): FaultRule | undefined;
}

export function createFaults(): Faults {
  let rules: FaultRule[] = [];
  return {
    add(input) {
      const rule: FaultRule = {
        ...input,
        id: randomUUID(),
        createdAt: new Date().toISOString(),
        applied: 0,
        ...(input.count !== undefined ? { remaining: input.count } : {}),
      };
      rules.push(rule);
      return rule;
    },
    list: () => rules.map((rule) => ({ ...rule })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((rule) => rule.id !== id);
      return rules.length !== before;
    },
    clear() {
      rules = [];
    },
    pick(service, path, rng, phase = 'before', method) {
      for (const rule of rules) {
        if (rule.service !== service) continue;
        if (rule.method !== undefined && method !== undefined && rule.method !== method) continue;
        if ((rule.after === true) !== (phase === 'after')) continue;
        if (rule.path !== undefined && !path.includes(rule.path)) continue;
        if (rule.probability !== undefined && rng.next() >= rule.probability) continue;
        rule.applied += 1;
        if (rule.remaining !== undefined) {
          rule.remaining -= 1;
          if (rule.remaining <= 0) rules = rules.filter((r) => r !== rule);
        }
        return { ...rule };
      }
      return undefined;
    },
  };
}
