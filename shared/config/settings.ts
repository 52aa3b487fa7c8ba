/**
 * The settings catalogue: every setting the app reads, with its description, default, local value
 * and validator. It is the single list: the README's configuration table, `local.settings.sample.json`
 * and the Bicep template are generated from or checked against it. One file per area under
 * shared/config/settings/, joined here in the README's order.
 */
import { d365Settings } from './settings/d365';
import { processingSettings } from './settings/processing';
import { callerSettings } from './settings/callers';
import { privacySettings } from './settings/privacy';
import { shopSettings } from './settings/shops';
import { callbackSettings } from './settings/callbacks';
import type { SettingDefinition } from './settings/validators';

export type { SettingDefinition } from './settings/validators';

const catalogue = [
  ...d365Settings,
  ...processingSettings,
  ...callerSettings,
  ...privacySettings,
  ...shopSettings,
  ...callbackSettings,
] as const;

/** Every setting, in the README's order. */
export const settings: readonly SettingDefinition[] = catalogue;

/** The catalogue's entries with their literal names and validator types (for the typed loader). */
export type CatalogueEntry = (typeof catalogue)[number];
export type SettingName = CatalogueEntry['name'];
