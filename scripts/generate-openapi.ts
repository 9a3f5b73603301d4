/** `npm run openapi`: writes docs/openapi.json from the route table and the zod schemas. */
import { writeFile } from 'node:fs/promises';
import { buildOpenApiDocument } from '../functions/api/openapi-document';

export const OPENAPI_PATH = new URL('../docs/openapi.json', import.meta.url);

await writeFile(OPENAPI_PATH, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log('wrote docs/openapi.json');
