import { defineOwnershipMatrix } from '../support/ownership-matrix-cells';

/**
 * Issue 24's cross-caller matrix with CALLER_AUTH=app-service (the cells: test/support/ownership-matrix-cells.ts;
 * the table they prove: SECURITY.md, "Who may do what").
 */
defineOwnershipMatrix('app-service');
