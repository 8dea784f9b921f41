// Packaging consistency: Dockerfile, metadata.yaml, the acceptance-test config and the configured catalog
// must agree with each other and with what the Connector Acceptance Tests check on the built image
// (test_image_labels, test_image_environment_variables). Nothing here needs Docker.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCUMENTATION_URL } from '../src/spec.js';
import {
  asList,
  asMap,
  itHasSchemaValidMetadata,
  itIsAnAirbyteImage,
  parseYaml,
  ROOT,
  readConnector,
  readText,
} from './dockerfile.js';

// ---------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------

const OFFICIAL_DEFINITION_ID = '34f697bc-b989-4eda-b06f-d0f39b88825b';

const source = readConnector('.');
const { data, packageJson } = source;

interface ConfiguredCatalog {
  streams: {
    stream: { name: string; supported_sync_modes: string[]; source_defined_primary_key?: string[][] };
    sync_mode: string;
    destination_sync_mode: string;
  }[];
}
const catalog = JSON.parse(readText('integration_tests/configured_catalog.json')) as ConfiguredCatalog;

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

describe('Dockerfile', () => {
  itIsAnAirbyteImage(source);

  it('runs dist/main.js from the working directory', () => {
    const workdir = source.workdir();
    expect(workdir).toBe('/airbyte/integration_code');
    expect(source.entrypoint()).toEqual(['node', `${workdir}/dist/main.js`]);
  });

  it('builds the shared kit workspace, then the source, and not the destination', () => {
    expect(source.built()).toEqual(['kit', 'root']);
  });

  it('installs the root’s and kit’s production dependencies (with the kit link), not the destination’s', () => {
    const install = source.install();
    expect(install.workspaces).toEqual(['kit']);
    expect(install.root).toBe(true);
  });

  it('copies dist/ and kit/dist/ from the build stage, schemas/ and kit/package.json from the context', () => {
    expect(source.copyTarget('dist', true)).toBe('dist');
    expect(source.copyTarget('kit/dist', true)).toBe('kit/dist');
    expect(source.copyTarget('schemas', false)).toBe('schemas');
    expect(source.copyTarget('kit/package.json', false)).toBe('kit');
    expect(source.copyTarget('LICENSE', false)).toBe('.');
  });

  it('sends only what the build needs as context: no local output, secrets, dependencies or destination code', () => {
    expect(source.ignoreFilePath).toBe('.dockerignore');
    for (const kept of [
      'package.json',
      'package-lock.json',
      'LICENSE',
      'tsconfig.json',
      'tsconfig.build.json',
      'src/main.ts',
      'schemas/campaigns.json',
      'kit/package.json',
      'kit/tsconfig.build.json',
      'kit/src/cli.ts',
      'destination/package.json',
    ]) {
      expect(source.ignores(kept), kept).toBe(false);
    }
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
      'kit/dist/cli.js',
      'kit/node_modules/x.js',
      'kit/test/json.test.ts',
      'destination/src/main.ts',
      'destination/dist/main.js',
      'destination/Dockerfile',
      'destination/integration_tests/harness.ts',
    ]) {
      expect(source.ignores(left), left).toBe(true);
    }
  });
});

describe('metadata.yaml', () => {
  itHasSchemaValidMetadata(source);

  it('has its own definitionId, not the official connector one', () => {
    expect(String(data.definitionId).toLowerCase()).not.toBe(OFFICIAL_DEFINITION_ID);
  });

  it('describes an api source', () => {
    expect(data.connectorType).toBe('source');
    expect(data.connectorSubtype).toBe('api');
  });

  it('has the documentationUrl the spec has', () => {
    expect(data.documentationUrl).toBe(DOCUMENTATION_URL);
  });

  it('allows both Customer.io App API hosts (US and EU)', () => {
    const hosts = source.allowedHosts();
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
