// Packaging consistency of the destination: destination/Dockerfile (built with the repository root as context),
// the ignore file of that build and destination/metadata.yaml must agree with each other, with the destination's
// package.json and spec, and with what the Connector Acceptance Tests check on the built image (test_image_labels,
// test_image_environment_variables). Nothing here needs Docker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  itHasSchemaValidMetadata,
  itIsAnAirbyteImage,
  ROOT,
  readConnector,
  readText,
} from '../../test/dockerfile.js';
import { APP_HOSTS, DOCUMENTATION_URL, TRACK_HOSTS } from '../src/spec.js';

const destination = readConnector('destination');
const source = readConnector('.');
const { data, packageJson } = destination;

describe('destination/Dockerfile', () => {
  itIsAnAirbyteImage(destination);

  it('says how to build it: from the repository root, naming the Dockerfile', () => {
    expect(destination.dockerfile).toMatch(
      /^#\s+docker buildx build --platform linux\/amd64 -f destination\/Dockerfile .* \.$/m,
    );
  });

  it('runs destination/dist/main.js, with its package.json beside dist/ (the version it prints)', () => {
    const workdir = destination.workdir();
    expect(workdir).toBe('/airbyte/integration_code');
    expect(destination.copyTarget('destination/dist', true)).toBe('destination/dist');
    expect(destination.copyTarget('destination/package.json', false)).toBe('destination');
    expect(destination.entrypoint()).toEqual(['node', `${workdir}/destination/dist/main.js`]);
  });

  it("runs with a small young generation, as the bin's shebang does (peak RSS, see BENCHMARKS.md)", () => {
    expect(destination.env().get('NODE_OPTIONS')).toBe('--max-semi-space-size=4');
    expect(readText('destination/src/main.ts').split('\n')[0]).toBe(
      '#!/usr/bin/env -S node --max-semi-space-size=4',
    );
  });

  it('builds the shared kit workspace, then the destination, and not the source', () => {
    expect(destination.built()).toEqual(['kit', 'destination']);
  });

  it('installs the destination’s and kit’s production dependencies (with the kit link), not the root’s', () => {
    const install = destination.install();
    expect(install.workspaces).toEqual(['destination', 'kit']);
    expect(install.root).toBe(false);
  });

  it('copies kit/dist/ from the build stage, kit/package.json and the LICENSE from the context', () => {
    expect(destination.copyTarget('kit/dist', true)).toBe('kit/dist');
    expect(destination.copyTarget('kit/package.json', false)).toBe('kit');
    expect(destination.copyTarget('destination/LICENSE', false)).toBe('destination');
  });

  it('has an ignore file of its own for the repository-root context (the root one serves the source)', () => {
    expect(destination.ignoreFilePath).toBe('destination/Dockerfile.dockerignore');
  });

  it('sends only what the build needs as context: no local output, secrets, dependencies or source code', () => {
    const kept = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'kit/package.json',
      'kit/tsconfig.build.json',
      'kit/src/cli.ts',
      'destination/package.json',
      'destination/tsconfig.json',
      'destination/tsconfig.build.json',
      'destination/src/main.ts',
      'destination/LICENSE',
    ];
    const left = [
      'src/main.ts',
      'schemas/campaigns.json',
      'dist/main.js',
      'node_modules/axios/index.js',
      'kit/dist/cli.js',
      'kit/test/json.test.ts',
      'destination/dist/main.js',
      'destination/node_modules/x.js',
      'destination/src/node_modules/x.js',
      'destination/test/packaging.test.ts',
      'destination/integration_tests/harness.ts',
      'destination/README.md',
      'destination/metadata.yaml',
      'destination/secrets/config.json',
      'secrets/config.json',
      '.demo/read-output.jsonl',
      '.git/HEAD',
      'coverage/index.html',
      'README.md',
    ];
    expect(kept.filter((file) => destination.ignores(file))).toEqual([]);
    expect(left.filter((file) => !destination.ignores(file))).toEqual([]);
  });
});

describe('destination/metadata.yaml', () => {
  itHasSchemaValidMetadata(destination);

  it('has its own definitionId, not the source one', () => {
    expect(String(data.definitionId).toLowerCase()).not.toBe(String(source.data.definitionId).toLowerCase());
  });

  it('describes an api destination for data activation', () => {
    expect(data.connectorType).toBe('destination');
    expect(data.connectorSubtype).toBe('api');
    expect(data.supportsDataActivation).toBe(true);
    expect(data.suggestedStreams).toBeUndefined();
  });

  it('names its own image and the package as issue label', () => {
    expect(data.dockerRepository).toBe('airbyte/destination-customer-io-ts');
    expect(data.dockerRepository).not.toBe(source.data.dockerRepository);
    expect(data.githubIssueLabel).toBe(packageJson.name);
  });

  it('has the documentationUrl the spec has: destination/README.md of this repository', () => {
    expect(data.documentationUrl).toBe(DOCUMENTATION_URL);
    const page = /\/blob\/main\/(.+)$/.exec(new URL(DOCUMENTATION_URL).pathname)?.[1];
    expect(page).toBe('destination/README.md');
    expect(existsSync(path.join(ROOT, page ?? ''))).toBe(true);
  });

  it('allows exactly the Track and App API hosts the destination sends to (US and EU)', () => {
    const hosts = [...Object.values(TRACK_HOSTS), ...Object.values(APP_HOSTS)].map(
      (url) => new URL(url).hostname,
    );
    expect([...destination.allowedHosts()].sort()).toEqual(hosts.sort());
  });

  it('has the licence package.json names, shipped as destination/LICENSE (a copy of the root one)', () => {
    expect(packageJson.license).toBe('MIT');
    expect(data.license).toBe(packageJson.license);
    expect(readText('destination/LICENSE')).toBe(readText('LICENSE'));
  });
});
