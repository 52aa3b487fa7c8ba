import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '../../shared/http/openapi';

/**
 * `npm run api:docs`: writes docs/openapi.json (the document the app serves) for the linter,
 * Postman and code generators. test/api/openapi.test.ts fails when the file is out of date.
 */
export const OPENAPI_PATH = join(process.cwd(), 'docs', 'openapi.json');

export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(OPENAPI_PATH, openApiText());
  console.log(`wrote ${OPENAPI_PATH}`);
}
