// Credentials come from environment variables or from the JSON file named by the venue's `credentialsFile` setting,
// never from the config itself (configs get shared and committed; secrets must not). Every secret read is registered
// with the scrubber before anything can use it, and a value carrying a control character is refused: it would break
// the header it goes into, and fetch would quote the whole value in its error.
import { readFileSync } from 'node:fs';
import { ownerOnlyProblem } from '../../security/private-files.js';
import { registerSecret } from '../../security/secrets.js';
import { VenueCredentialsError } from '../errors.js';

/** One credential: its name in the credentials file and the environment variable that can supply it. */
export interface CredentialSpec {
  readonly field: string;
  readonly env: string;
  readonly required: boolean;
  /** Not a secret (an address, a URL, a file path): not registered with the scrubber. */
  readonly public?: boolean;
  /** May span lines (a PEM key): line breaks are allowed, other control characters are not. */
  readonly multiline?: boolean;
  /** Another field that stands in for this one when this is absent (a keystore for a private key). */
  readonly orField?: string;
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
  const where = (spec: CredentialSpec) => (fromFile ? `"${spec.field}" in ${credentialsFile}` : spec.env);
  for (const spec of specs) {
    const value = fromFile ? fromFile[spec.field] : env[spec.env];
    const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    if (text !== undefined && !spec.public) registerSecret(text);
    if (text !== undefined && hasControlCharacter(text, spec.multiline === true)) {
      const what = spec.multiline ? 'a control character other than a line break' : 'a control character (such as a line break): a credential is one line of text';
      throw new VenueCredentialsError(`${venue}: ${where(spec)} contains ${what}`);
    }
    values[spec.field] = text;
  }
  const missing = specs.filter((spec) => spec.required && values[spec.field] === undefined && (spec.orField === undefined || values[spec.orField] === undefined));
  if (missing.length > 0) {
    throw new VenueCredentialsError(`${venue}: missing credentials: ${missing.map(where).join(', ')}`);
  }
  return values;
}

/**
 * C0 controls, DEL and C1 controls. A PEM key's line breaks (real, or written as \n in an environment variable) are
 * the one exception, for the credentials that are one.
 */
function hasControlCharacter(text: string, multiline: boolean): boolean {
  const checked = multiline ? text.replace(/\r?\n/g, '') : text;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
  return /[\u0000-\u001f\u007f-\u009f]/.test(checked);
}

function readCredentialsFile(venue: string, path: string): Record<string, unknown> {
  const problem = ownerOnlyProblem(path);
  if (problem !== null) throw new VenueCredentialsError(`${venue}: credentials file ${problem}`);
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
