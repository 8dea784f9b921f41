import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asConnectorError, ConfigError, type ConnectorError, UsageError } from './errors.js';
import { type JsonObject, jsonSyntaxPosition } from './json.js';
import { Emitter, type EmitterOptions } from './protocol.js';

/** A file option of a command: `--config`, `--catalog`, `--state`. */
export interface FileOption {
  describe: string;
  required: boolean;
}

/** What a command gets from the runner. */
export interface CommandContext {
  emitter: Emitter;
  /** The file options given, by name (`config`, `catalog`, `state`). */
  files: Readonly<Record<string, string | undefined>>;
  /** Reads a file option's file as text; a missing or unreadable file is a usage error naming it. */
  readText(option: string): string;
  /**
   * Reads a file option's file as JSON; invalid JSON is a config error naming the file. The config's secrets
   * (the spec's `airbyte_secret` fields) are masked from every later output, even when the file is not JSON.
   */
  readJson(option: string, what: string): unknown;
  /** Aborts on SIGTERM or SIGINT, for a command that stops by itself (`stopsGracefully`). */
  stopSignal: AbortSignal;
}

export interface CommandDefinition {
  name: string;
  describe: string;
  options?: Record<string, FileOption>;
  /** Resolves with the exit code when it resolves with a number (0 otherwise). */
  run(context: CommandContext): Promise<unknown>;
  /**
   * On SIGTERM or SIGINT, the runner aborts `stopSignal` and waits (up to a grace period) for the command to
   * end by itself, instead of stopping the output at once: a destination finishes what it has in flight and
   * echoes its last safe state.
   */
  stopsGracefully?: boolean;
}

export interface ConnectorCli {
  /** The command's name in usage lines, e.g. "source-customer-io". */
  name: string;
  /** The package.json whose version `--version` prints (it ships beside dist/). */
  packageJson: URL;
  /** The spec's connectionSpecification: its `airbyte_secret` fields are what the runner masks. */
  connectionSpecification: JsonObject;
  commands: CommandDefinition[];
  emitterOptions?: EmitterOptions;
  /** How long a stop signal waits for a graceful command, then for output to reach a slow reader. Default 10 s. */
  stopGraceMs?: number;
}

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

/** The names of the spec's `airbyte_secret` fields, at any depth (objects, arrays, oneOf). */
export function secretFieldNames(schema: unknown): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const properties = record.properties;
    if (typeof properties === 'object' && properties !== null) {
      for (const [name, property] of Object.entries(properties)) {
        if ((property as { airbyte_secret?: unknown }).airbyte_secret === true) names.add(name);
      }
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(schema);
  return [...names];
}

