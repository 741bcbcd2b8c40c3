// Typed queries run synchronously. Queries are built once with kysely (for types), compiled, and kept as cached
// better-sqlite3 statements; named placeholders mark where each call's values go. This keeps every query inside
// better-sqlite3's synchronous BEGIN IMMEDIATE transactions, which kysely's own async transactions cannot do.
import type Database from 'better-sqlite3';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable, type Selectable } from 'kysely';
import type { LedgerSchema } from './schema.js';

export { sql } from 'kysely';

const PARAM_PREFIX = '\u0000arbbot-param:';

/**
 * A named placeholder: stands in for a value supplied when the prepared query runs. Typed `never` so it fits any
 * column; table and column names are still checked by kysely, and values by each query's parameter type.
 */
export function param(name: string): never {
  return `${PARAM_PREFIX}${name}` as never;
}

/** A query builder that only compiles: it can never execute on its own, so no query escapes the sync path. */
export const queryBuilder = new Kysely<LedgerSchema>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

export type QueryBuilder = typeof queryBuilder;
type Params = Readonly<Record<string, unknown>>;

export class PreparedQuery<P extends Params, R> {
  /** Per placeholder: the parameter's name, or null where the compiled query carries a fixed value. */
  private readonly names: readonly (string | null)[];
  /**
   * The argument list, filled in place on every call: the statement copies its bindings before returning and runs
   * no JavaScript meanwhile, so one array per query serves every call without allocating on the hot path.
   */
  private readonly values: unknown[];

  constructor(
    private readonly statement: Database.Statement,
    parameters: readonly unknown[],
  ) {
    this.names = parameters.map((value) => (typeof value === 'string' && value.startsWith(PARAM_PREFIX) ? value.slice(PARAM_PREFIX.length) : null));
    this.values = parameters.map((value, index) => (this.names[index] === null ? value : undefined));
  }

  private args(params: P): unknown[] {
    const { names, values } = this;
    for (let index = 0; index < names.length; index += 1) {
      const name = names[index];
      if (name === null || name === undefined) continue;
      const value = params[name];
      if (value === undefined) throw new Error(`query parameter "${name}" is missing`);
      values[index] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    return values;
  }

  run(params: P): Database.RunResult {
    return this.statement.run(...this.args(params));
  }

  get(params: P): R | undefined {
    return this.statement.get(...this.args(params)) as R | undefined;
  }

  all(params: P): R[] {
    return this.statement.all(...this.args(params)) as R[];
  }

  iterate(params: P): IterableIterator<R> {
    return this.statement.iterate(...this.args(params)) as IterableIterator<R>;
  }
}

/** A PRAGMA that answers rows (kysely builds none), prepared once with the shape of its rows declared. */
export function preparePragma<R>(db: Database.Database, pragma: 'integrity_check' | 'foreign_key_check'): PreparedQuery<Record<string, never>, R> {
  return new PreparedQuery<Record<string, never>, R>(db.prepare(`PRAGMA ${pragma}`), []);
}

/** Compiles a kysely query once into a cached prepared statement bound to `db`. */
export function prepareQuery<P extends Params, R>(
  db: Database.Database,
  build: (qb: QueryBuilder) => Compilable<R>,
): PreparedQuery<P, R> {
  const compiled = build(queryBuilder).compile();
  return new PreparedQuery<P, R>(db.prepare(compiled.sql), compiled.parameters);
}

/** The values of `columns` of a `table` row, in their order: a row as a statement in raw mode returns it. */
export type ColumnValues<T extends keyof LedgerSchema, C extends readonly string[]> = {
  -readonly [I in keyof C]: Selectable<LedgerSchema[T]>[C[I] & keyof Selectable<LedgerSchema[T]>];
};

/**
 * prepareQuery for a select whose rows come back as arrays of `columns` (better-sqlite3's raw mode): a walk over a whole
 * table then builds no object per row. `build` selects exactly `columns`, in that order.
 */
export function prepareArrayQuery<P extends Params, T extends keyof LedgerSchema, const C extends readonly (keyof Selectable<LedgerSchema[T]> & string)[]>(
  db: Database.Database,
  _table: T,
  columns: C,
  build: (qb: QueryBuilder, columns: C) => Compilable<unknown>,
): PreparedQuery<P, ColumnValues<T, C>> {
  const compiled = build(queryBuilder, columns).compile();
  return new PreparedQuery<P, ColumnValues<T, C>>(db.prepare(compiled.sql).raw(true), compiled.parameters);
}
