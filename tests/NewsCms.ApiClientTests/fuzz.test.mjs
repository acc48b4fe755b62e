// A fuzzer driven by the site's own OpenAPI document (/openapi/v1.json): for every operation of the Content API and
// the Admin API it sends requests generated from the document's schemas, valid and deliberately broken, and checks
// each answer: never a 5xx, never slower than 1 s, and always a status and body that the document describes (bodies
// validated by ajv). Seeded, so a failure is reproducible; the run count is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const url = required('NEWSCMS_URL');
const contentKey = required('NEWSCMS_CONTENT_KEY');
const adminKey = required('NEWSCMS_ADMIN_KEY');
const seed = Number(process.env.NEWSCMS_FUZZ_SEED ?? 20261205);
const runsPerOperation = Number(process.env.NEWSCMS_FUZZ_RUNS ?? 40);
const slowLimitMs = 1000;

function required(name) {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the fuzzer through the .NET suite (GhostClientTests).`);
    return value;
}

/** A Ghost Admin API token, as the official client makes it: HS256 with the hex-decoded secret, kid, aud /admin/, 5 minutes. */
function adminToken() {
    const [id, secret] = adminKey.split(':');
    const now = Math.floor(Date.now() / 1000);
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT', kid: id })}.${encode({ iat: now, exp: now + 300, aud: '/admin/' })}`;
    return `${unsigned}.${crypto.createHmac('sha256', Buffer.from(secret, 'hex')).update(unsigned).digest('base64url')}`;
}

const documentResponse = await fetch(`${url}/openapi/v1.json`);
assert.equal(documentResponse.status, 200, 'the OpenAPI document is served');
const document = await documentResponse.json();

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: document.components ?? {} });

function resolve(schema) {
    while (schema && schema.$ref) {
        const name = schema.$ref.replace('#/components/schemas/', '');
        schema = document.components.schemas[name];
    }
    return schema ?? {};
}

const validators = new Map();

/** A validator of the schema, its references pointed into the registered document (compiled once per schema). */
function validatorFor(schema) {
    const text = JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/');
    if (!validators.has(text)) validators.set(text, ajv.compile(JSON.parse(text)));
    return validators.get(text);
}

// Strings a fuzzer should try in any text field: quoting, NQL syntax, SQL, markup, paths, control characters, size.
const hostileStrings = fc.constantFrom(
    '', ' ', "'", '"', '\\', '%', '%00', '\u0000', '\u202e', '😀', 'a'.repeat(5000), '((((((((((a))))))))))', '(((((((((((((((((((((((((((((((((((((((((x',
    "tag:news", "tag:[a,b]", "-slug:x", "published_at:>'2024-01-01'", "published_at:>'not a date'", "featured:maybe", "id:'1'", "slug:'a\\'b'",
    "tag:a+tag:b,tag:c", "(tag:a,tag:b)+-featured:true", "title:~'x'", "unknown_field:1", "tag:", ":", "+", ",", "-", "[]", "tag:[",
    "1; DROP TABLE Articles;--", "' OR 1=1 --", '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)',
    '../../etc/passwd', '-1', '0', '1e309', '9223372036854775808', 'NaN', 'null', 'true', 'all', '101', 'published_at desc', 'title asc, slug', 'nope desc');

function arbitraryFor(schema, depth = 0) {
    schema = resolve(schema);
    if (depth > 4) return fc.constant(null);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) return fc.oneof(...variants.map((s) => arbitraryFor(s, depth + 1)));
    const types = [].concat(schema.type ?? []).filter((t) => t !== 'null');
    const type = types[0];
    if (schema.enum) return fc.constantFrom(...schema.enum);
    switch (type) {
        case 'integer':
            return fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 200, 100000) });
        case 'number':
            return fc.double({ noNaN: true, min: -1e6, max: 1e6 });
        case 'boolean':
            return fc.boolean();
        case 'array':
            return fc.array(arbitraryFor(schema.items ?? {}, depth + 1), { maxLength: 3 });
        case 'object': {
            const properties = Object.entries(schema.properties ?? {});
            if (properties.length === 0) return fc.constant({});
            return fc.record(Object.fromEntries(properties.map(([name, s]) => [name, arbitraryFor(s, depth + 1)])), { requiredKeys: [] });
        }
        case 'string':
            if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
            return fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('news', 'harbour', 'Weather', '1', 'draft', 'published'));
        default:
            return fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null));
    }
}

/** A value for a parameter: usually from its schema, often hostile, sometimes left out. */
function parameterArbitrary(parameter) {
    const fromSchema = arbitraryFor(parameter.schema ?? {}).map((v) => (v === null ? '' : String(v)));
    const typical = {
        include: fc.constantFrom('tags', 'authors', 'tags,authors', 'count.posts', 'nope'),
        fields: fc.constantFrom('id', 'id,title', 'title,url,slug', 'name', 'nope', 'id,,'),
        formats: fc.constantFrom('html', 'plaintext', 'html,plaintext', 'mobiledoc'),
        limit: fc.constantFrom('1', '15', '100', 'all', '0', '101', '-1', 'abc'),
        page: fc.constantFrom('1', '2', '999999', '0', '-3', 'x'),
        order: fc.constantFrom('published_at desc', 'published_at asc', 'title asc', 'slug desc', 'name asc', 'nope asc', 'title sideways'),
        filter: fc.constantFrom("tag:news", "featured:true", "tag:[news,sport]+-featured:true", "published_at:>'2020-01-01'", "slug:x,slug:y", "(tag:a,tag:b)+featured:false", "status:draft", "visibility:public", "author:ada"),
    }[parameter.name];
    const options = [fromSchema, hostileStrings];
    if (typical) options.push(typical, typical);
    return parameter.required ? fc.oneof(...options) : fc.option(fc.oneof(...options), { nil: undefined });
}

