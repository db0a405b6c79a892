import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, labelNearMisses, suggest, typoThreshold } from './didyoumean.js';

describe('editDistance (Damerau-Levenshtein, optimal string alignment)', () => {
  it.each([
    ['nginx', 'nginx', 0],
    ['nginx', 'ngnix', 1], // adjacent transposition counts once
    ['nginx', 'ngin', 1],
    ['nginx', 'nginxx', 1],
    ['shop', 'shpo', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['ca', 'abc', 3], // OSA: no substring edited twice
  ])('%s -> %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('is symmetric and zero only for equal strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        return d === editDistance(b, a) && (d === 0) === (a === b) && d <= Math.max(a.length, b.length);
      }),
    );
  });
});

describe('suggest', () => {
  it.each([
    { typed: 'ngnix', from: ['nginx', 'redis', 'ngx-proxy'], want: ['nginx'] },
    { typed: 'prodution', from: ['production', 'staging', 'default'], want: ['production'] },
    { typed: 'web', from: ['web-svc', 'api'], want: ['web-svc'] },
    { typed: 'Nginx', from: ['nginx'], want: ['nginx'] },
    { typed: 'db', from: ['dc', 'db2'], want: [] }, // two letters: only exact (case-insensitive) hits
    { typed: 'payments', from: ['orders', 'carts'], want: [] },
    { typed: 'nginx', from: ['nginx'], want: [] }, // the exact name is not a suggestion
  ])('$typed in $from', ({ typed, from, want }) => {
    expect(suggest(typed, from).map((s) => s.name)).toEqual(want);
  });

  it('orders by distance, then name', () => {
    expect(suggest('abcd', ['abce', 'abdc', 'abcdef', 'xbcd']).map((s) => s.name)).toEqual([
      'abce',
      'abdc',
      'xbcd',
    ]);
  });

  it('allows more edits for longer names', () => {
    expect([3, 5, 8, 16, 40].map(typoThreshold)).toEqual([1, 1, 2, 4, 4]);
    expect(didYouMean('ingress-nginx-controler', ['ingress-nginx-controller'])).toBe(
      'ingress-nginx-controller',
    );
  });
});

describe('labelNearMisses', () => {
  it('reports a differing value and a misspelled key', () => {
    expect(labelNearMisses({ app: 'web', tier: 'frontend' }, { app: 'wbe', tir: 'frontend' })).toEqual([
      { wantedKey: 'app', wantedValue: 'web', found: 'app=wbe', kind: 'value' },
      { wantedKey: 'tier', wantedValue: 'frontend', found: 'tir=frontend', kind: 'key' },
    ]);
  });
});
