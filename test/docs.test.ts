import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../src/checks/registry.js';
import { renderCatalogueMarkdown } from '../src/report/catalogue.js';

describe('docs/checks.md', () => {
  it('is generated from the current checks (run `npm run docs` after changing a check)', () => {
    const file = readFileSync(path.resolve(import.meta.dirname, '..', 'docs', 'checks.md'), 'utf8');
    expect(file).toBe(renderCatalogueMarkdown(ALL_CHECKS));
  });
});
