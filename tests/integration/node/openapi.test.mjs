// Validates every response the C++ integration tests recorded (tests/integration/harness.cc,
// SLUICE_RESPONSE_LOG) from an endpoint X also has against X's OpenAPI document: the response
// schema of that path, method and status (tests/integration/openapi/x-api-v2-responses.json,
// extracted from X's v2.167 document by scripts/x_openapi_responses.py). Known, explained
// mismatches are listed in tests/integration/openapi/allowed-mismatches.json; any other fails.
// Then the same responses, those of Sluice's own endpoints included, against Sluice's own
// document (docs/openapi.json, served at GET /2/openapi.json), with no allow-list: it names the
// problem types X's leaves out. And Sluice's document itself against the OpenAPI 3 schema.
// Usage: SLUICE_RESPONSE_LOG=DIR node --test openapi.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';

const here = path.dirname(fileURLToPath(import.meta.url));
const docPath = path.join(here, '..', 'openapi', 'x-api-v2-responses.json');
const allowPath = path.join(here, '..', 'openapi', 'allowed-mismatches.json');
const sluiceDocPath = path.join(here, '..', '..', '..', 'docs', 'openapi.json');

// Routes: X's path templates, the one with the most literal segments wins (/2/users/by
// before /2/users/{id}).
function compileRoutes(doc) {
  return Object.keys(doc.paths).map((template) => {
    const segs = template.split('/');
    return { template, segs, literals: segs.filter((s) => !s.startsWith('{')).length };
  });
}

function matchRoute(routes, target) {
  const p = target.split('?')[0].split('/');
  let best = null;
  for (const r of routes) {
    if (r.segs.length !== p.length) continue;
    if (!r.segs.every((s, i) => s.startsWith('{') ? p[i] !== '' : s === p[i])) continue;
    if (!best || r.literals > best.literals) best = r;
  }
  return best && best.template;
}

const pointerSeg = (s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));

// The response schema for (template, method, status, content type): exact status, then the
// class (4XX), then default; the media type the response names when the document has it, else
// application/problem+json for a problem and application/json for the rest. Null for a body
// that is not JSON (robots.txt, RSL XML) or that the document does not describe.
function schemaRef(doc, template, method, status, contentType) {
  const responses = doc.paths[template]?.[method.toLowerCase()]?.responses;
  if (!responses) return null;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
  if (!key) return null;
  const content = responses[key].content ?? {};
  const named = contentType.split(';')[0].trim();
  const problem = named === 'application/problem+json';
  let type = named in content ? named
    : problem && content['application/problem+json'] ? 'application/problem+json' : 'application/json';
  if (!content[type] || !/[/+]json$/.test(type)) return null;
  return `x#/paths/${pointerSeg(template)}/${method.toLowerCase()}/responses/${pointerSeg(key)}/content/${pointerSeg(type)}/schema`;
}

function readRecords(dir) {
  const out = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith('.jsonl')) continue;
    for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (line.trim()) out.push(JSON.parse(line));
    }
  }
  return out;
}

// instancePath with array indices as "*", so one allow-list entry covers every element.
const generalise = (pointer) => pointer.replace(/\/\d+(?=\/|$)/g, '/*');

function dropMappings(node) {
  if (Array.isArray(node)) node.forEach(dropMappings);
  else if (node && typeof node === 'object') {
    if (node.discriminator) delete node.discriminator.mapping;
    Object.values(node).forEach(dropMappings);
  }
}

// An allow-list entry excuses a mismatch either by the problem type of the body
// ({problem_type}) or by where it is ({method, path, status, pointer, message}, each may be "*").
function allows(a, rec, template, body, pointer, message) {
  if (a.problem_type !== undefined) return body?.type === a.problem_type;
  const is = (want, got) => want === '*' || String(want) === String(got);
  return is(a.method, rec.method) && is(a.path, template) && is(a.status, rec.status) &&
         is(a.pointer, pointer) && is(a.message, message);
}

