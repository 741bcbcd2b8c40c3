// Writing a confirmed pair into the config file: the one change this program makes to a person's config. The file is
// read, the pair added (or an existing pair of the same two markets marked confirmed), the result checked whole by the
// same schema that loads it, and only then written, in place of the old file in one rename, with its keys in their
// order and its indentation kept. A pair already confirmed leaves the file untouched.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { InputError } from '../domain/errors.js';
import { parseConfigObject } from './config.js';

export interface PairLegToConfirm {
  readonly venue: string;
  readonly market: string;
}

export type ConfirmOutcome = 'added' | 'confirmed' | 'already confirmed';

type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Marks the pair of these two markets confirmed in the config at `path`, adding it under `name` when it is not there. */
export function confirmPairInFile(path: string, name: string, a: PairLegToConfirm, b: PairLegToConfirm): { readonly name: string; readonly outcome: ConfirmOutcome } {
  const text = readFileSync(path, 'utf8');
  const json: unknown = JSON.parse(text);
  if (!isRecord(json)) throw new InputError(`config ${path}: not a JSON object`);
  const pairs = json.pairs === undefined ? {} : json.pairs;
  if (!isRecord(pairs)) throw new InputError(`config ${path}: "pairs" is not an object`);
  const existing = Object.entries(pairs).find(([, pair]) => isRecord(pair) && sameMarkets(pair, a, b));
  if (existing && isRecord(existing[1]) && existing[1].confirmed === true) return { name: existing[0], outcome: 'already confirmed' };
  if (existing) {
    pairs[existing[0]] = { ...(existing[1] as JsonRecord), confirmed: true };
  } else {
    if (pairs[name] !== undefined) throw new InputError(`config ${path}: a different pair is already named "${name}"`);
    pairs[name] = { a: { venue: a.venue, market: a.market, yesIs: 'yes' }, b: { venue: b.venue, market: b.market, yesIs: 'yes' }, confirmed: true };
  }
  const updated = { ...json, pairs };
  parseConfigObject(updated, path); // a config this program could not load again is never written
  writeKeepingFile(path, text, updated);
  return { name: existing?.[0] ?? name, outcome: existing ? 'confirmed' : 'added' };
}

function sameMarkets(pair: JsonRecord, a: PairLegToConfirm, b: PairLegToConfirm): boolean {
  const leg = (value: unknown) => (isRecord(value) ? `${String(value.venue)}\u0000${String(value.market)}` : '');
  const held = [leg(pair.a), leg(pair.b)].sort().join('\u0001');
  const wanted = [`${a.venue}\u0000${a.market}`, `${b.venue}\u0000${b.market}`].sort().join('\u0001');
  return held === wanted;
}

/** Writes beside the file and renames over it (never a half-written config), with its indentation, ending and mode. */
function writeKeepingFile(path: string, oldText: string, value: unknown): void {
  const indent = /\n([ \t]+)"/.exec(oldText)?.[1] ?? '  ';
  const ending = oldText.endsWith('\n') ? '\n' : '';
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, indent)}${ending}`, { mode: statSync(path).mode & 0o777 });
  renameSync(temporary, path);
}
