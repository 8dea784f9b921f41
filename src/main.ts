#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asConnectorError, ConfigError, type ConnectorError, UsageError } from './errors.js';
import { Emitter } from './protocol.js';
import { check, discover, read, spec } from './source.js';
import { tuningFromEnv } from './tuning.js';

/**
 * The CLI's emitter: each ERROR trace also goes to stderr as the same one line (masked), for whoever reads the
 * terminal or the platform's logs. stdout stays protocol only.
 */
class CliEmitter extends Emitter {
  override error(...args: Parameters<Emitter['error']>): Promise<void> {
    const [message] = args;
    process.stderr.write(`${this.mask(message.replace(/\s*\n\s*/g, ' '))}\n`);
    return super.error(...args);
  }
}

const emitter = new CliEmitter(process.stdout, {
  verifyRecordTexts: tuningFromEnv(process.env).verifyRecordTexts === 1,
});

function readFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${flag} file not found: ${path}`
        : `${flag} file cannot be read (${code ?? 'error'}): ${path}`,
    );
  }
}

/** Registers the key as a secret even when the file is not valid JSON, so no later message can echo it. */
function maskKeyIn(text: string): void {
  for (const match of text.matchAll(/"app_api_key"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) {
    const key = match[1] ?? '';
    emitter.addSecret(key);
    emitter.addSecret(key.trim());
  }
}

function readJson(path: string, flag: string, what: string): unknown {
  const text = readFile(path, flag);
  if (flag === '--config') maskKeyIn(text);
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`The ${what} file ${path} is not valid JSON: fix its syntax.`);
  }
}

async function fail(error: ConnectorError, exitCode: number): Promise<void> {
  process.exitCode = exitCode;
  await emitter.error(error.message, error.failureType, { internal: error.internalMessage });
}

async function run(
  command: string,
  argv: { config?: string | undefined; catalog?: string | undefined; state?: string | undefined },
): Promise<void> {
  try {
    switch (command) {
      case 'spec':
        return await spec(emitter);
      case 'check':
        // A missing or unreadable config is reported by check itself: CONNECTION_STATUS FAILED, exit 0.
        return await check(
          () => readJson(argv.config ?? '', '--config', 'config'),
          emitter,
          tuningFromEnv(process.env),
        );
      case 'discover':
        return await discover(readJson(argv.config ?? '', '--config', 'config'), emitter);
      case 'read': {
        const config = readJson(argv.config ?? '', '--config', 'config');
        const catalog = readJson(argv.catalog ?? '', '--catalog', 'catalog');
        const state = argv.state === undefined ? undefined : readFile(argv.state, '--state');
        const ok = await read(config, catalog, state, emitter, tuningFromEnv(process.env));
        if (!ok) process.exitCode = 1;
        return;
      }
    }
  } catch (error) {
    const failure = asConnectorError(error);
    await fail(failure, failure instanceof UsageError ? 2 : 1);
  } finally {
    await emitter.flush();
  }
}

process.on('uncaughtException', (error) => {
  if (emitter.closed) process.exit(process.exitCode ?? 1);
  void fail(asConnectorError(error), 1).finally(() => process.exit(1));
});

// The reader closed stdout (`read | head`, or the platform went away): nobody is listening, so stop quietly.
emitter.onClosed((error) => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EPIPE') process.stderr.write(`stdout failed (${code ?? error.message}); stopping.\n`);
  process.exit(code === 'EPIPE' ? 0 : 1);
});

/** How long a stop signal waits for output already written to reach a slow reader. */
const STOP_GRACE_MS = 10_000;

// Stop promptly, ending the output on a whole line: nothing new is written, and what was already handed to
// stdout gets a short grace to go out.
for (const [signal, number] of [
  ['SIGTERM', 15],
  ['SIGINT', 2],
] as const) {
  process.once(signal, () => {
    setTimeout(() => process.exit(128 + number), STOP_GRACE_MS).unref();
    void emitter.close().then(() => process.exit(128 + number));
  });
}

/** The version in package.json, which ships beside dist/ (in the image too). */
function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version);
}

const configOption = { type: 'string', demandOption: true, describe: 'path to the config JSON' } as const;

await yargs(hideBin(process.argv))
  .scriptName('source-customer-io')
  .usage('Usage: $0 <spec|check|discover|read> [--config FILE] [--catalog FILE] [--state FILE]')
  .command('spec', 'print the connector specification', {}, () => run('spec', {}))
  .command('check', 'check the connection', { config: configOption }, (argv) => run('check', argv))
  .command('discover', 'print the catalog of streams', { config: configOption }, (argv) =>
    run('discover', argv),
  )
  .command(
    'read',
    'read records',
    {
      config: configOption,
      catalog: { type: 'string', demandOption: true, describe: 'path to the configured catalog JSON' },
      state: { type: 'string', describe: 'path to the state JSON' },
    },
    (argv) => run('read', argv),
  )
  .option('debug', { type: 'boolean', describe: 'accepted for Airbyte compatibility' })
  .demandCommand(1, 1, 'Give one command: spec, check, discover or read.')
  .strict()
  .help()
  .alias('help', 'h')
  .version(packageVersion())
  .fail((message, error) => {
    // A command that failed (not a command-line mistake): run() already reported what it could.
    if (!message && error) {
      void fail(asConnectorError(error), 1).finally(() => process.exit(1));
      return;
    }
    const text = message || 'invalid arguments';
    // Synchronous exit: yargs would otherwise go on to run the command. stdout pipes are written synchronously.
    void fail(
      new UsageError(
        `${text.split('\n')[0]} Usage: source-customer-io <spec|check|discover|read> --config FILE [--catalog FILE] [--state FILE]`,
      ),
      2,
    );
    process.exit(2);
  })
  .parseAsync();