function operations() {
    const found = [];
    for (const [path, item] of Object.entries(document.paths ?? {})) {
        if (!path.startsWith('/ghost/api/')) continue;
        for (const method of ['get', 'post', 'put', 'delete']) {
            if (item[method]) found.push({ path, method, operation: item[method], shared: item.parameters ?? [] });
        }
    }
    return found;
}

function bodyArbitrary(operation) {
    const content = operation.requestBody?.content ?? {};
    const json = content['application/json'];
    if (json?.schema) {
        return fc.oneof(
            { weight: 3, arbitrary: arbitraryFor(json.schema).map((value) => ({ type: 'application/json', body: JSON.stringify(value) })) },
            { weight: 1, arbitrary: fc.constantFrom('{', '[]', 'null', '{"posts":[]}', '{"posts":[{"title":null}]}', '{"tags":[{"name":""}]}', '{"posts":"x"}', '{"webhooks":[{"event":"nope","target_url":"ftp://x"}]}', '"' + 'x'.repeat(10000) + '"')
                .map((body) => ({ type: 'application/json', body })) });
    }
    if (content['multipart/form-data']) {
        return fc.constantFrom(
            { type: 'multipart', file: Buffer.from('not an image'), name: 'a.png' },
            { type: 'multipart', file: Buffer.alloc(0), name: 'empty.jpg' },
            { type: 'multipart', file: Buffer.from('GIF89a'), name: '../../x.gif' },
            { type: 'multipart', file: null });
    }
    return fc.constant(null);
}

function documented(operation, status) {
    const responses = operation.responses ?? {};
    return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
}

async function send(op, values, body) {
    let path = op.path;
    const query = new URLSearchParams();
    const admin = op.path.includes('/admin/');
    if (!admin) query.set('key', contentKey);
    for (const parameter of [...op.shared, ...(op.operation.parameters ?? [])]) {
        const value = values[parameter.name];
        if (value === undefined) continue;
        if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(value === '' ? 'x' : value));
        else if (parameter.in === 'query') query.set(parameter.name, value);
    }
    path = path.replace(/\{[^}]+\}/g, '1');
    const headers = {};
    if (admin) headers.Authorization = `Ghost ${adminToken()}`;
    let payload;
    if (body?.type === 'application/json') {
        headers['Content-Type'] = 'application/json';
        payload = body.body;
    } else if (body?.type === 'multipart') {
        payload = new FormData();
        if (body.file) payload.append('file', new Blob([body.file]), body.name);
        payload.append('purpose', 'image');
    }
    const started = performance.now();
    const response = await fetch(`${url}${path}?${query}`, { method: op.method.toUpperCase(), headers, body: payload, redirect: 'manual' });
    const text = await response.text();
    return { response, text, elapsed: performance.now() - started, target: `${op.method.toUpperCase()} ${path}?${query}` };
}

const all = operations();

test('the document describes both APIs', () => {
    assert.ok(all.some((op) => op.path.startsWith('/ghost/api/content/')), 'Content API operations are documented');
    assert.ok(all.some((op) => op.path.startsWith('/ghost/api/admin/')), 'Admin API operations are documented');
});

for (const op of all) {
    test(`${op.method.toUpperCase()} ${op.path}`, async () => {
        const parameters = [...op.shared, ...(op.operation.parameters ?? [])].filter((p) => p.in === 'path' || p.in === 'query');
        const valuesArbitrary = fc.record(Object.fromEntries(parameters.map((p) => [p.name, parameterArbitrary(p)])), { requiredKeys: [] });
        await fc.assert(fc.asyncProperty(valuesArbitrary, bodyArbitrary(op.operation), async (values, body) => {
            const { response, text, elapsed, target } = await send(op, values, body);
            assert.ok(response.status < 500, `${target} answered ${response.status}: ${text.slice(0, 500)}`);
            assert.ok(elapsed < slowLimitMs, `${target} took ${Math.round(elapsed)} ms`);
            const described = documented(op.operation, response.status);
            assert.ok(described, `${target} answered ${response.status}, which the document does not describe for this operation`);
            const schema = described.content?.['application/json']?.schema;
            if (schema && text.length > 0) {
                const validate = validatorFor(schema);
                const valid = validate(JSON.parse(text));
                assert.ok(valid, `${target} answered ${response.status} with a body the document does not allow: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
            }
        }), { seed, numRuns: runsPerOperation, endOnFailure: true });
    });
}
