// Credentials come from environment variables or from the JSON file named by the venue's `credentialsFile` setting,
// never from the config itself (configs get shared and committed; secrets must not).
import { readFileSync } from 'node:fs';
import { VenueCredentialsError } from './errors.js';

/** One credential: its name in the credentials file and the environment variable that can supply it. */
export interface CredentialSpec {
  readonly field: string;
  readonly env: string;
  readonly required: boolean;
}

export type CredentialValues = Readonly<Record<string, string | undefined>>;

/**
 * Reads every credential in `specs`: the credentials file when one is configured (its values win, so a file names one
 * account completely), otherwise the environment. Throws naming every missing variable, never any value.
 */
export function loadCredentials(
  venue: string,
  specs: readonly CredentialSpec[],
  credentialsFile: string | null,
  env: NodeJS.ProcessEnv,
): CredentialValues {
  const fromFile = credentialsFile === null ? null : readCredentialsFile(venue, credentialsFile);
  const values: Record<string, string | undefined> = {};
  const missing: string[] = [];
  for (const spec of specs) {
    const value = fromFile ? fromFile[spec.field] : env[spec.env];
    const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    values[spec.field] = text;
    if (text === undefined && spec.required) missing.push(fromFile ? `"${spec.field}" in ${credentialsFile}` : spec.env);
  }
  if (missing.length > 0) {
    throw new VenueCredentialsError(`${venue}: missing credentials: ${missing.join(', ')}`);
  }
  return values;
}

function readCredentialsFile(venue: string, path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VenueCredentialsError(`${venue}: cannot read credentials file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Never echo the parser's message: it can quote the file's content.
    throw new VenueCredentialsError(`${venue}: credentials file ${path} is not valid JSON`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new VenueCredentialsError(`${venue}: credentials file ${path} must hold a JSON object`);
  }
  return json as Record<string, unknown>;
}

/** Memoises a credentials loader so that public reads work without credentials and private calls fail clearly. */
export function lazy<T>(load: () => T): () => T {
  let value: { readonly loaded: T } | null = null;
  return () => {
    value ??= { loaded: load() };
    return value.loaded;
  };
}
