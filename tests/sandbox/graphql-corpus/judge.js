// Judges every document of this corpus with graphql-js (the GraphQL reference implementation,
// installed by tools/install-graphql-js into var/npm): validation against the schema SDL given
// as the first argument, then execution with no resolvers (every field resolves to null, and
// introspection answers from the schema). Prints one JSON object: case name -> {valid, data,
// errors}. A document is valid when validation passes and its variables coerce (a request
// error gives no "data"). __schema.types and __schema.directives are sorted by name: the order
// of the schema's type map is not part of the contract.
//
// usage: node judge.js SCHEMA.graphql CORPUS_DIR   (run by tests/sandbox/test_graphql_conformance.c)
'use strict';
const fs = require('fs');
const path = require('path');
const top = path.resolve(__dirname, '..', '..', '..');
const g = require(path.join(top, 'var', 'npm', 'node_modules', 'graphql'));

const schema = g.buildSchema(fs.readFileSync(process.argv[2], 'utf8'));
const schemaErrors = g.validateSchema(schema);
if (schemaErrors.length) {
  process.stderr.write('judge.js: the schema is not valid: ' + schemaErrors.map(e => e.message).join('; ') + '\n');
  process.exit(1);
}

function normalise(v) {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) {
      let x = normalise(v[k]);
      if ((k === 'types' || k === 'directives') && Array.isArray(x) && x.every(i => i && typeof i.name === 'string'))
        x = x.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      out[k] = x;
    }
    return out;
  }
  return v;
}

function header(text, key) {
  const m = text.match(new RegExp('^# ' + key + ': (.*)$', 'm'));
  return m ? m[1].trim() : undefined;
}

const out = {};
const dir = process.argv[3];
for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.graphql')).sort()) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  const vars = header(text, 'variables');
  const opname = header(text, 'operation');
  let doc;
  try {
    doc = g.parse(text);
  } catch (e) {
    out[file] = { valid: false, errors: [e.message] };
    continue;
  }
  const errors = g.validate(schema, doc);
  if (errors.length) {
    out[file] = { valid: false, errors: errors.map(e => e.message) };
    continue;
  }
  const result = g.executeSync({ schema, document: doc, rootValue: {},
                                 variableValues: vars ? JSON.parse(vars) : undefined,
                                 operationName: opname });
  const plain = JSON.parse(JSON.stringify(result));
  if (!('data' in plain)) {
    out[file] = { valid: false, errors: (plain.errors || []).map(e => e.message) };
    continue;
  }
  out[file] = { valid: true, data: normalise(plain.data), errors: (plain.errors || []).map(e => e.message) };
}
process.stdout.write(JSON.stringify(out) + '\n');
