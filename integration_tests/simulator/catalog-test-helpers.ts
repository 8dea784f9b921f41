// Helpers shared by the catalog tests: HTTP calls against a simulator and metric day arithmetic.

import { expect } from 'vitest';
import {
  CURRENT_UTC_DAY,
  dayString,
  type MetricRef,
  metricsFor,
  type Simulator,
  type Workspace,
} from './index.js';

export { withSimulator } from './test-support.js';

export type JsonObject = Record<string, unknown>;
export type Series = Record<string, number[]>;

interface Reply {
  status: number;
  body: JsonObject;
}

export const DAY = 86_400;

export async function call(simulator: Simulator, path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${simulator.apiKey}` };
  const init: RequestInit =
    body === undefined
      ? { headers }
      : {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        };
  const response = await fetch(`${simulator.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as JsonObject };
}

export async function ok(simulator: Simulator, path: string, body?: unknown): Promise<JsonObject> {
  const reply = await call(simulator, path, body);
  if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

export async function status(simulator: Simulator, path: string, body?: unknown): Promise<number> {
  return (await call(simulator, path, body)).status;
}

export function list(body: JsonObject, key: string): JsonObject[] {
  const value = body[key];
  if (!Array.isArray(value)) throw new Error(`no ${key} array in ${JSON.stringify(body).slice(0, 200)}`);
  return value as JsonObject[];
}

export function seriesOf(body: JsonObject): Series {
  return (body.metric as { series: Series }).series;
}

export function roundTrip<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

export function v2Path(base: string, start: number, end: number, extra = ''): string {
  return `${base}?version=2&res=days&start=${start}&end=${end}${extra}`;
}

/** The days a v2 window covers, oldest first. */
export function v2Days(start: number, end: number): string[] {
  const days: string[] = [];
  for (let day = Math.floor(start / DAY); day <= Math.floor(end / DAY); day++) days.push(dayString(day));
  return days;
}

/** The days a v1 answer of `length` elements covers: the last is the current day. */
export function v1Days(length: number): string[] {
  return Array.from({ length }, (_, index) => dayString(CURRENT_UTC_DAY - length + 1 + index));
}

/** Each element of each series is the count metricsFor() computes for its day. */
export function expectSeriesMatch(
  workspace: Workspace,
  ref: MetricRef,
  series: Series,
  days: string[],
): void {
  for (const [key, values] of Object.entries(series)) expect(values, key).toHaveLength(days.length);
  days.forEach((day, index) => {
    const expected = metricsFor(workspace, ref, day) ?? {};
    expect(Object.fromEntries(Object.entries(series).map(([key, values]) => [key, values[index]]))).toEqual(
      expected,
    );
  });
}
