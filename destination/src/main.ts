#!/usr/bin/env -S node --max-semi-space-size=4
import { runCli } from '@cio-connectors/kit/cli';
import { parseConfig } from './config.js';
import { check, discover, spec } from './destination.js';
import { connectionSpecification } from './spec.js';
import { tuningFromEnv } from './tuning.js';
import { write } from './write.js';

const tuning = tuningFromEnv(process.env);
const config = { describe: 'path to the config JSON', required: true };

await runCli({
  name: 'destination-customer-io',
  packageJson: new URL('../package.json', import.meta.url),
  connectionSpecification,
  // A stop finishes the requests in flight: give them a while before the process ends regardless.
  stopGraceMs: 30_000,
  commands: [
    { name: 'spec', describe: 'print the connector specification', run: ({ emitter }) => spec(emitter) },
    {
      name: 'check',
      describe: 'check the credentials and the region',
      options: { config },
      // A missing or unreadable config is reported by check itself: CONNECTION_STATUS FAILED, exit 0.
      run: ({ emitter, readJson }) => check(() => readJson('config', 'config'), emitter, tuning),
    },
    {
      name: 'discover',
      describe: 'print the destination catalog (its objects and operations)',
      options: { config },
      run: ({ emitter, readJson }) => discover(readJson('config', 'config'), emitter, tuning),
    },
    {
      name: 'write',
      describe: 'write the Airbyte messages read from stdin',
      options: { config, catalog: { describe: 'path to the configured catalog JSON', required: true } },
      stopsGracefully: true,
      run: ({ emitter, readJson, stopSignal }) =>
        write(
          parseConfig(readJson('config', 'config')),
          readJson('catalog', 'catalog'),
          process.stdin,
          emitter,
          tuning,
          stopSignal,
        ),
    },
  ],
});
