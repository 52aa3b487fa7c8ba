import { z } from 'zod';
import { Access, accessPatchSchema, applyAccessPatch } from './access';
import { AddressReference, addressReferenceSchema } from './address-reference';

/** Behaviour that can change while the emulator runs (`GET`/`PATCH /_emulator/settings`). */
export interface Settings {
  /** D365 throttle model; `null` turns a limit off. */
  throttle: { ratePerSecond: number | null; concurrency: number | null };
  /**
   * What the custom service returns on success, which depends on the X++ operation's return type:
   * `object` (a data contract with the account, Json.NET style `{"$id":"1","CustomerAccount":...}`),
   * `string` (a bare JSON string), `contract-without-account` (`{"$id":"1"}`: a contract that does not
   * carry it), `null` (a contract left unset), `empty` (a `void` operation: 200 with an empty body, as
   * the source article's example response), `boolean` (`true`).
   */
  customServiceResponse: CustomServiceResponse;
  /** Name of the field carrying the new account in the object answer. */
  accountField: string;
  /** Client ids D365 treats as not registered (System administration > Microsoft Entra applications): 403. */
  unregisteredClientIds: string[];
  /** Latency added to every D365 request (ms). */
  latencyMs: number;
  /** Lifetime of tokens issued from now on (seconds). */
  tokenLifetimeSeconds: number;
  /** Seed of the random numbers behind `probability` faults (setting it restarts the sequence). */
  randomSeed: number;
  /** Countries, states and ZIP codes postal addresses are checked against (address-reference.ts). */
  addressReference: AddressReference;
  /**
   * Legal entities whose customer-account number sequence is manual: a CustomersV3 create must then
   * carry `CustomerAccount` (F&O: Accounts receivable parameters > Number sequences, "Manual").
   */
  manualNumberSequences: string[];
  /**
   * Service protection: a client that keeps calling while throttled gets a longer Retry-After each
   * time (doubling, up to 300 s) instead of the same one. `false`: every 429 says the same.
   */
  lengthenRetryAfter: boolean;
  /**
   * Whether the custom service's X++ code stores `EmailAddress` as the party's primary e-mail
   * (`PrimaryContactEmail`); that depends on the X++ code (README, "What each target needs").
   * `false`: only the phone is stored, so the app must recover the customer by name and phone.
   */
  customServiceStoresEmail: boolean;
  /**
   * OData server-driven paging: the most entities one answer holds; more come with an
   * `@odata.nextLink` (OData 4.01 Protocol §11.2.6.7). F&O's is 10,000 (README, Strictness, for the source).
   */
  pageSize: number;
  /** Key Vault readers, expired client secrets, F&O users without rights (access.ts). */
  access: Access;
}

export const CUSTOM_SERVICE_RESPONSES = [
  'object',
  'string',
  'contract-without-account',
  'null',
  'empty',
  'boolean',
] as const;
export type CustomServiceResponse = (typeof CUSTOM_SERVICE_RESPONSES)[number];

const limit = z.number().positive().nullable();

export const settingsPatchSchema = z
  .object({
    throttle: z
      .object({ ratePerSecond: limit.optional(), concurrency: limit.optional() })
      .strict()
      .optional(),
    customServiceResponse: z.enum(CUSTOM_SERVICE_RESPONSES).optional(),
    accountField: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a property name')
      .optional(),
    unregisteredClientIds: z.array(z.string().min(1)).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    tokenLifetimeSeconds: z.number().int().positive().optional(),
    randomSeed: z.number().int().min(0).optional(),
    addressReference: addressReferenceSchema.optional(),
    manualNumberSequences: z.array(z.string().regex(/^[A-Za-z0-9]{1,4}$/)).optional(),
    lengthenRetryAfter: z.boolean().optional(),
    customServiceStoresEmail: z.boolean().optional(),
    pageSize: z.number().int().min(1).max(10_000).optional(),
    access: accessPatchSchema.optional(),
  })
  .strict();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function applySettingsPatch(settings: Settings, patch: SettingsPatch): Settings {
  return {
    throttle: {
      ratePerSecond:
        patch.throttle?.ratePerSecond === undefined
          ? settings.throttle.ratePerSecond
          : patch.throttle.ratePerSecond,
      concurrency:
        patch.throttle?.concurrency === undefined
          ? settings.throttle.concurrency
          : patch.throttle.concurrency,
    },
    customServiceResponse: patch.customServiceResponse ?? settings.customServiceResponse,
    accountField: patch.accountField ?? settings.accountField,
    unregisteredClientIds: (patch.unregisteredClientIds ?? settings.unregisteredClientIds).map((id) =>
      id.toLowerCase(),
    ),
    latencyMs: patch.latencyMs ?? settings.latencyMs,
    tokenLifetimeSeconds: patch.tokenLifetimeSeconds ?? settings.tokenLifetimeSeconds,
    randomSeed: patch.randomSeed ?? settings.randomSeed,
    addressReference: patch.addressReference ?? settings.addressReference,
    manualNumberSequences: (patch.manualNumberSequences ?? settings.manualNumberSequences).map((c) =>
      c.toUpperCase(),
    ),
    lengthenRetryAfter: patch.lengthenRetryAfter ?? settings.lengthenRetryAfter,
    customServiceStoresEmail: patch.customServiceStoresEmail ?? settings.customServiceStoresEmail,
    pageSize: patch.pageSize ?? settings.pageSize,
    access: applyAccessPatch(settings.access, patch.access),
  };
}
