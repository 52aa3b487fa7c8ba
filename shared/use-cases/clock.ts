/** Time for the use-cases, from `deps.now` when a test sets it. */
export const clock = (deps: { now?: () => Date }): Date => deps.now?.() ?? new Date();
export const later = (deps: { now?: () => Date }, seconds: number): string =>
  new Date(clock(deps).getTime() + seconds * 1000).toISOString();
export const secondsUntil = (deps: { now?: () => Date }, iso: string | number | undefined): number =>
  iso === undefined
    ? 0
    : Math.max(0, ((typeof iso === 'number' ? iso : Date.parse(iso)) - clock(deps).getTime()) / 1000);
