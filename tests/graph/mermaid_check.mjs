// Parses Mermaid files with Mermaid's own flowchart parser (in jsdom) and checks
// the counts of nodes, edges and subgraphs it finds.
// usage: node mermaid_check.mjs FILE [VERTICES EDGES SUBGRAPHS] ...
import fs from 'fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let fails = 0;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; ) {
  const file = args[i++];
  const want = [];
  while (i < args.length && /^\d+$/.test(args[i])) want.push(Number(args[i++]));
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(fs.readFileSync(file, 'utf8'));
    const db = diagram.db;
    const v = db.getVertices();
    const got = [v instanceof Map ? v.size : Object.keys(v).length, db.getEdges().length, db.getSubGraphs().length];
    if (want.length && want.join(' ') !== got.join(' ')) {
      console.log(`FAIL ${file}: vertices/edges/subgraphs ${got.join(' ')}, want ${want.join(' ')}`);
      fails++;
    } else {
      console.log(`ok   ${file}: mermaid parses it (vertices/edges/subgraphs ${got.join(' ')})`);
    }
  } catch (e) {
    console.log(`FAIL ${file}: ${String(e.message || e).slice(0, 400)}`);
    fails++;
  }
}
process.exit(fails ? 1 : 0);
