// What the packaging tests of both connectors (test/packaging.test.ts, destination/test/packaging.test.ts) share:
// a minimal Dockerfile reader, a .dockerignore matcher, a strict YAML reader, readConnector (a connector's
// Dockerfile, build-context ignore file, metadata.yaml and package.json) and the tests every connector image and
// metadata.yaml must pass (itIsAnAirbyteImage, itHasSchemaValidMetadata). Nothing here needs Docker.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parse } from 'yaml';

/** The repository root: every path below is relative to it, as in a build context. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const readText = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');

// ---------------------------------------------------------------------------------------------------------
// Minimal Dockerfile reader: continuation lines, comments, stages, ENV/LABEL key=value pairs, exec-form JSON.
// ---------------------------------------------------------------------------------------------------------

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending !== '' && line.startsWith('#')) continue; // comments inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending !== '') logical.push(pending.trim());

  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').trim();
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from?.[1]) throw new Error(`Unparseable FROM: ${line}`);
      stages.push({ image: from[1], name: from[2], instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (!current) {
      if (keyword === 'ARG') continue; // global build args before the first FROM
      throw new Error(`Instruction before the first FROM: ${line}`);
    }
    current.instructions.push({ keyword, args });
  }
  return stages;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

/** Parses `ENV`/`LABEL` arguments: `k=v k2="v 2"`, or the legacy single-pair `ENV key value` form. */
function parsePairs(args: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const firstToken = args.split(/\s+/)[0] ?? '';
  if (!firstToken.includes('=')) {
    const legacy = /^(\S+)\s+(.*)$/.exec(args);
    if (legacy?.[1] !== undefined && legacy[2] !== undefined) pairs.set(legacy[1], unquote(legacy[2].trim()));
    return pairs;
  }
  const re = /([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of args.matchAll(re)) {
    if (m[1] !== undefined && m[2] !== undefined) pairs.set(m[1], unquote(m[2]));
  }
  return pairs;
}

function collectPairs(stage: Stage, keyword: 'ENV' | 'LABEL'): Map<string, string> {
  const all = new Map<string, string>();
  for (const ins of stage.instructions) {
    if (ins.keyword !== keyword) continue;
    for (const [k, v] of parsePairs(ins.args)) all.set(k, v);
  }
  return all;
}

/** The arguments of every `keyword` instruction of the stage, in order. */
function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function lastArgs(stage: Stage, keyword: string): string | undefined {
  return argsOf(stage, keyword).at(-1);
}

function runtimeStageOf(stages: Stage[]): Stage {
  const runtime = stages.at(-1);
  if (!runtime) throw new Error('Dockerfile has no FROM');
  return runtime;
}

function entrypointOf(stage: Stage): string[] {
  const args = lastArgs(stage, 'ENTRYPOINT');
  if (args === undefined) throw new Error('runtime stage has no ENTRYPOINT');
  const parsed: unknown = JSON.parse(args); // throws for shell form, which CAT cannot join reliably
  if (!Array.isArray(parsed) || !parsed.every((p): p is string => typeof p === 'string')) {
    throw new Error(`ENTRYPOINT is not an exec-form string array: ${args}`);
  }
  return parsed;
}

/** `a/b/`, `./a/b` -> `a/b`; `./`, `.` -> `.` */
function normalizePath(p: string): string {
  const trimmed = p.replace(/^\.\//, '').replace(/\/+$/, '');
  return trimmed === '' || trimmed === '.' ? '.' : trimmed;
}

interface Copy {
  readonly from: string | undefined;
  readonly sources: string[];
  readonly target: string;
}

function copiesOf(stage: Stage): Copy[] {
  return argsOf(stage, 'COPY').map((args) => {
    const tokens = args.split(/\s+/);
    const from = tokens.map((t) => /^--from=(\S+)$/.exec(t)?.[1]).find((f) => f !== undefined);
    const paths = tokens.filter((t) => !t.startsWith('--'));
    return {
      from,
      sources: paths.slice(0, -1).map(normalizePath),
      target: normalizePath(paths.at(-1) ?? ''),
    };
  });
}

/**
 * Where (relative to its WORKDIR) the runtime stage puts `source`: a path relative to a build stage's WORKDIR
 * when `fromBuild`, else a path in the build context. Undefined when it does not copy it.
 */
function copyTarget(stages: Stage[], source: string, fromBuild: boolean): string | undefined {
  const builds = stages.slice(0, -1);
  const buildPath = (name: string): string | undefined => {
    const index = builds.findIndex((s, idx) => s.name === name || String(idx) === name);
    const workdir = builds[index] === undefined ? undefined : lastArgs(builds[index], 'WORKDIR');
    return workdir === undefined ? undefined : `${workdir.replace(/\/+$/, '')}/${source}`;
  };
  const copy = copiesOf(runtimeStageOf(stages)).find((c) =>
    fromBuild
      ? c.from !== undefined && c.sources.some((s) => s === buildPath(c.from ?? ''))
      : c.from === undefined && c.sources.includes(source),
  );
  return copy?.target;
}

/** A file name pattern with `*` and `?` (COPY sources, .dockerignore lines) as a regular expression body. */
function globBody(pattern: string): string {
  return pattern
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => {
      if (part.startsWith('**')) return '(?:.*/)?';
      if (part === '*') return '[^/]*';
      if (part === '?') return '[^/]';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
}

const globRegExp = (pattern: string): RegExp => new RegExp(`^${globBody(pattern)}$`);

/** Every file the Dockerfile's stages COPY from the build context, by COPY source. */
function contextFiles(stages: Stage[]): Map<string, string[]> {
  const walk = (rel: string): string[] =>
    statSync(path.join(ROOT, rel)).isDirectory()
      ? readdirSync(path.join(ROOT, rel)).flatMap((name) => walk(`${rel}/${name}`))
      : [rel];
  const files = new Map<string, string[]>();
  for (const copy of stages.flatMap(copiesOf).filter((c) => c.from === undefined)) {
    for (const source of copy.sources) {
      const dir = path.posix.dirname(source);
      const base = path.posix.basename(source);
      const matches = /[*?]/.test(base)
        ? readdirSync(path.join(ROOT, dir))
            .filter((name) => globRegExp(base).test(name))
            .map((name) => (dir === '.' ? name : `${dir}/${name}`))
        : [source].filter((s) => existsSync(path.join(ROOT, s)));
      files.set(source, matches.flatMap(walk));
    }
  }
  return files;
}

/**
 * Whether `.dockerignore` keeps `file` out of the build context: the last matching line wins, a `!` line takes a
 * path back, and a pattern matching a folder matches what is inside it. Covers `*`, `**` and `?` only.
 */
function dockerIgnores(ignoreFile: string, file: string): boolean {
  const toRegExp = (pattern: string): RegExp =>
    new RegExp(`^${globBody(pattern.replace(/\/+$/, ''))}(?:/.*)?$`);
  let ignored = false;
  for (const raw of ignoreFile.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (toRegExp(negated ? line.slice(1) : line).test(file)) ignored = !negated;
  }
  return ignored;
}

/**
 * The workspaces a `RUN npm run build -w <name>` / `npx tsc -p tsconfig.build.json` (`root`) / `npm run build`
 * (`all`) of the build stages compiles, in order.
 */
function builtWorkspaces(stages: Stage[]): string[] {
  const runs = stages.slice(0, -1).flatMap((s) => argsOf(s, 'RUN'));
  const re = /\bnpm run build(?:\s+(?:-w|--workspace)(?:=|\s+)(\S+))?|\btsc\s+-p\s+(\S+)/g;
  return runs.flatMap((run) =>
    [...run.matchAll(re)].map((m) => {
      if (m[2] !== undefined) return m[2] === 'tsconfig.build.json' ? 'root' : `tsc -p ${m[2]}`;
      return m[1] ?? 'all';
    }),
  );
}

/** The runtime stage's `npm ci`: the workspaces it installs, whether it includes the root's, its other flags. */
function runtimeInstall(stages: Stage[]): { workspaces: string[]; root: boolean; flags: string[] } {
  const runtime = runtimeStageOf(stages);
  const installs = argsOf(runtime, 'RUN').flatMap((r) => [...r.matchAll(/\bnpm ci\b([^&|;]*)/g)]);
  expect(installs, 'one npm ci in the runtime stage').toHaveLength(1);
  const flags = (installs[0]?.[1] ?? '').trim().split(/\s+/);
  return {
    workspaces: flags.flatMap((f) => /^--workspace=(\S+)$/.exec(f)?.[1] ?? []).sort(),
    root: flags.includes('--include-workspace-root'),
    flags,
  };
}

// ---------------------------------------------------------------------------------------------------------
// metadata.yaml
// ---------------------------------------------------------------------------------------------------------

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

/** The project's YAML files, strictly: duplicate keys and bad indentation throw instead of being misread. */
export function parseYaml(text: string): Yaml {
  return parse(text, { uniqueKeys: true, strict: true }) as Yaml;
}

export function asMap(value: Yaml | undefined, what: string): { [key: string]: Yaml } {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} is not a mapping`);
  }
  return value;
}

export function asList(value: Yaml | undefined, what: string): Yaml[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const REQUIRED_DATA_KEYS = [
  'name',
  'definitionId',
  'connectorType',
  'dockerRepository',
  'dockerImageTag',
  'license',
  'documentationUrl',
  'githubIssueLabel',
  'connectorSubtype',
  'releaseStage',
] as const;
// Every key ConnectorMetadataDefinitionV0 allows under `data` (additionalProperties: false).
const ALLOWED_DATA_KEYS = new Set<string>([
  ...REQUIRED_DATA_KEYS,
  'icon',
  'connectorBuildOptions',
  'connectorTestSuitesOptions',
  'supportsDbt',
  'supportsNormalization',
  'externalDocumentationUrls',
  'maxSecondsBetweenMessages',
  'releaseDate',
  'protocolVersion',
  'erdUrl',
  'supportLevel',
  'tags',
  'registryOverrides',
  'allowedHosts',
  'releases',
  'normalizationConfig',
  'suggestedStreams',
  'resourceRequirements',
  'ab_internal',
  'remoteRegistries',
  'connectorIPCOptions',
  'generated',
  'supportsFileTransfer',
  'supportsDataActivation',
  'supportsRefreshes',
]);

// ---------------------------------------------------------------------------------------------------------
// A connector's packaging: its Dockerfile (built with the repository root as context), the ignore file of that
// build, its metadata.yaml and package.json.
// ---------------------------------------------------------------------------------------------------------

type YamlMap = { [key: string]: Yaml };

export interface Connector {
  readonly dockerfilePath: string;
  readonly dockerfile: string;
  readonly stages: Stage[];
  readonly runtime: Stage;
  /** `<Dockerfile>.dockerignore` beside the Dockerfile when there is one (BuildKit, buildah), else `.dockerignore`. */
  readonly ignoreFilePath: string;
  readonly metadata: YamlMap;
  readonly data: YamlMap;
  readonly packageJson: {
    name?: unknown;
    version?: unknown;
    license?: unknown;
    engines?: { node?: unknown };
    scripts?: Record<string, string>;
  };
  /** Whether the build context leaves `file` out. */
  ignores(file: string): boolean;
  workdir(): string | undefined;
  entrypoint(): string[];
  /** The runtime stage's ENV variables. */
  env(): Map<string, string>;
  /** See copyTarget. */
  copyTarget(source: string, fromBuild: boolean): string | undefined;
  /** See builtWorkspaces. */
  built(): string[];
  /** See runtimeInstall. */
  install(): { workspaces: string[]; root: boolean; flags: string[] };
  allowedHosts(): Yaml[];
}

/** The connector whose Dockerfile, metadata.yaml and package.json are in `dir` (`.`: the source). */
export function readConnector(dir: string): Connector {
  const at = (name: string): string => (dir === '.' ? name : `${dir}/${name}`);
  const stages = parseDockerfile(readText(at('Dockerfile')));
  const ignoreFilePath = existsSync(path.join(ROOT, at('Dockerfile.dockerignore')))
    ? at('Dockerfile.dockerignore')
    : '.dockerignore';
  const ignoreFile = readText(ignoreFilePath);
  const metadata = asMap(parseYaml(readText(at('metadata.yaml'))), at('metadata.yaml'));
  const data = asMap(metadata.data, `${at('metadata.yaml')} data`);
  return {
    dockerfilePath: at('Dockerfile'),
    dockerfile: readText(at('Dockerfile')),
    stages,
    runtime: runtimeStageOf(stages),
    ignoreFilePath,
    metadata,
    data,
    packageJson: JSON.parse(readText(at('package.json'))) as Connector['packageJson'],
    ignores: (file) => dockerIgnores(ignoreFile, file),
    workdir: () => lastArgs(runtimeStageOf(stages), 'WORKDIR'),
    entrypoint: () => entrypointOf(runtimeStageOf(stages)),
    env: () => collectPairs(runtimeStageOf(stages), 'ENV'),
    copyTarget: (source, fromBuild) => copyTarget(stages, source, fromBuild),
    built: () => builtWorkspaces(stages),
    install: () => runtimeInstall(stages),
    allowedHosts: () => asList(asMap(data.allowedHosts, 'allowedHosts').hosts, 'allowedHosts.hosts'),
  };
}

/**
 * The tests every connector image must pass, in the enclosing describe: what CAT checks on the built image
 * (test_image_labels, test_image_environment_variables) and what Airbyte needs of it.
 */
export function itIsAnAirbyteImage(connector: Connector): void {
  const { stages, runtime } = connector;

  it('builds and runs on the exact Node 24 release the suite also runs on (npm run test:node24)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const scripts = (JSON.parse(readText('package.json')) as Connector['packageJson']).scripts;
    const tested = /\bnode@(24\.\d+\.\d+)\b/.exec(scripts?.['test:node24'] ?? '')?.[1];
    expect(tested, 'test:node24 pins an exact node@24 release').toBeDefined();
    // A digest may follow the tag once one can be resolved (docker buildx imagetools inspect).
    for (const stage of stages)
      expect(stage.image).toMatch(new RegExp(`^node:${tested}-slim(?:@sha256:[0-9a-f]{64})?$`));
  });

  it('leaves /airbyte writable for the user the image runs as', () => {
    const user = lastArgs(runtime, 'USER');
    const runs = argsOf(runtime, 'RUN');
    expect(runs.some((r) => new RegExp(`\\bchown ${user}(?::${user})? /airbyte\\b`).test(r))).toBe(true);
  });

  it('sets AIRBYTE_ENTRYPOINT to the exec-form ENTRYPOINT joined by single spaces', () => {
    const ep = connector.entrypoint();
    expect(ep.length).toBeGreaterThan(0);
    expect(collectPairs(runtime, 'ENV').get('AIRBYTE_ENTRYPOINT')).toBe(ep.join(' '));
  });

  it('labels the image with metadata.yaml dockerRepository and dockerImageTag (= package.json version)', () => {
    const labels = collectPairs(runtime, 'LABEL');
    expect(labels.get('io.airbyte.name')).toBe(connector.data.dockerRepository);
    expect(labels.get('io.airbyte.version')).toBe(connector.data.dockerImageTag);
    expect(labels.get('io.airbyte.version')).toBe(connector.packageJson.version);
  });

  it('installs production dependencies only in the runtime stage', () => {
    expect(connector.install().flags).toContain('--omit=dev');
    expect(collectPairs(runtime, 'ENV').get('NODE_ENV')).toBe('production');
  });

  it('runs as a non-root user', () => {
    const user = lastArgs(runtime, 'USER');
    expect(user).toBeDefined();
    expect(['root', '0', '0:0', 'root:root']).not.toContain(user);
  });

  it('has every file it copies from the context in the context', () => {
    // What the ignore file leaves out everywhere (its `**` lines: node_modules, dist, secrets, .DS_Store) aside.
    const everywhere = readText(connector.ignoreFilePath)
      .split(/\r?\n/)
      .filter((line) => line.trim().startsWith('**/'))
      .join('\n');
    for (const [source, files] of contextFiles(stages)) {
      const wanted = files.filter((file) => !dockerIgnores(everywhere, file));
      expect(wanted.length, `COPY ${source} names files of the repository`).toBeGreaterThan(0);
      expect(
        wanted.filter((file) => connector.ignores(file)),
        `COPY ${source}`,
      ).toEqual([]);
    }
  });
}

/** The tests every connector's metadata.yaml must pass (ConnectorMetadataDefinitionV0), in the enclosing describe. */
export function itHasSchemaValidMetadata(connector: Connector): void {
  const { metadata, data } = connector;

  it('uses metadata spec 1.0 and only keys the v0 schema allows', () => {
    expect(metadata.metadataSpecVersion).toBe('1.0');
    expect(Object.keys(metadata).sort()).toEqual(['data', 'metadataSpecVersion']);
    const unknown = Object.keys(data).filter((k) => !ALLOWED_DATA_KEYS.has(k));
    expect(unknown).toEqual([]);
  });

  it('has every required data key as a non-empty string', () => {
    for (const key of REQUIRED_DATA_KEYS) {
      expect(typeof data[key], key).toBe('string');
      expect(String(data[key]).length, key).toBeGreaterThan(0);
    }
  });

  it('has a UUID definitionId', () => {
    expect(data.definitionId).toMatch(UUID_RE);
  });

  it('has schema-valid enum values', () => {
    expect(['alpha', 'beta', 'generally_available', 'custom']).toContain(data.releaseStage);
    if (data.supportLevel !== undefined)
      expect(['community', 'certified', 'archived']).toContain(data.supportLevel);
  });

  it('has a valid https documentationUrl and a yyyy-mm-dd releaseDate', () => {
    expect(new URL(String(data.documentationUrl)).protocol).toBe('https:');
    if (data.releaseDate !== undefined) expect(data.releaseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (data.maxSecondsBetweenMessages !== undefined) {
      expect(Number.isInteger(data.maxSecondsBetweenMessages)).toBe(true);
    }
  });
}
