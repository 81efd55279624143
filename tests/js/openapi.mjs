// The OpenAPI document (nginx/openapi.json) against the running service:
// it is a valid OpenAPI 3.1 document, nginx serves it as it is, and each
// example in it, sent to the service, is answered with a status the
// document describes and a body (and headers) its schema allows.
// Usage: node tests/js/openapi.mjs BASE_URL [ADMIN_TOKEN]
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const base = (process.argv[2] || '').replace(/\/$/, '');
const token = process.argv[3] || 'dev-admin-token';
if (!base) {
  console.error('usage: node tests/js/openapi.mjs BASE_URL [ADMIN_TOKEN]');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(new URL('../../nginx/openapi.json', import.meta.url), 'utf8'));
let passed = 0, failed = 0;
const ok = (name) => { passed++; console.log(`ok - ${name}`); };
const notOk = (name, why) => { failed++; console.log(`not ok - ${name}\n    ${why}`); };

// 1. A valid OpenAPI 3.1 document.
const v = new Validator();
const res = await v.validate(doc);
if (res.valid && v.version === '3.1') ok(`the document is valid OpenAPI ${v.version}`);
else notOk('the document is valid OpenAPI 3.1', JSON.stringify(res.errors).slice(0, 2000));

// 2. nginx serves it, without a token, cacheable.
{
  const r = await fetch(`${base}/v1/admin/clinic/ecm/openapi.json`);
  const text = await r.text();
  let same = false;
  try { same = JSON.stringify(JSON.parse(text)) === JSON.stringify(doc); } catch { same = false; }
  if (r.status === 200 && same && /application\/json/.test(r.headers.get('content-type') || '') &&
      /max-age=\d+/.test(r.headers.get('cache-control') || ''))
    ok('GET /v1/admin/clinic/ecm/openapi.json serves the document, no token, cacheable');
  else notOk('GET openapi.json', `${r.status} ${r.headers.get('content-type')} ${r.headers.get('cache-control')} same=${same}`);
}

// 3. Every example, sent; answers checked against the document.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: 'api' });
const deref = (o) => {
  while (o && o.$ref) o = o.$ref.split('/').slice(1).reduce((a, k) => a[k], doc);
  return o;
};
const checkBody = (schema, body) => {
  const validate = ajv.compile(schema.$ref ? { $ref: 'api' + schema.$ref } : schema);
  return validate(body) ? null : ajv.errorsText(validate.errors);
};

for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const params = (op.parameters || []).map(deref);
    let url = path, query = [];
    for (const p of params) {
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(p.example));
      if (p.in === 'query' && p.example !== undefined) query.push(`${p.name}=${encodeURIComponent(p.example)}`);
    }
    if (query.length) url += '?' + query.join('&');
    const examples = op.requestBody ? Object.entries(op.requestBody.content['application/json'].examples) : [['(no body)', null]];
    // A response's example may carry the request that gets it (x-request-body,
    // a body that breaks the request's schema on purpose): sent too, it must
    // be answered with that status and exactly that body.
    for (const [status, resp] of Object.entries(op.responses)) {
      const media = deref(resp).content && deref(resp).content['application/json'];
      for (const [name, ex] of Object.entries((media && media.examples) || {}))
        if (ex['x-request-body'] !== undefined)
          examples.push([`${name} (${status})`, { value: ex['x-request-body'] }, Number(status), ex.value]);
    }
    for (const [name, ex, wantStatus, wantBody] of examples) {
      const label = `${method.toUpperCase()} ${path} ${name}`;
      const headers = {};
      if (!op.security || op.security.length > 0) headers['X-User-Token'] = token;
      const init = { method: method.toUpperCase(), headers };
      if (ex) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(ex.value);
      }
      const r = await fetch(base + url, init);
      const text = await r.text();
      if (wantStatus !== undefined && r.status !== wantStatus) {
        notOk(label, `status ${r.status}, not the example's ${wantStatus}: ${text.slice(0, 300)}`);
        continue;
      }
      let same = false;
      try { same = JSON.stringify(JSON.parse(text)) === JSON.stringify(wantBody); } catch { same = false; }
      if (wantBody !== undefined && !same) {
        notOk(label, `${text.slice(0, 300)} is not the example's ${JSON.stringify(wantBody)}`);
        continue;
      }
      const described = deref(op.responses[String(r.status)]);
      if (!described) { notOk(label, `status ${r.status} is not described: ${text.slice(0, 300)}`); continue; }
      let why = null;
      const media = described.content && described.content['application/json'];
      if (media) {
        let body;
        try { body = JSON.parse(text); } catch { why = `not JSON: ${text.slice(0, 200)}`; }
        if (!why) why = checkBody(media.schema, body);
        if (!why && !/^application\/json; charset=utf-8$/.test(r.headers.get('content-type') || ''))
          why = `content-type ${r.headers.get('content-type')}`;
      }
      for (const [h, hdef] of Object.entries(described.headers || {})) {
        const schema = deref(hdef).schema;
        const value = r.headers.get(h);
        if (h === 'ETag' && value === null) why = why || 'no ETag';
        if (value !== null && schema && schema.pattern && !new RegExp(schema.pattern).test(value))
          why = why || `${h} ${value} does not match ${schema.pattern}`;
      }
      if (why) notOk(label, `${r.status}: ${why}`);
      else ok(`${label}: ${r.status} as described`);
    }
  }
}
console.log(`openapi: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
