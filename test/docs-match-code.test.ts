/** The docs quote what the code prints and names what it reads: these checks keep them from drifting apart. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { allStreams } from '../src/streams/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Stands for an interpolated value (`${...}`, or a non-literal operand of a string concatenation). */
const HOLE = '\u0000';

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every string the code can build from literals: string and template literals, with each interpolation as a
 * HOLE, and `+` concatenations joined into one string (their non-literal operands are holes too).
 */
function stringsIn(path: string): string[] {
  const file = ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest, true);
  const strings: string[] = [];
  const textOf = (node: ts.Node): string | undefined => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isTemplateExpression(node))
      return node.head.text + node.templateSpans.map((span) => HOLE + span.literal.text).join('');
    if (ts.isParenthesizedExpression(node)) return textOf(node.expression);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = textOf(node.left);
      const right = textOf(node.right);
      if (left === undefined && right === undefined) return undefined;
      return (left ?? HOLE) + (right ?? HOLE);
    }
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    const text = textOf(node);
    if (text !== undefined) strings.push(text);
    // Parts of a concatenation are also kept alone: a message may be built in pieces.
    ts.forEachChild(node, visit);
  };
  visit(file);
  return strings;
}

interface SourceString {
  file: string;
  text: string;
}

/**
 * The source's strings and the shared kit's. A kit message takes its API's words from the source's
 * ApiWording (src/http-client.ts), so kit files and that file count as one for composed messages.
 */
const WORDED_WITH = 'kit/src';
const SOURCE_STRINGS: SourceString[] = [...sourceFiles('src'), ...sourceFiles('kit/src')].flatMap((path) => {
  const file = path.startsWith('kit/') || path === join('src', 'http-client.ts') ? WORDED_WITH : path;
  return stringsIn(path).map((text) => ({ file, text }));
});
/**
 * Strings that read as phrases (words and a space or a parenthesis), the ones a message is composed of
 * (`Customer.io ${what} on ${where}`), and glue (`` ` ${note}` ``: interpolations and punctuation only). Glue
 * would fit any text if its interpolations could be any value, so they stand only for phrases.
 */
