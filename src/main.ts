#!/usr/bin/env node
import { runCli } from '@cio-connectors/kit/cli';
import { check, discover, read, spec } from './source.js';
import { connectionSpecification } from './spec.js';
import { tuningFromEnv } from './tuning.js';

const tuning = tuningFromEnv(process.env);
const config = { describe: 'path to the config JSON', required: true };

await runCli({
  name: 'source-customer-io',
  packageJson: new URL('../package.json', import.meta.url),
  connectionSpecification,
  emitterOptions: { verifyRecordTexts: tuning.verifyRecordTexts === 1 },
  commands: [
    { name: 'spec', describe: 'print the connector specification', run: ({ emitter }) => spec(emitter) },
    {
      name: 'check',
      describe: 'check the connection',
      options: { config },
      // A missing or unreadable config is reported by check itself: CONNECTION_STATUS FAILED, exit 0.
      run: ({ emitter, readJson }) => check(() => readJson('config', 'config'), emitter, tuning),
    },
    {
      name: 'discover',
      describe: 'print the catalog of streams',
      options: { config },
      run: ({ emitter, readJson }) => discover(readJson('config', 'config'), emitter),
    },
    {
      name: 'read',
      describe: 'read records',
      options: {
        config,
        catalog: { describe: 'path to the configured catalog JSON', required: true },
        state: { describe: 'path to the state JSON', required: false },
      },
      run: async ({ emitter, files, readJson, readText }) => {
        const configJson = readJson('config', 'config');
        const catalog = readJson('catalog', 'catalog');
        const state = files.state === undefined ? undefined : readText('state');
        return (await read(configJson, catalog, state, emitter, tuning)) ? 0 : 1;
      },
    },
  ],
});
