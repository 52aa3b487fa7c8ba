import type { TableClient } from '@azure/data-tables';
import type { WebhookSource } from '../../config/webhook-sources';
import type { ShopClient, ShopClients, WebhookSecrets } from '../../ports';
import { bigCommerceClient } from './bigcommerce-client';
import { shopifyClient } from './shopify-client';
import { tableShopBudget } from './table-shop-budget';

export interface ShopClientsOptions {
  secrets: WebhookSecrets;
  /** The status table (the shops' budgets are rows in it). */
  table: () => Promise<TableClient>;
  shopifyApiVersion: string;
  budgetShare: number;
  timeoutMs: number;
  maxWaitMs: number;
}

/**
 * The shop clients of the WEBHOOK_SOURCES shops: Shopify shops with an Admin API token secret,
 * BigCommerce stores (their API token already reads customers). For the write-back, none where
 * `writeBack` is false; reading (the backfill) needs only the token. Built on first use; one
 * fleet-wide budget (ShopBudget) for all of them.
 */
export function shopClients(sources: readonly WebhookSource[], options: ShopClientsOptions): ShopClients {
  const budget = tableShopBudget(options.table, { share: options.budgetShare });
  const clients = new Map<string, ShopClient>();
  const common = {
    secrets: options.secrets,
    budget,
    timeoutMs: options.timeoutMs,
    maxWaitMs: options.maxWaitMs,
  };
  return {
    forSource(name, purpose = 'write-back') {
      const source = sources.find((s) => s.name === name);
      if (purpose === 'write-back' && source?.kind !== 'standard' && source?.writeBack === false)
        return undefined;
      const existing = clients.get(name);
      if (existing) return existing;
      let client: ShopClient | undefined;
      if (source?.kind === 'shopify' && source.adminApiTokenSecretName) {
        client = shopifyClient(
          { ...source, adminApiTokenSecretName: source.adminApiTokenSecretName },
          { ...common, apiVersion: options.shopifyApiVersion },
        );
      } else if (source?.kind === 'bigcommerce') {
        client = bigCommerceClient(source, common);
      }
      if (client) clients.set(name, client);
      return client;
    },
  };
}
