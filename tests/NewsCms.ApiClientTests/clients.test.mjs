// The official Ghost clients against a running NewsCms (started by GhostClientTests in the .NET suite, which passes
// the site's address, an Editor integration's keys and a test image in the environment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import GhostContentAPI from '@tryghost/content-api';
import GhostAdminAPI from '@tryghost/admin-api';

const url = required('NEWSCMS_URL');
const content = new GhostContentAPI({ url, key: required('NEWSCMS_CONTENT_KEY'), version: 'v6.0' });
const admin = new GhostAdminAPI({ url, key: required('NEWSCMS_ADMIN_KEY'), version: 'v6.0' });

function required(name) {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run these tests through the .NET suite (GhostClientTests).`);
    return value;
}

const unique = () => crypto.randomBytes(4).toString('hex');

test('a post created from HTML, published, reads back with its tags and authors and is found by a filter', async () => {
    const word = `harbour${unique()}`;
    const created = await admin.posts.add({
        title: `The ${word} reopens after the storm`,
        html: '<p>Ships are back in the <strong>harbour</strong>.</p><script>window.hacked = true</script><p onclick="alert(1)">Quay</p>',
        custom_excerpt: 'Ferries run again from Monday.',
        tags: [word, { name: 'Weather' }],
        status: 'published',
    }, { source: 'html', formats: 'html' });
    assert.equal(created.status, 'published');
    assert.ok(created.published_at, 'a published post has published_at');
    assert.ok(!created.html.includes('<script'), 'the sanitizer removed the script');
    assert.ok(!created.html.includes('onclick'), 'the sanitizer removed the handler');

    const read = await content.posts.read({ slug: created.slug }, { include: 'tags,authors' });
    assert.equal(read.id, created.id);
    assert.equal(read.title, `The ${word} reopens after the storm`);
    assert.equal(read.custom_excerpt, 'Ferries run again from Monday.');
    assert.equal(read.excerpt, 'Ferries run again from Monday.');
    assert.match(read.html, /Ships are back in the <strong>harbour<\/strong>\./);
    assert.deepEqual(read.tags.map((t) => t.slug).sort(), [word, 'weather'].sort());
    assert.equal(read.primary_tag.slug, read.tags[0].slug);
    assert.ok(read.authors.length >= 1 && read.primary_author.name, 'the post has a byline');
    assert.ok(read.url.startsWith('http'), 'url is absolute');
    assert.equal(typeof read.reading_time, 'number');

    const found = await content.posts.browse({ filter: `tag:${word}+featured:false`, include: 'tags' });
    assert.deepEqual(found.map((p) => p.id), [created.id]);
    assert.equal(found.meta.pagination.total, 1);
    const notFound = await content.posts.browse({ filter: `tag:${word}+-slug:${created.slug}` });
    assert.equal(notFound.length, 0);
});

test('paging through all posts visits each published post once', async () => {
    const word = `paging${unique()}`;
    const ids = [];
    for (let i = 0; i < 5; i++) {
        const post = await admin.posts.add({ title: `Paging ${word} ${i}`, html: `<p>Story ${i}.</p>`, tags: [word], status: 'published' }, { source: 'html' });
        ids.push(post.id);
    }
    const seen = [];
    let page = 1;
    for (;;) {
        const batch = await content.posts.browse({ filter: `tag:${word}`, limit: 2, page });
        assert.equal(batch.meta.pagination.page, page);
        assert.equal(batch.meta.pagination.limit, 2);
        assert.equal(batch.meta.pagination.total, 5);
        assert.equal(batch.meta.pagination.pages, 3);
        seen.push(...batch.map((p) => p.id));
        if (batch.meta.pagination.next === null) break;
        assert.equal(batch.meta.pagination.next, page + 1);
        page = batch.meta.pagination.next;
    }
    assert.equal(page, 3);
    assert.deepEqual([...seen].sort(), [...ids].sort());
    assert.equal(new Set(seen).size, 5);

    // The whole site, page by page, against one request for all of it.
    const everything = await content.posts.browse({ limit: 'all', fields: 'id' });
    const paged = [];
    for (let p = 1; ; p++) {
        const batch = await content.posts.browse({ limit: 15, page: p, fields: 'id' });
        paged.push(...batch.map((x) => x.id));
        if (batch.meta.pagination.next === null) break;
    }
    assert.deepEqual(paged, everything.map((x) => x.id));
});

test('an edit with a stale updated_at is refused with 409', async () => {
    const post = await admin.posts.add({ title: `Conflict ${unique()}`, html: '<p>First.</p>' }, { source: 'html' });
    assert.equal(post.status, 'draft');
    const edited = await admin.posts.edit({ id: post.id, title: 'Second title', updated_at: post.updated_at });
    assert.equal(edited.title, 'Second title');
    await assert.rejects(
        admin.posts.edit({ id: post.id, title: 'Third title', updated_at: post.updated_at }),
        (error) => error.name === 'UpdateCollisionError' && error.response === undefined && /Saving failed/.test(error.message));
    const current = await admin.posts.read({ id: post.id });
    assert.equal(current.title, 'Second title');
});

test('an image uploads through the media library', async () => {
    const image = await admin.images.upload({ file: required('NEWSCMS_IMAGE'), ref: 'harbour.png' });
    assert.match(image.url, /^https?:\/\/.+\/media\//);
    assert.equal(image.ref, 'harbour.png');
    const response = await fetch(image.url.replace(/^https?:\/\/[^/]+/, url));
    assert.equal(response.status, 200);
});

test('a webhook receives a correctly signed post.published', async () => {
    const secret = crypto.randomBytes(16).toString('hex');
    const received = [];
    let arrived;
    const delivered = new Promise((resolve) => { arrived = resolve; });
    const server = http.createServer((request, response) => {
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
            received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
            response.writeHead(200).end();
            arrived();
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
        const target = `http://127.0.0.1:${server.address().port}/hooks/published`;
        const webhook = await admin.webhooks.add({ event: 'post.published', target_url: target, secret, name: 'Client test' });
        assert.equal(webhook.event, 'post.published');
        assert.equal(webhook.target_url, target);

        const title = `Signed ${unique()}`;
        const post = await admin.posts.add({ title, html: '<p>Signed news.</p>', status: 'published' }, { source: 'html' });
        await Promise.race([delivered, new Promise((_, reject) => setTimeout(() => reject(new Error('no webhook within 20 s')), 20000))]);

        const { headers, body } = received[0];
        const match = /^sha256=([0-9a-f]{64}), t=(\d+)$/.exec(headers['x-ghost-signature']);
        assert.ok(match, `X-Ghost-Signature is "${headers['x-ghost-signature']}"`);
        const expected = crypto.createHmac('sha256', secret).update(body + match[2]).digest('hex');
        assert.equal(match[1], expected, 'the signature is the HMAC of body + timestamp');
        assert.ok(headers['x-newscms-event-id'], 'each event has an id for de-duplication');
        const payload = JSON.parse(body);
        assert.equal(payload.post.current.id, post.id);
        assert.equal(payload.post.current.title, title);
        assert.equal(payload.post.current.status, 'published');

        await admin.webhooks.delete({ id: webhook.id });
    } finally {
        server.close();
    }
});
