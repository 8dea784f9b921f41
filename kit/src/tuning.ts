/**
 * Knobs that are not part of a spec (tests and benchmarks shorten waits through the environment): each
 * field's environment variable, read as a number; unset or non-numeric means the default.
 */
export function readTuning<T extends object>(env: NodeJS.ProcessEnv, variables: Record<keyof T, string>): T {
  const tuning: Record<string, number> = {};
  for (const [key, name] of Object.entries(variables) as Array<[string, string]>) {
    const value = env[name];
    if (value !== undefined && value !== '' && !Number.isNaN(Number(value))) tuning[key] = Number(value);
  }
  return tuning as T;
}
