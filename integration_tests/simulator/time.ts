import type { SeededRandom } from './random.js';

/** The generated workspace's "now" (2026-09-21T14:13:20Z), fixed so a seed always gives the same data. */
export const WORKSPACE_NOW = 1_790_000_000;
export const DAY_SECONDS = 86_400;
export const WORKSPACE_BIRTH = WORKSPACE_NOW - 3 * 365 * DAY_SECONDS;

/** An epoch-second timestamp in [from, to]. */
export function timestampBetween(random: SeededRandom, from: number, to: number): number {
  return random.int(from, Math.max(from, to));
}

/** A created/updated pair inside the workspace's lifetime, with updated >= created. */
export function createdAndUpdated(random: SeededRandom, notBefore = WORKSPACE_BIRTH): [number, number] {
  const created = timestampBetween(random, notBefore, WORKSPACE_NOW - 7 * DAY_SECONDS);
  return [created, timestampBetween(random, created, WORKSPACE_NOW)];
}

const STARTED = Date.now();

/** The simulated clock: WORKSPACE_NOW when the process started, running at real speed; sent as the Date header. */
export function simulatedNow(): number {
  return WORKSPACE_NOW + Math.floor((Date.now() - STARTED) / 1000);
}
