// Live updates on public pages (NewsCms). One Server-Sent Events stream per open page: the site-wide breaking-news
// banner, and on a live blog its entries (inserted, replaced or removed in place). A static file, so it runs under
// the public CSP (script-src 'self'); the page works without it (reload shows the latest entries).
(function () {
    'use strict';
    if (!('EventSource' in window)) return;
    var blog = document.querySelector('[data-live-article]');
    var banner = document.querySelector('[data-live-banner]');
    if (!blog && !banner) return;
    var articleId = blog ? blog.getAttribute('data-live-article') : null;
    // The last change the page shows; the browser sends the last one it received as Last-Event-ID when it reconnects.
    var lastSeq = blog ? parseInt(blog.getAttribute('data-live-seq'), 10) || 0 : 0;
    var delay = 2000;

    function address() {
        return articleId ? '/live/' + articleId + '/events?after=' + lastSeq : '/live/events';
    }

    function connect() {
        var source = new EventSource(address());
        source.addEventListener('open', function () { delay = 2000; });
        source.addEventListener('entry', function (e) {
            apply(JSON.parse(e.data));
            var seq = parseInt(e.lastEventId, 10);
            if (seq > lastSeq) lastSeq = seq;
        });
        source.addEventListener('banner', function (e) {
            if (banner) banner.innerHTML = JSON.parse(e.data).html;
        });
        source.addEventListener('coverage', function (e) {
            var status = blog && blog.querySelector('[data-live-status]');
            if (!status) return;
            var live = JSON.parse(e.data).live;
            status.textContent = live ? 'Live' : 'Coverage ended';
            status.classList.toggle('live-blog__status--on', live);
        });
        source.addEventListener('error', function () {
            // The browser reconnects by itself (with Last-Event-ID) unless the stream was refused or failed: then
            // this tries again later, from the last change received.
            if (source.readyState === EventSource.CLOSED) {
                setTimeout(connect, delay);
                delay = Math.min(delay * 2, 60000);
            }
        });
    }

    function element(html) {
        var template = document.createElement('template');
        template.innerHTML = html;
        return template.content.firstElementChild;
    }

    // Newest first (by posting time, then id): whether a goes before b.
    function before(a, b) {
        var pa = Number(a.getAttribute('data-posted')), pb = Number(b.getAttribute('data-posted'));
        return pa !== pb ? pa > pb : Number(a.getAttribute('data-entry-id')) > Number(b.getAttribute('data-entry-id'));
    }

    function insert(container, node) {
        if (!container || !node) return;
        var next = container.firstElementChild;
        while (next && !before(node, next)) next = next.nextElementSibling;
        container.insertBefore(node, next);
    }

    function apply(change) {
        if (!blog) return;
        var existing = document.getElementById('entry-' + change.id);
        // A change older than what the page shows (pushed late): nothing to do.
        if (existing && Number(existing.getAttribute('data-seq')) >= change.seq) return;
        var keyList = blog.querySelector('[data-live-key-events]');
        var keyItem = keyList && keyList.querySelector('li[data-entry-id="' + change.id + '"]');
        if (existing) existing.remove();
        if (keyItem) keyItem.remove();
        if (!change.deleted) {
            insert(blog.querySelector(change.pinned ? '[data-live-pinned]' : '[data-live-entries]'), element(change.html));
            if (change.key && change.keyHtml) insert(keyList, element(change.keyHtml));
        }
        var keyNav = blog.querySelector('[data-live-key-nav]');
        if (keyNav && keyList) keyNav.hidden = keyList.children.length === 0;
    }

    connect();
})();
