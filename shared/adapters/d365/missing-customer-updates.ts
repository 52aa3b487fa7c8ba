import { transient } from '../../domain/failure';
import { D365CustomerUpdates } from '../../ports';

/**
 * Stands in for the CustomersV3 update adapter (`createD365CustomerUpdates`, built beside this
 * branch) until it is merged: every call is a transient failure, so queued updates wait and retry
 * instead of failing. Delete this file when the composition root wires the real adapter.
 */
export function missingCustomerUpdates(): D365CustomerUpdates {
  const unavailable = (): never => {
    throw transient('the D365 customer update adapter is not installed in this build');
  };
  return { getCustomer: async () => unavailable(), patchCustomer: async () => unavailable() };
}
