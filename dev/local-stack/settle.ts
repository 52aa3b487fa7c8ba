/**
 * When an audit stops waiting for its requests to end: after `quietSeconds` in which none ended,
 * not after a fixed total. A loaded machine that drains slowly but steadily is never reported as
 * losing requests; a request that is really stuck still is, `quietSeconds` after the last progress.
 * Returns a check to call with the number still pending after each poll: true means give up.
 */
export function stallDetector(
  quietSeconds: number,
  now: () => number = Date.now,
): (pending: number) => boolean {
  let fewest = Infinity;
  let progressAt = now();
  return (pending) => {
    if (pending < fewest) {
      fewest = pending;
      progressAt = now();
    }
    return now() - progressAt > quietSeconds * 1000;
  };
}
