import { InvalidOptionError } from './errors';
/**
 * A list that keeps the newest `capacity` items (a ring buffer): adding beyond it drops the oldest,
 * in O(1). `dropped` counts the items lost that way since the last `clear`.
 */
export interface BoundedLog<T> {
  push(item: T): void;
  /** The kept items, oldest first (a copy). */
  all(): T[];
  size(): number;
  dropped(): number;
  capacity: number;
  clear(): void;
}

export function createBoundedLog<T>(capacity: number): BoundedLog<T> {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new InvalidOptionError('capacity', capacity, 'a positive integer');
  let items: T[] = [];
  /** Index of the oldest item once the buffer is full. */
  let head = 0;
  let dropped = 0;
  return {
    capacity,
    push(item) {
      if (items.length < capacity) {
        items.push(item);
        return;
      }
      items[head] = item;
      head = (head + 1) % capacity;
      dropped += 1;
    },
    all: () => (head === 0 ? [...items] : [...items.slice(head), ...items.slice(0, head)]),
    size: () => items.length,
    dropped: () => dropped,
    clear() {
      items = [];
      head = 0;
      dropped = 0;
    },
  };
}
