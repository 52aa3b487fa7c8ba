import { randomUUID } from 'node:crypto';
import { RpcTypedData } from './core-types';
import { formatDateTimeOffset } from './duration';

/** The fields of a received Storage queue message that the trigger uses. */
export interface ReceivedMessage {
  messageId: string;
  popReceipt: string;
  messageText: string;
  dequeueCount: number;
  insertedOn: Date;
  expiresOn: Date;
  nextVisibleOn: Date;
}

/**
 * Decodes base64 as strictly as .NET's Convert.FromBase64String (which the queue SDK uses):
 * whitespace is ignored, every other character must be in the base64 alphabet, padding only at
 * the end, and the length a multiple of 4. Returns undefined when the text is not valid base64.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** The message body as the trigger sees it, or undefined when it cannot be decoded. */
export function decodeMessageBody(message: ReceivedMessage, encoding: 'base64' | 'none'): Buffer | undefined {
  return encoding === 'base64'
    ? decodeBase64Strict(message.messageText)
    : Buffer.from(message.messageText, 'utf8');
}

/** Encodes a message body for sending with the configured encoding. */
export function encodeMessageBody(body: Buffer, encoding: 'base64' | 'none'): string {
  return encoding === 'base64' ? body.toString('base64') : body.toString('utf8');
}

/**
 * The trigger input as the host sends it to the worker: `bytes` for `dataType: 'binary'`,
 * `json` when the message is a JSON object or array, else `string`. The library then parses JSON
 * (it also tries JSON.parse on strings), so the handler gets an object when the message parses.
 */
export function toTriggerData(body: Buffer, dataType: unknown): RpcTypedData {
  if (dataType === 'binary') return { bytes: body };
  const text = body.toString('utf8');
  if (dataType !== 'string' && /^\s*[[{]/.test(text)) {
    try {
      JSON.parse(text);
      return { json: text };
    } catch {
      // not JSON after all: a string
    }
  }
  return { string: text };
}

/**
 * Trigger metadata the queue trigger provides (the library camel-cases the keys):
 * QueueTrigger, DequeueCount, Id, PopReceipt, InsertionTime, ExpirationTime, NextVisibleTime, sys.
 */
export function toTriggerMetadata(
  message: ReceivedMessage,
  body: Buffer,
  functionName: string,
): Record<string, RpcTypedData> {
  const date = (d: Date): RpcTypedData => ({ json: JSON.stringify(formatDateTimeOffset(d)) });
  return {
    QueueTrigger: { string: body.toString('utf8') },
    DequeueCount: { json: String(message.dequeueCount) },
    Id: { string: message.messageId },
    PopReceipt: { string: message.popReceipt },
    InsertionTime: date(message.insertedOn),
    ExpirationTime: date(message.expiresOn),
    NextVisibleTime: date(message.nextVisibleOn),
    sys: {
      json: JSON.stringify({
        MethodName: functionName,
        UtcNow: new Date().toISOString(),
        RandGuid: randomUUID(),
      }),
    },
  };
}

/**
 * Turns an output binding value into queue message bodies, as the host's queue output binding
 * does: an array becomes one message per element; strings are sent as they are, bytes as bytes,
 * anything else as JSON.
 */
export function toOutputMessages(data: RpcTypedData | null | undefined): Buffer[] {
  if (!data) return [];
  if (typeof data.string === 'string') return [Buffer.from(data.string, 'utf8')];
  if (data.bytes) return [Buffer.from(data.bytes)];
  if (typeof data.int === 'number') return [Buffer.from(String(data.int))];
  if (typeof data.double === 'number') return [Buffer.from(String(data.double))];
  if (data.collectionString?.string) return data.collectionString.string.map((s) => Buffer.from(s, 'utf8'));
  if (data.collectionBytes?.bytes) return data.collectionBytes.bytes.map((b) => Buffer.from(b));
  if (typeof data.json === 'string') {
    const value: unknown = JSON.parse(data.json);
    const items = Array.isArray(value) ? value : [value];
    return items
      .filter((item) => item !== null && item !== undefined)
      .map((item) => Buffer.from(typeof item === 'string' ? item : JSON.stringify(item), 'utf8'));
  }
  return [];
}