/** Runs a connector's command line: one command, its files, its errors as TRACE lines, its signals. */
export async function runCli(cli: ConnectorCli): Promise<void> {
  const emitter = new CliEmitter(process.stdout, cli.emitterOptions);
  const secretFields = secretFieldNames(cli.connectionSpecification);
  const stop = new AbortController();
  const stopGraceMs = cli.stopGraceMs ?? 10_000;
  let gracefulRunning = false;
  const commandNames = cli.commands.map((command) => command.name);
  // Each command with its own options, required ones bare and optional ones in brackets.
  const forms = cli.commands.map((command) =>
    [
      command.name,
      ...Object.entries(command.options ?? {}).map(([name, option]) =>
        option.required ? `--${name} FILE` : `[--${name} FILE]`,
      ),
    ].join(' '),
  );
  const usage = `Usage: ${cli.name} ${forms.join(' | ')}`;

  /** Registers every secret field's value even when the file is not valid JSON, so no message can echo it. */
  const maskSecretsIn = (text: string): void => {
    for (const field of secretFields) {
      const pattern = new RegExp(`"${field}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'g');
      for (const match of text.matchAll(pattern)) {
        const secret = match[1] ?? '';
        emitter.addSecret(secret);
        emitter.addSecret(secret.trim());
      }
    }
  };

  const fail = async (error: ConnectorError, exitCode: number): Promise<void> => {
    process.exitCode = exitCode;
    await emitter.error(error.message, error.failureType, { internal: error.internalMessage });
  };

  const run = async (command: CommandDefinition, argv: Record<string, unknown>): Promise<void> => {
    const files: Record<string, string | undefined> = {};
    for (const name of Object.keys(command.options ?? {})) {
      const value = argv[name];
      files[name] = typeof value === 'string' ? value : undefined;
    }
    const readText = (option: string): string => {
      const path = files[option] ?? '';
      try {
        return readFileSync(path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new UsageError(
          code === 'ENOENT'
            ? `--${option} file not found: ${path}`
            : `--${option} file cannot be read (${code ?? 'error'}): ${path}`,
        );
      }
    };
    const readJson = (option: string, what: string): unknown => {
      const text = readText(option);
      if (option === 'config') maskSecretsIn(text);
      try {
        return JSON.parse(text);
      } catch {
        const where = jsonSyntaxPosition(text) ?? 'somewhere';
        throw new ConfigError(
          `The ${what} file ${files[option] ?? ''} is not valid JSON (at ${where}): fix its syntax there.`,
        );
      }
    };
    gracefulRunning = command.stopsGracefully === true;
    try {
      const exitCode = await command.run({ emitter, files, readText, readJson, stopSignal: stop.signal });
      if (typeof exitCode === 'number' && exitCode !== 0) process.exitCode = exitCode;
    } catch (error) {
      const failure = asConnectorError(error);
      await fail(failure, failure instanceof UsageError ? 2 : 1);
    } finally {
      gracefulRunning = false;
      await emitter.flush();
    }
  };

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

  // Stop promptly, ending the output on a whole line. A graceful command is asked to stop and finishes what it
  // has started; otherwise nothing new is written, and what was already handed to stdout gets a short grace.
  for (const [signal, number] of [
    ['SIGTERM', 15],
    ['SIGINT', 2],
  ] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(128 + number), stopGraceMs).unref();
      if (gracefulRunning) {
        process.exitCode = 128 + number;
        stop.abort(new Error(`stopped by ${signal}`));
        return;
      }
      void emitter.close().then(() => process.exit(128 + number));
    });
  }

  const version = String(
    (JSON.parse(readFileSync(cli.packageJson, 'utf8')) as { version?: unknown }).version,
  );

  // yargs would call an unknown command's words "unknown arguments": name the command instead.
  const first = hideBin(process.argv)[0];
  if (first !== undefined && !first.startsWith('-') && !commandNames.includes(first)) {
    await fail(
      new UsageError(
        `Unknown command "${first}": give one of ${commandNames.join(', ').replace(/, ([^,]*)$/, ' or $1')}. ${usage}`,
      ),
      2,
    );
    await emitter.flush();
    return;
  }
  let parser = yargs(hideBin(process.argv)).scriptName(cli.name).usage(usage.replace(cli.name, '$0'));
  for (const command of cli.commands) {
    const options = Object.fromEntries(
      Object.entries(command.options ?? {}).map(([name, option]) => [
        name,
        { type: 'string', demandOption: option.required, describe: option.describe } as const,
      ]),
    );
    parser = parser.command(command.name, command.describe, options, (argv) =>
      run(command, argv as Record<string, unknown>),
    );
  }
  await parser
    .option('debug', { type: 'boolean', describe: 'accepted for Airbyte compatibility' })
    .demandCommand(1, 1, `Give one command: ${commandNames.join(', ').replace(/, ([^,]*)$/, ' or $1')}.`)
    .strict()
    .help()
    .alias('help', 'h')
    .version(version)
    .fail((message, error) => {
      // A command that failed (not a command-line mistake): run() already reported what it could.
      if (!message && error) {
        void fail(asConnectorError(error), 1).finally(() => process.exit(1));
        return;
      }
      const text = message || 'invalid arguments';
      // Synchronous exit: yargs would otherwise go on to run the command. stdout pipes are written synchronously.
      void fail(new UsageError(`${text.split('\n')[0]} ${usage}`), 2);
      process.exit(2);
    })
    .parseAsync();
}
