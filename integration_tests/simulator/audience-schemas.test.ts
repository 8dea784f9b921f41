import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE_STREAMS,
  type AudienceStream,
  emittedRecords,
  type JsonObject,
  withSimulator,
} from './audience-test-helpers.js';
import { allPeople, type Simulator, startSimulator, WORKSPACE_NOW } from './index.js';
import { expectAirbyteSchemaRules, loadSchema, walk } from './test-support.js';

// Every record the people, delivery and activity endpoints serve, mapped to the record the connector
// emits (plan), must validate against its schema with ajv strict types and top-level
// additionalProperties false; every declared top-level field must show up.

const NOW = WORKSPACE_NOW;

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({ requestsPerSecond: null });
});

afterAll(async () => {
  await simulator.close();
});

describe('schemas of the people, delivery and activity streams', () => {
  const PRIMARY_KEYS: Record<AudienceStream, string[]> = {
    messages: ['id'],
    campaign_messages: ['id'],
    broadcast_messages: ['id'],
    newsletter_messages: ['id'],
    transactional_message_deliveries: ['id'],
    customer_messages: ['id'],
    activities: ['id'],
    customer_activities: ['id'],
    customers: ['cio_id'],
    customer_segments: ['cio_id', 'id'],
    customer_relationships: ['cio_id', 'object_type_id', 'object_id'],
    segment_membership: ['segment_id', 'cio_id'],
    segment_usage: ['segment_id'],
    transactional_messages: ['id'],
    transactional_message_variants: ['transactional_message_id', 'id'],
  };

  it('are draft-07 objects with non-nullable primary keys and no combinators', () => {
    const deliveryProperties = (loadSchema('messages') as { properties: Record<string, unknown> }).properties;
    const delivery = JSON.stringify(deliveryProperties);
    for (const stream of AUDIENCE_STREAMS) {
      const schema = loadSchema(stream);
      expectAirbyteSchemaRules(schema);
      const properties = schema.properties as Record<string, { type: unknown }>;
      for (const key of PRIMARY_KEYS[stream]) {
        expect(['string', 'integer']).toContain(properties[key]?.type);
      }
      if (stream === 'customer_messages') {
        // The per-person list documents no get_tracked_responses, and its spec types msg_template_id a string.
        const { cio_id: _cio, msg_template_id: template, ...rest } = properties;
        expect(template?.type).toEqual(['null', 'string']);
        const {
          tracked_responses: _responses,
          msg_template_id: _template,
          ...deliveryRest
        } = deliveryProperties;
        expect(JSON.stringify(rest)).toBe(JSON.stringify(deliveryRest));
      } else if (stream.endsWith('messages') && stream !== 'transactional_messages') {
        expect(JSON.stringify(properties)).toBe(delivery);
      }
    }
  });

  it('accept every record the connector emits from what the simulator serves, and cover every field', async () => {
    const served = await emittedRecords(simulator, NOW);
    await withSimulator(
      {
        requestsPerSecond: null,
        workspace: { seed: 77, people: 90, deliveries: 1500, activities: 300, transactionalMessages: 7 },
      },
      async (larger) => {
        const more = await emittedRecords(larger, NOW);
        for (const stream of AUDIENCE_STREAMS) {
          const validate = new Ajv({ strict: true, allErrors: true }).compile({
            ...loadSchema(stream),
            additionalProperties: false,
          });
          const all = [...served[stream], ...more[stream]];
          expect(all.length, stream).toBeGreaterThan(0);
          const declared = Object.keys(loadSchema(stream).properties as JsonObject);
          const emitted = new Set(all.flatMap((record) => Object.keys(record)));
          expect(
            declared.filter((field) => !emitted.has(field)),
            stream,
          ).toEqual([]);
          for (const record of all) {
            if (!validate(record)) throw new Error(`${stream} ${JSON.stringify(validate.errors)}`);
            // Integers everywhere but in free-form activity data (event totals are floats).
            const { data: _freeForm, ...typed } = record;
            walk(typed, (node, key) => {
              if (typeof node === 'number' && !Number.isSafeInteger(node))
                throw new Error(`${stream}.${key}`);
            });
          }
          for (const records of [served[stream], more[stream]]) {
            const keys = new Set(
              records.map((record) => JSON.stringify(PRIMARY_KEYS[stream].map((key) => record[key]))),
            );
            expect(keys.size, `${stream} primary keys are unique`).toBe(records.length);
          }
        }
        expect(served.messages).toHaveLength(simulator.workspace.deliveries.length);
        expect(served.customers).toHaveLength(allPeople(simulator.workspace).length);
      },
    );
  });
});
