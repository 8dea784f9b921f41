// Packaging consistency: Dockerfile, metadata.yaml, the acceptance-test config and the configured catalog
// must agree with each other and with what the Connector Acceptance Tests check on the built image
// (test_image_labels, test_image_environment_variables). Nothing here needs Docker.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DOCUMENTATION_URL } from '../src/spec.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const readText = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');

// ---------------------------------------------------------------------------------------------------------
// Minimal Dockerfile reader: continuation lines, comments, stages, ENV/LABEL key=value pairs, exec-form JSON.
// ---------------------------------------------------------------------------------------------------------

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
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

function lastArgs(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
}

/**
 * Whether `.dockerignore` keeps `file` out of the build context: the last matching line wins, a `!` line takes a
 * path back, and a pattern matching a folder matches what is inside it. Covers `*`, `**` and `?` only.
 */
function dockerIgnores(ignoreFile: string, file: string): boolean {
  const toRegExp = (pattern: string): RegExp => {
    const body = pattern
      .replace(/\/+$/, '')
      .split(/(\*\*\/?|\*|\?)/)
      .map((part) => {
        if (part.startsWith('**')) return '(?:.*/)?';
        if (part === '*') return '[^/]*';
        if (part === '?') return '[^/]';
        return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    return new RegExp(`^${body}(?:/.*)?$`);
  };
  let ignored = false;
  for (const raw of ignoreFile.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (toRegExp(negated ? line.slice(1) : line).test(file)) ignored = !negated;
  }
  return ignored;
}

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

/** The project's YAML files, strictly: duplicate keys and bad indentation throw instead of being misread. */
function parseYaml(text: string): Yaml {
  return parse(text, { uniqueKeys: true, strict: true }) as Yaml;
}

function asMap(value: Yaml | undefined, what: string): { [key: string]: Yaml } {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} is not a mapping`);
  }
  return value;
}

function asList(value: Yaml | undefined, what: string): Yaml[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------

const OFFICIAL_DEFINITION_ID = '34f697bc-b989-4eda-b06f-d0f39b88825b';
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

const stages = parseDockerfile(readText('Dockerfile'));
const runtime = stages.at(-1);
const metadata = asMap(parseYaml(readText('metadata.yaml')), 'metadata.yaml');
const data = asMap(metadata.data, 'metadata.yaml data');
const packageJson = JSON.parse(readText('package.json')) as {
  version?: unknown;
  license?: unknown;
  engines?: { node?: unknown };
  scripts?: Record<string, string>;
};

interface ConfiguredCatalog {
  streams: {
    stream: { name: string; supported_sync_modes: string[]; source_defined_primary_key?: string[][] };
    sync_mode: string;
    destination_sync_mode: string;
  }[];
}
const catalog = JSON.parse(readText('integration_tests/configured_catalog.json')) as ConfiguredCatalog;

function runtimeStage(): Stage {
  if (!runtime) throw new Error('Dockerfile has no FROM');
  return runtime;
}

function entrypoint(): string[] {
  const args = lastArgs(runtimeStage(), 'ENTRYPOINT');
  if (args === undefined) throw new Error('runtime stage has no ENTRYPOINT');
  const parsed: unknown = JSON.parse(args); // throws for shell form, which CAT cannot join reliably
  if (!Array.isArray(parsed) || !parsed.every((p): p is string => typeof p === 'string')) {
    throw new Error(`ENTRYPOINT is not an exec-form string array: ${args}`);
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

describe('Dockerfile', () => {
  it('builds and runs on the exact Node 24 release the suite also runs on (npm run test:node24)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const tested = /\bnode@(24\.\d+\.\d+)\b/.exec(packageJson.scripts?.['test:node24'] ?? '')?.[1];
    expect(tested, 'test:node24 pins an exact node@24 release').toBeDefined();
    // A digest may follow the tag once one can be resolved (docker buildx imagetools inspect).
    for (const stage of stages)
      expect(stage.image).toMatch(new RegExp(`^node:${tested}-slim(?:@sha256:[0-9a-f]{64})?$`));
  });

  it('leaves /airbyte writable for the user the image runs as', () => {
    const user = lastArgs(runtimeStage(), 'USER');
    const runs = runtimeStage()
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(runs.some((r) => new RegExp(`\\bchown ${user}(?::${user})? /airbyte\\b`).test(r))).toBe(true);
  });

  it('sets AIRBYTE_ENTRYPOINT to the exec-form ENTRYPOINT joined by single spaces', () => {
    const env = collectPairs(runtimeStage(), 'ENV');
    const ep = entrypoint();
    expect(ep.length).toBeGreaterThan(0);
    expect(env.get('AIRBYTE_ENTRYPOINT')).toBe(ep.join(' '));
  });

  it('runs dist/main.js from the working directory', () => {
    const workdir = lastArgs(runtimeStage(), 'WORKDIR');
    expect(workdir).toBe('/airbyte/integration_code');
    expect(entrypoint()).toEqual(['node', `${workdir}/dist/main.js`]);
  });

  it('labels the image with metadata.yaml dockerRepository and dockerImageTag (= package.json version)', () => {
    const labels = collectPairs(runtimeStage(), 'LABEL');
    expect(labels.get('io.airbyte.name')).toBe(data.dockerRepository);
    expect(labels.get('io.airbyte.version')).toBe(data.dockerImageTag);
    expect(labels.get('io.airbyte.version')).toBe(packageJson.version);
  });

  it('installs production dependencies only in the runtime stage', () => {
    const runs = runtimeStage()
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b[^&|;]*--omit=dev\b/.test(r))).toBe(true);
    expect(collectPairs(runtimeStage(), 'ENV').get('NODE_ENV')).toBe('production');
  });

  it('copies dist/ from the build stage and schemas/ from the context', () => {
    const copies = runtimeStage()
      .instructions.filter((i) => i.keyword === 'COPY')
      .map((i) => i.args);
    const buildNames = new Set(
      stages.slice(0, -1).flatMap((s, idx) => (s.name === undefined ? [String(idx)] : [s.name, String(idx)])),
    );
    const distCopy = copies.find((c) => /(^|\s)\S*\/dist\/?\s/.test(c) && /--from=(\S+)/.test(c));
    expect(distCopy, 'COPY --from=<build stage> …/dist').toBeDefined();
    expect(buildNames.has(/--from=(\S+)/.exec(distCopy ?? '')?.[1] ?? '')).toBe(true);
    expect(
      copies.some((c) => !c.includes('--from=') && /(^|\s)\.?\/?schemas\/?\s+\S*schemas\/?$/.test(c)),
    ).toBe(true);
  });

  it('runs as a non-root user', () => {
    const user = lastArgs(runtimeStage(), 'USER');
    expect(user).toBeDefined();
    expect(['root', '0', '0:0', 'root:root']).not.toContain(user);
  });

  it('sends only what the build needs as context: no local output, secrets or dependencies', () => {
    const ignore = readText('.dockerignore');
    for (const kept of [
      'package.json',
      'package-lock.json',
      'LICENSE',
      'tsconfig.json',
      'tsconfig.build.json',
      'src/main.ts',
    ]) {
      expect(dockerIgnores(ignore, kept), kept).toBe(false);
    }
    expect(dockerIgnores(ignore, 'schemas/campaigns.json')).toBe(false);
    for (const left of [
      '.demo/read-output.jsonl',
      '.bench-tmp/x',
      'secrets/config.json',
      'node_modules/axios/index.js',
      'src/node_modules/x.js',
      'dist/main.js',
      '.git/HEAD',
      'coverage/index.html',
      '.ci-test-report.json',
      'integration_tests/harness.ts',
      'README.md',
    ]) {
      expect(dockerIgnores(ignore, left), left).toBe(true);
    }
  });
});

describe('metadata.yaml', () => {
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

  it('has its own definitionId UUID, not the official connector one', () => {
    expect(data.definitionId).toMatch(UUID_RE);
    expect(String(data.definitionId).toLowerCase()).not.toBe(OFFICIAL_DEFINITION_ID);
  });

  it('describes an api source with schema-valid enum values', () => {
    expect(data.connectorType).toBe('source');
    expect(data.connectorSubtype).toBe('api');
    expect(['alpha', 'beta', 'generally_available', 'custom']).toContain(data.releaseStage);
    if (data.supportLevel !== undefined)
      expect(['community', 'certified', 'archived']).toContain(data.supportLevel);
  });

  it('has a valid https documentationUrl and a yyyy-mm-dd releaseDate', () => {
    expect(new URL(String(data.documentationUrl)).protocol).toBe('https:');
    expect(data.documentationUrl).toBe(DOCUMENTATION_URL);
    if (data.releaseDate !== undefined) expect(data.releaseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (data.maxSecondsBetweenMessages !== undefined) {
      expect(Number.isInteger(data.maxSecondsBetweenMessages)).toBe(true);
    }
  });

  it('allows both Customer.io App API hosts (US and EU)', () => {
    const hosts = asList(asMap(data.allowedHosts, 'allowedHosts').hosts, 'allowedHosts.hosts');
    expect(hosts).toContain('api.customer.io');
    expect(hosts).toContain('api-eu.customer.io');
  });

  it('only suggests streams that exist in the configured catalog', () => {
    if (data.suggestedStreams === undefined) return;
    const suggested = asList(
      asMap(data.suggestedStreams, 'suggestedStreams').streams,
      'suggestedStreams.streams',
    );
    const names = catalog.streams.map((s) => s.stream.name);
    for (const s of suggested) expect(names).toContain(s);
  });
});

describe('integration_tests', () => {
  it('configured catalog streams each have schemas/<name>.json declaring their primary key fields', () => {
    expect(catalog.streams.length).toBeGreaterThan(0);
    for (const { stream } of catalog.streams) {
      const file = path.join(ROOT, 'schemas', `${stream.name}.json`);
      expect(existsSync(file), `schemas/${stream.name}.json`).toBe(true);
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties?: Record<string, unknown> };
      for (const keyPath of stream.source_defined_primary_key ?? []) {
        expect(
          Object.keys(schema.properties ?? {}),
          `${stream.name} primary key ${keyPath.join('.')}`,
        ).toContain(keyPath[0]);
      }
    }
  });

  it('configured catalog stream sync modes are consistent', () => {
    const names = catalog.streams.map((s) => s.stream.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of catalog.streams) {
      expect(s.stream.supported_sync_modes).toContain(s.sync_mode);
      expect(['append', 'overwrite', 'append_dedup', 'update', 'soft_delete']).toContain(
        s.destination_sync_mode,
      );
    }
  });

  it('acceptance-test-config targets the :dev image and declares all six suites', () => {
    const cat = asMap(
      parseYaml(readText('integration_tests/acceptance-test-config.yml')),
      'acceptance-test-config',
    );
    expect(cat.connector_image).toBe(`${String(data.dockerRepository)}:dev`);
    expect(cat.test_strictness_level).toBe('high');
    const suites = asMap(cat.acceptance_tests, 'acceptance_tests');
    for (const suite of ['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental']) {
      const body = asMap(suites[suite], suite);
      const declared = Array.isArray(body.tests) || typeof body.bypass_reason === 'string';
      expect(declared, `${suite} has tests or a bypass_reason`).toBe(true);
    }
    // high strictness forbids a custom catalog in basic_read and requires expect_records
    for (const t of asList(asMap(suites.basic_read, 'basic_read').tests, 'basic_read.tests')) {
      const test = asMap(t, 'basic_read test');
      expect(test.configured_catalog_path).toBeUndefined();
      expect(asMap(test.expect_records, 'expect_records').path).toBe(
        'integration_tests/expected_records.jsonl',
      );
    }
    for (const t of asList(asMap(suites.full_refresh, 'full_refresh').tests, 'full_refresh.tests')) {
      const catalogPath = String(asMap(t, 'full_refresh test').configured_catalog_path);
      expect(existsSync(path.join(ROOT, catalogPath)), catalogPath).toBe(true);
    }
  });

  it('ships sample and invalid configs for the connection suite', () => {
    const sample = JSON.parse(readText('integration_tests/sample_config.json')) as Record<string, unknown>;
    const invalid = JSON.parse(readText('integration_tests/invalid_config.json')) as Record<string, unknown>;
    expect(typeof sample.app_api_key).toBe('string');
    expect(typeof invalid.app_api_key).toBe('string');
  });
});

describe('project basics', () => {
  it('has a LICENSE of the licence package.json and metadata.yaml name', () => {
    expect(packageJson.license).toBe('MIT');
    expect(data.license).toBe(packageJson.license);
    expect(readText('LICENSE')).toMatch(/^MIT License\n/);
  });

  it('declares the Node majors it is tested on: 20 (npm test) and 24 (npm run test:node24, the image)', () => {
    const range = String(packageJson.engines?.node);
    expect(range).toMatch(/\^20\.19\.0/);
    expect(range).toMatch(/>=24\.0\.0/);
  });

  it('points every documentationUrl at a docs page that exists in this repository', () => {
    const spec = JSON.parse(readText('integration_tests/spec.json')) as { documentationUrl?: unknown };
    expect(spec.documentationUrl).toBe(DOCUMENTATION_URL);
    const page = /\/blob\/main\/(.+)$/.exec(new URL(DOCUMENTATION_URL).pathname)?.[1];
    expect(page).toBeDefined();
    expect(existsSync(path.join(ROOT, page ?? '')), page).toBe(true);
  });
});

describe('README', () => {
  const readme = readText('README.md');
  const headings = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1] ?? '');

  it('leads with the job: what it is, the two commands, Airbyte OSS, configuration, streams, troubleshooting', () => {
    const order = ['Quick start', 'Use it in Airbyte OSS', 'Configuration', 'Streams', 'Troubleshooting'];
    const positions = order.map((title) => headings.indexOf(title));
    expect(
      positions.every((position) => position >= 0),
      headings.join(' | '),
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions[0]).toBe(0);
  });

  it('shows how to build the image for Airbyte and how to try the CLI against the simulator', () => {
    expect(readme).toContain('docker buildx build --platform linux/amd64');
    expect(readme).toContain('integration_tests/simulator_config.json');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it('names every config field and every stream', () => {
    const spec = JSON.parse(readText('integration_tests/spec.json')) as {
      connectionSpecification: { properties: Record<string, unknown> };
    };
    for (const field of Object.keys(spec.connectionSpecification.properties)) {
      expect(readme, field).toContain(`\`${field}\``);
    }
    const streams = readdirSync(path.join(ROOT, 'schemas')).map((name) => name.replace(/\.json$/, ''));
    for (const stream of streams) expect(readme, stream).toContain(`| \`${stream}\` |`);
  });

  it('links only to docs pages that exist', () => {
    for (const [, target] of readme.matchAll(/\]\((docs\/[^)#]+)/g)) {
      expect(existsSync(path.join(ROOT, target ?? '')), target).toBe(true);
    }
  });
});

describe('YAML reading', () => {
  it('reads what the project files use', () => {
    const doc = parseYaml(
      [
        'a: "1.0" # comment',
        'b:',
        '  c: https://x.test/#frag',
        '  d:',
        '    - e',
        '    - f:g',
        '  h:',
        '  - k: 1',
        '    l: no',
        '  - m',
        'n: []',
        "o: 'it''s'",
        'p: "a #b"',
      ].join('\n'),
    );
    expect(doc).toEqual({
      a: '1.0',
      b: { c: 'https://x.test/#frag', d: ['e', 'f:g'], h: [{ k: 1, l: 'no' }, 'm'] },
      n: [],
      o: "it's",
      p: 'a #b',
    });
  });

  it('rejects a misindented or duplicated key instead of misreading it', () => {
    expect(() => parseYaml('a:\n  b: 1\n c: 2')).toThrow();
    expect(() => parseYaml('a: 1\na: 2')).toThrow();
  });
});
