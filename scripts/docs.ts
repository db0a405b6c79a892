// npm run docs: regenerate docs/checks.md from the check catalogue.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_CHECKS } from '../src/checks/registry.js';
import { renderCatalogueMarkdown } from '../src/report/catalogue.js';

const out = path.resolve(import.meta.dirname, '..', 'docs', 'checks.md');
writeFileSync(out, renderCatalogueMarkdown(ALL_CHECKS));
console.log(`wrote ${path.relative(process.cwd(), out)} (${ALL_CHECKS.length} checks)`);