const PHRASES_BY_FILE = new Map<string, string[]>();
const GLUE = new Set<string>();
for (const { file, text } of SOURCE_STRINGS) {
  const literal = text.replaceAll(HOLE, '');
  const phrase = /[\s(]/.test(literal) && /[A-Za-z]{3}/.test(literal);
  const glue = !/[A-Za-z0-9]/.test(literal) && text.includes(HOLE) && text.length <= 4;
  if (!phrase && !glue) continue;
  if (glue) GLUE.add(text);
  PHRASES_BY_FILE.set(file, [...(PHRASES_BY_FILE.get(file) ?? []), text]);
}
const STREAM_NAMES = new Set(allStreams().map((stream) => stream.name));

/** A README fragment as tokens: literal characters, WILD (`…`, `<placeholder>`) and NUM (a number, `N`, `4xx`). */
type Token = string | { kind: 'WILD' | 'NUM' };
const WILD = { kind: 'WILD' } as const;
const NUM = { kind: 'NUM' } as const;

function tokenize(fragment: string): Token[] {
  // The read loop adds `<stream>: `; a trailing `…` says the message goes on.
  const prefix = /^(<stream>|[a-z_]+): /.exec(fragment)?.[1];
  const prefixed = prefix === '<stream>' || (prefix !== undefined && STREAM_NAMES.has(prefix));
  const body = (prefixed ? fragment.slice(fragment.indexOf(': ') + 2) : fragment).replace(/\s*…\s*$/, '');
  // A `…` stands for whatever text is elided, the spaces around it included.
  const parts = body.split(/(\s*…\s*|<[^>]+>|\b[NMK]\b|\b\dxx\b|\d+(?:[.,]\d+)*)/);
  return parts.flatMap((part, index): Token[] => {
    if (index % 2 === 0) return [...part];
    return [part.includes('…') || part.startsWith('<') ? WILD : NUM];
  });
}

const isLiteral = (token: Token | undefined): token is string => typeof token === 'string';

/**
 * Whether the code can print `fragment`: some string of src/ contains it, where each of the string's
 * interpolations stands for a value (one or two words or numbers), or another phrase of the
 * same file (composed messages, three levels deep). A leading stream name is the read loop's prefix.
 */
function codeCanPrint(fragment: string): boolean {
  const tokens = tokenize(fragment);
  const memo = new Map<string, Set<number>>();

  /**
   * Where an interpolated value starting at fragment position i can end: nothing, one or two atoms (a word or
   * a number: `GET`, `HTTP 429`, `256 MB`, `US, EU`).
   */
  const valueEnds = (i: number): number[] => {
    const ends = [i];
    const atom = (from: number): number | undefined => {
      if (tokens[from] === NUM) return from + 1;
      let k = from;
      while (isLiteral(tokens[k]) && !/[\s,]/.test(tokens[k] as string)) k++;
      return k > from ? k : undefined;
    };
    const first = atom(i);
    if (first === undefined) return ends;
    // Any prefix of a word: the string may go on with punctuation (`${name}: `, `"${field}"`).
    for (let k = i + 1; k <= first; k++) ends.push(k);
    const gap = tokens[first] === ' ' ? 1 : tokens[first] === ',' && tokens[first + 1] === ' ' ? 2 : 0;
    const second = gap > 0 ? atom(first + gap) : undefined;
    if (second !== undefined) for (let k = first + gap + 1; k <= second; k++) ends.push(k);
    return ends;
  };

  /** Every (fragment position, text position) reachable from `starts`. */
  const run = (file: string, text: string, starts: Array<[number, number]>, depth: number) => {
    const seen = new Set(starts.map(([i, j]) => `${i},${j}`));
    const reached: Array<[number, number]> = [];
    const queue = [...starts];
    const push = (i: number, j: number) => {
      const key = `${i},${j}`;
      if (seen.has(key)) return;
      seen.add(key);
      queue.push([i, j]);
    };
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      const [i, j] = next;
      reached.push(next);
      if (i === tokens.length) continue;
      const token = tokens[i];
      const char = text[j];
      if (token === WILD) {
        push(i + 1, j);
        if (j < text.length) push(i, j + 1);
      } else if (token === NUM && char !== HOLE) {
        const digits = /^\d[\d.,]*/.exec(text.slice(j))?.[0] ?? '';
        for (let length = 1; length <= digits.length; length++) push(i + 1, j + length);
      } else if (char === HOLE) {
        const glue = GLUE.has(text);
        if (!glue) for (const end of valueEnds(i)) push(end, j + 1);
        if (depth < 3)
          for (const phrase of PHRASES_BY_FILE.get(file) ?? [])
            if (!(glue && GLUE.has(phrase)))
              for (const end of spans(file, phrase, i, depth + 1)) push(end, j + 1);
      } else {
        if (token === char) push(i + 1, j + 1);
        // The spaces a `…` took in may start the next phrase.
        if (tokens[i - 1] === WILD && char !== undefined && /\s/.test(char)) push(i, j + 1);
      }
    }
    return reached;
  };

  /** Fragment positions k such that tokens[i..k) is matched by the whole of `text`. */
  const spans = (file: string, text: string, i: number, depth: number): Set<number> => {
    const key = `${depth}\u0001${i}\u0001${file}\u0001${text}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    const result = new Set<number>();
    memo.set(key, result);
    // The fragment may also end inside the phrase: what it leaves out is its trailing `…`.
    for (const [k, j] of run(file, text, [[i, 0]], depth))
      if (j === text.length || k === tokens.length) result.add(k);
    return result;
  };

  return SOURCE_STRINGS.some(({ file, text }) => {
    const starts: Array<[number, number]> = [];
    for (let j = 0; j < text.length; j++) starts.push([0, j]);
    return run(file, text, starts, 0).some(([i]) => i === tokens.length);
  });
}

/** The backtick-quoted fragments of the first column of the README's troubleshooting table. */
function troubleshootingFragments(): string[] {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Command line'));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  expect(rows.length).toBeGreaterThan(20);
  return rows.flatMap((row) => {
    const first = row.split(' | ')[0] ?? '';
    // Quoted words without a space are names (`--catalog`, `RATE_LIMITED`), not messages.
    return [...first.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '').filter((text) => /\s/.test(text));
  });
}

describe("README's troubleshooting table", () => {
  test.each(troubleshootingFragments())('"%s" is a message the code can print', (fragment) => {
    expect(codeCanPrint(fragment)).toBe(true);
  });

  test.each([
    'Customer.io halved the rate to …',
    'activities: the last sync is more than 30 days old …',
    'Customer.io rejected the key (401 …)',
  ])('"%s", which the code cannot print, is caught', (fragment) => {
    expect(codeCanPrint(fragment)).toBe(false);
  });
});

describe('docs name what the code has', () => {
  const streams = allStreams().length;

  test('stream counts', () => {
    const readme = read('README.md').replace(/\s+/g, ' ');
    expect(readme).toContain(`Status: 0.1.0. ${streams} streams`);
    expect(readme).toContain(`${streams} streams cover everything`);
    const incremental = allStreams().filter((stream) => stream.supportedSyncModes.includes('incremental'));
    expect(readme).toContain(`the ${incremental.length} with a cursor`);
    const migration = read('docs/migrating-from-airbyte.md');
    const theirs = Number(/has (\d+) streams/.exec(migration)?.[1]);
    const more = Number(/and (\d+) more/.exec(migration)?.[1]);
    expect(theirs + more).toBe(streams);
  });

  test("the README's dependency table is one table naming every package.json dependency", () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('### Dependencies and why'), readme.indexOf('## Benchmarks'));
    const table = section.slice(section.indexOf('| package |'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n');
    expect(rows.every((row) => row.startsWith('|'))).toBe(true);
    const named = rows.join('\n');
    const manifest = JSON.parse(read('package.json')) as Record<string, Record<string, string>>;
    for (const name of [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.devDependencies ?? {}),
    ])
      expect(named, name).toContain(`\`${name}\``);
    expect(table.slice(table.indexOf('\n\n'))).not.toMatch(/^\|/m);
  });

  test('every CIO_* environment variable the code reads is in the tuning list of docs/design.md', () => {
    const used = new Set(
      [...sourceFiles('src'), ...sourceFiles('kit/src')].flatMap(
        (path) => read(path).match(/\bCIO_[A-Z_]+\b/g) ?? [],
      ),
    );
    const design = read('docs/design.md');
    const tuning = design.slice(
      design.indexOf('### Tuning for tests'),
      design.indexOf('## What a read costs'),
    );
    const documented = new Set(tuning.match(/\bCIO_[A-Z_]+\b/g) ?? []);
    expect([...used].sort()).toEqual([...documented].sort());
  });
});

describe('docs/migrating-from-airbyte.md', () => {
  test('its table and its "only here" list name every stream, each once', () => {
    const doc = read('docs/migrating-from-airbyte.md');
    const table = doc.slice(doc.indexOf('## Streams Airbyte 1.0 has'), doc.indexOf('## Streams only here'));
    const inTable = table
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .filter((cells) => cells.length > 4 && (cells[3] ?? '').startsWith('`'))
      .flatMap((cells) => [...(cells[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1] ?? ''));
    const onlyHere = doc.slice(doc.indexOf('## Streams only here'), doc.indexOf('## Behaviour that differs'));
    const listed = [...onlyHere.matchAll(/`([a-z_]+)`/g)]
      .map((match) => match[1] ?? '')
      .filter((name) => !name.includes('*'));
    const names = allStreams().map((stream) => stream.name);
    expect([...new Set([...inTable, ...listed])].sort()).toEqual([...names].sort());
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.filter((name) => inTable.includes(name))).toEqual([]);
    expect(onlyHere).toContain(`${names.length - new Set(inTable).size} streams Airbyte 1.0 does not have`);
  });
});
