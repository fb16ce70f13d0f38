// Assembles var/bench/results.json from the bench's figures file: one "key<TAB>json value" per
// line, keys dotted ("engine.o2c_steps_per_s"), nested into objects. A later line wins.
//   node tools/bench/results.js FIGURES.tsv > results.json
"use strict";
const fs = require("fs");
const out = {};
for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
  if (!line.trim()) continue;
  const tab = line.indexOf("\t");
  const key = line.slice(0, tab);
  const text = line.slice(tab + 1);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = text; // a bare string
  }
  const parts = key.split(".");
  let node = out;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== "object" || node[p] === null) node[p] = {};
    node = node[p];
  }
  node[parts[parts.length - 1]] = value;
}
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
