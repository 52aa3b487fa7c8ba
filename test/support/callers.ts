import type { Caller, Permission } from '../../shared/domain/ownership';

/** A caller of the ownership policy for unit tests: its principal and reference namespace are `source`. */
export function testCaller(
  source: string,
  permissions: Permission[] = ['create', 'read', 'accounts', 'staff'],
): Caller {
  return { id: source, source, permissions };
}

/** A POS caller (staff, updates by account) whose references live under `pos`. */
export const POS_CALLER = testCaller('pos');
