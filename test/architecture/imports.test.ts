// The import graph of src/, read from the source text: no module may reach itself again through its imports — type
// imports included: a cycle of types is not a load-order hazard, but it is two modules that each need the other to be
// read, which is what a layered design avoids. The detector is shown to find a cycle, in a graph and in real files,
// before it is trusted with src/.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/helpers.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** `import … from './x.js'` and `export … from './x.js'`, `import type` included; side-effect imports too. */
const LOCAL_IMPORT = /^(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((x, y) => x.name.localeCompare(y.name))
    .flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's imports of other files in the tree, as paths relative to `root`. */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(LOCAL_IMPORT)].map((match) => relative(root, resolve(dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts'))));
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** Every cycle's modules (each strongly connected component of more than one module, or a module importing itself). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, indices.get(next) ?? 0));
    }
    if (low.get(node) !== indices.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found.sort((x, y) => (x[0] ?? '').localeCompare(y[0] ?? ''));
}

describe('import cycles', () => {
  it('the detector finds a cycle in a graph, and none in a graph without one', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('the reader finds a cycle between real files, through a type-only import too', () => {
    const root = tempDir();
    mkdirSync(join(root, 'engine'));
    writeFileSync(join(root, 'engine', 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    writeFileSync(join(root, 'engine', 'b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
    writeFileSync(join(root, 'engine', 'c.ts'), "import type { d } from './d.js';\nexport const c = 1 as unknown as typeof d;\n");
    writeFileSync(join(root, 'engine', 'd.ts'), "import { c } from './c.js';\nexport const d = c;\n");
    writeFileSync(join(root, 'engine', 'e.ts'), "import { a } from './a.js';\nexport const e = a;\n");
    expect(cycles(importGraph(root))).toEqual([['engine/a.ts', 'engine/b.ts'], ['engine/c.ts', 'engine/d.ts']]);
  });

  it('src/ has none', () => {
    const graph = importGraph(SRC);
    expect(graph.size).toBeGreaterThan(50);
    expect(cycles(graph)).toEqual([]);
  });
});
