// ESLint flat config: typescript-eslint's recommended type-aware rules for the whole tree,
// plus one architectural rule: core/ is the pure domain and may not import AWS or I/O modules.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', '.local/', 'coverage/', 'dashboard/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      'no-restricted-syntax': [
        'error',
        {
          // `import { z }` pulls all of zod (every locale) into each Lambda bundle; the namespace
          // import tree-shakes (docs/benchmarks.md, "Lambda bundles").
          selector: "ImportDeclaration[source.value='zod'][importKind='value'] > ImportSpecifier[imported.name='z']",
          message: "Import zod as `import * as z from 'zod'`: the named import defeats tree-shaking.",
        },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', '@middy/*', '@aws-lambda-powertools/*'], message: 'core/ is pure: no AWS or Lambda imports.' },
            { group: ['node:fs', 'node:net', 'node:http', 'node:https', 'fs', 'net', 'http', 'https', 'ws'], message: 'core/ is pure: no I/O.' },
            { group: ['../storage/*', '../functions/*', '../ingest-task/*', '../local/*', '../lib/*'], message: 'core/ depends on nothing outside core/.' },
          ],
        },
      ],
    },
  },
);
