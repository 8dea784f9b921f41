import { describe, expect, test } from 'vitest';
import { chooseRegion, describeKey } from '../src/api-keys.js';

describe('describeKey', () => {
  test.each([
    ['sk_eu_abc', { kind: 'private', region: 'EU' }],
    ['sk_US_abc', { kind: 'private', region: 'US' }],
    ['sk_abc', { kind: 'private', region: undefined }],
    ['sk_live_abc', { kind: 'private', region: undefined }],
    ['pk_eu_abc', { kind: 'public', region: 'EU' }],
    ['0123456789abcdef', { kind: 'app', region: undefined }],
    ['eu_abc', { kind: 'app', region: undefined }],
  ])('%s', (key, facts) => {
    expect(describeKey(key)).toEqual(facts);
  });
});

describe('chooseRegion', () => {
  test('the configured region, else the key’s, else US', () => {
    expect(chooseRegion('EU', { kind: 'app', region: undefined })).toEqual({ region: 'EU', warnings: [] });
    expect(chooseRegion(undefined, { kind: 'private', region: 'EU' })).toEqual({
      region: 'EU',
      warnings: [],
    });
    expect(chooseRegion(undefined, { kind: 'private', region: undefined })).toEqual({
      region: 'US',
      warnings: [],
    });
  });

  test('a disagreement keeps the configured region and says how to fix it', () => {
    const choice = chooseRegion('EU', { kind: 'private', region: 'US' });
    expect(choice.region).toBe('EU');
    expect(choice.warnings).toEqual([expect.stringMatching(/Set "region" to US, or remove it/)]);
  });
});
