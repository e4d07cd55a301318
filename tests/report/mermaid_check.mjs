// Parses every ```mermaid block of Markdown reports with Mermaid's own parser (in jsdom)
// and prints each block's diagram type; a block that does not parse fails.
// usage: node mermaid_check.mjs NODE_MODULES FILE.md ...
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [modules, ...files] = process.argv.slice(2);
const { JSDOM } = await import(pathToFileURL(path.join(modules, 'jsdom', 'lib', 'api.js')).href);
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
const { default: mermaid } = await import(pathToFileURL(path.join(modules, 'mermaid', 'dist', 'mermaid.core.mjs')).href);
mermaid.initialize({ startOnLoad: false });

let fails = 0;
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  const kinds = {};
  for (const [i, block] of blocks.entries()) {
    try {
      const r = await mermaid.parse(block);
      kinds[r.diagramType] = (kinds[r.diagramType] || 0) + 1;
    } catch (e) {
      console.log(`FAIL ${file} block ${i + 1}: ${String(e.message || e).slice(0, 300)}\n${block.slice(0, 300)}`);
      fails++;
    }
  }
  console.log(`${file}: ${blocks.length} blocks ${JSON.stringify(kinds)}`);
}
process.exit(fails ? 1 : 0);