// Validates the recorded responses of the paths `docPath` describes against it; returns the
// number validated. `allowed` excuses the mismatches it lists.
function validateRecords(dir, docPath, allowed, label) {
  const doc = JSON.parse(fs.readFileSync(docPath, 'utf8'));
  // OpenAPI 3.0: Ajv knows `nullable`, and `discriminator` without a `mapping` (it finds the
  // branch by each one's enum of the tag instead, the same choice here), so a problem body is
  // checked against the branch its `type` names; example and other annotations are ignored.
  dropMappings(doc);
  const ajv = new Ajv({ allErrors: true, strict: false, discriminator: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'x');
  const routes = compileRoutes(doc);
  const validators = new Map();
  let validated = 0;
  const mismatches = new Map();  // "METHOD path status pointer: message" -> count, example
  const used = new Set();
  for (const rec of readRecords(dir)) {
    const template = matchRoute(routes, rec.target);
    if (!template) continue;  // an endpoint the document does not have
    const ref = schemaRef(doc, template, rec.method, rec.status, rec.content_type ?? '');
    if (!ref) continue;  // the document describes no JSON body for this status
    let body;
    try {
      body = JSON.parse(rec.body);
    } catch {
      mismatches.set(`${rec.method} ${template} ${rec.status}: body is not JSON`, { count: 1, example: rec.target });
      continue;
    }
    if (!validators.has(ref)) validators.set(ref, ajv.getSchema(ref));
    const validate = validators.get(ref);
    assert.ok(validate, `no schema at ${ref}`);
    validated++;
    if (validate(body)) continue;
    const keys = new Set();
    for (const e of validate.errors) {
      const pointer = generalise(e.instancePath) || '/';
      const entry = allowed.findIndex((a) => allows(a, rec, template, body, pointer, e.message));
      if (entry >= 0) {
        used.add(entry);
        continue;
      }
      keys.add(`${rec.method} ${template} ${rec.status} ${pointer}: ${e.message}`);
    }
    for (const key of keys) {
      if (!mismatches.has(key)) mismatches.set(key, { count: 0, example: rec.target });
      mismatches.get(key).count++;
    }
  }
  const unique = [...mismatches].map(([key, m]) => `${key} (${m.count} responses, e.g. ${m.example.slice(0, 120)})`);
  console.log(`openapi: validated ${validated} responses against ${label} ${doc.info.version}; ` +
              `${unique.length} distinct mismatches; allow-list entries used: ${used.size} of ${allowed.length}`);
  // A selection of tests (ctest -R Cli) may reach none of the document's endpoints; the whole
  // suite (make test, test-asan, test-tsan set SLUICE_OPENAPI_REQUIRE=1) always does, so an
  // empty log there means the recording broke.
  if (process.env.SLUICE_OPENAPI_REQUIRE === '1') {
    assert.ok(validated > 0, `no recorded response from an endpoint of ${label} in ${dir}`);
  } else if (validated === 0) {
    console.log(`openapi: no recorded response from an endpoint of ${label}: nothing to check`);
  }
  if (unique.length) assert.fail(`responses that do not match ${label}:\n${unique.join('\n')}`);
  return { validated, paths: new Set(readRecords(dir).map((r) => matchRoute(routes, r.target)).filter(Boolean)) };
}

function recordDir() {
  const dir = process.env.SLUICE_RESPONSE_LOG;
  assert.ok(dir && fs.existsSync(dir), `SLUICE_RESPONSE_LOG (${dir}) names no directory of recorded responses`);
  return dir;
}

test('recorded responses match X\'s OpenAPI document', () => {
  validateRecords(recordDir(), docPath, JSON.parse(fs.readFileSync(allowPath, 'utf8')), 'X\'s document');
});

test('recorded responses, Sluice\'s own endpoints too, match Sluice\'s OpenAPI document', () => {
  const { paths } = validateRecords(recordDir(), sluiceDocPath, [], 'Sluice\'s document');
  // The whole suite reaches Sluice's own JSON endpoints (tests/integration/openapi_doc_test.cc).
  if (process.env.SLUICE_OPENAPI_REQUIRE === '1') {
    for (const own of ['/2/license/{plan}', '/2/openapi.json']) assert.ok(paths.has(own), `no recorded response of ${own}`);
  }
});

test('Sluice\'s OpenAPI document is a valid OpenAPI 3 document', async () => {
  const validator = new Validator();
  const result = await validator.validate(JSON.parse(fs.readFileSync(sluiceDocPath, 'utf8')));
  assert.ok(result.valid, `docs/openapi.json is not valid OpenAPI ${validator.version}: ${JSON.stringify(result.errors, null, 1)}`);
});
