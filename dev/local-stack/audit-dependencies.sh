#!/usr/bin/env bash
# `npm audit --omit=dev --audit-level=high`, as CI runs it. Fails on a high or critical advisory in
# a production dependency. When the registry offers no advisory database (some mirrors answer the
# audit endpoint with 405), it says so loudly and does not fail: that is not a clean bill of health.
set -uo pipefail
out=$(npm audit --omit=dev --audit-level=high 2>&1)
status=$?
echo "$out" | tail -20
if [ $status -ne 0 ] && grep -qE 'audit endpoint returned an error|ENOAUDIT|405 Method Not Allowed' <<<"$out"; then
  echo "audit-dependencies: WARNING: the registry has no advisory database; dependencies were NOT audited." >&2
  exit 0
fi
exit $status
