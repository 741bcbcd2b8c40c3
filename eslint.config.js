import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A venue's own folder: above the venues, code sees a venue through its ports (src/venues/venue.ts) and the registry. */
const VENUE_FOLDERS = ['**/venues/paper/**', '**/venues/kalshi/**', '**/venues/polymarket/**', '**/venues/sx/**', '**/venues/http/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly', AbortController: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'Number', property: 'parseFloat', message: 'money is parsed from decimal strings (domain/money.ts), never through a float' },
      ],
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'money is parsed from decimal strings (domain/money.ts), never through a float' }],
    },
  },
  // Files and functions stay small enough to read whole; a declared table (a schema, a set of prepared queries) says
  // so where it is, with an eslint-disable comment naming why.
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 70, skipBlankLines: true, skipComments: true }],
    },
  },
  // The layers: dependencies point one way (domain, security <- ledger, config, venues, feeds <- engine <- app <- cli).
  ...layer('src/domain/**', 'the domain is pure: it imports nothing of ours outside the domain, and no I/O', [
    ...outside('domain'),
    'better-sqlite3',
    'kysely',
    'node:fs',
    'node:net',
    'node:http',
    'node:https',
    'node:child_process',
  ]),
  ...layer('src/security/**', 'secret handling sits beside the domain: it imports nothing else of ours', outside('domain', 'security')),
  ...layer('src/ledger/**', 'the ledger depends on the domain (and secret scrubbing) only', outside('domain', 'security', 'ledger')),
  ...layer('src/config/**', 'the config depends on the domain (and endpoint rules) only', outside('domain', 'security', 'config')),
  ...layer('src/venues/**', 'a venue depends on the domain and the config only', outside('domain', 'security', 'config', 'venues')),
  ...layer('src/feeds/**', 'a feed depends on the domain, the config and the venues only', outside('domain', 'security', 'config', 'venues', 'feeds')),
  ...layer('src/engine/**', 'the engine never reaches up into the application or the CLI, nor under the ledger, nor past the venue ports', [
    '**/app/**',
    '**/cli/**',
    '**/ledger/connections.js',
    ...VENUE_FOLDERS,
  ]),
  ...layer('src/app/**', 'the application never reaches up into the CLI, nor under the ledger, nor past the venue ports and registry', [
    '**/cli/**',
    '**/ledger/connections.js',
    ...VENUE_FOLDERS,
  ]),
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/ledger/**'], allowTypeImports: true, message: 'the CLI reaches the ledger through src/app (types only here)' },
            { group: VENUE_FOLDERS, message: 'the CLI sees a venue through its ports and the registry' },
          ],
        },
      ],
    },
  },
);

/** Every top-level folder of src except `allowed`, as import patterns. */
function outside(...allowed) {
  const folders = ['domain', 'security', 'ledger', 'config', 'venues', 'feeds', 'engine', 'app', 'cli'];
  return folders.filter((folder) => !allowed.includes(folder)).map((folder) => `**/${folder}/**`);
}

function layer(files, message, patterns) {
  return [{ files: [`${files}/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] } }];
}
