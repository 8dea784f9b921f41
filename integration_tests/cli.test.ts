// --help and --version are for people at a terminal: plain text and exit 0, never a protocol ERROR trace.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CONNECTOR, ROOT } from './harness.js';

function runCli(args: string[]) {
  const result = spawnSync(process.execPath, [CONNECTOR, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

test.each([['--help'], ['-h'], ['read', '--help']])('%s prints the usage and exits 0', (...args) => {
  const result = runCli(args);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/source-customer-io/);
  expect(result.stdout).toMatch(/--config/);
  expect(result.stdout).not.toMatch(/"type"\s*:\s*"TRACE"/);
  expect(result.stderr).toBe('');
});

test('--version prints the package version and exits 0', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const result = runCli(['--version']);
  expect(result.status).toBe(0);
  expect(result.stdout.trim()).toBe(version);
  expect(result.stderr).toBe('');
});

test('a mistyped command is still a usage error with an ERROR trace', () => {
  const result = runCli(['bogus']);
  expect(result.status).toBe(2);
  expect(result.stdout).toMatch(/"failure_type":"config_error"/);
});
