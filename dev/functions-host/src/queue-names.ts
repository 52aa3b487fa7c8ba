/**
 * Storage queue names as the queue extension checks and derives them
 * (https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata).
 */

/** Name of the poison queue the host uses for `queueName`, or undefined when there is none. */
export function poisonQueueName(queueName: string): string | undefined {
  const name = `${queueName}-poison`;
  return queueName.endsWith('-poison') || name.length > 63 ? undefined : name;
}

/** Storage queue naming rules, checked at start like the host does. */
export function validateQueueName(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name)) {
    return 'may contain only lowercase letters, digits and hyphens, and must start and end with a letter or digit';
  }
  if (name.includes('--')) return 'must not contain consecutive hyphens';
  return undefined;
}
