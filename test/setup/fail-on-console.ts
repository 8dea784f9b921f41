import { afterEach, beforeEach, vi } from 'vitest';

// stdout belongs to the Airbyte protocol: a stray console call in code under test is a bug.
beforeEach(() => {
  for (const method of ['log', 'info', 'debug', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      throw new Error(`console.${method} called in a test: ${args.map(String).join(' ')}`);
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});
