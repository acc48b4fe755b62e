// Click-to-load embeds on public pages (NewsCms). The page shows a placeholder for each embed (provider, link) and
// makes no request to the provider. This script shows the button "Load content from {provider}"; a click puts the
// provider's player in a sandboxed iframe. The player address (data-embed-src) comes from the server's provider
// table, and the public CSP's frame-src allows only those providers. A static file: no inline script.
(function () {
    'use strict';
    function load(figure) {
        var src = figure.getAttribute('data-embed-src');
        if (!src || src.indexOf('https://') !== 0) return;
        var frame = document.createElement('iframe');
        frame.setAttribute('src', src);
        frame.setAttribute('title', figure.getAttribute('data-embed-title') || 'Embedded content');
        frame.setAttribute('sandbox', figure.getAttribute('data-embed-sandbox') || 'allow-scripts allow-same-origin');
        frame.setAttribute('allow', 'encrypted-media; picture-in-picture; fullscreen');
        frame.setAttribute('allowfullscreen', '');
        frame.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
        frame.className = 'embed__frame';
        var placeholder = figure.querySelector('.embed__placeholder');
        var link = figure.querySelector('.embed__link');
        figure.insertBefore(frame, placeholder);
        // The link to the post stays below the player, as its caption.
        if (link) {
            var caption = document.createElement('figcaption');
            caption.className = 'embed__caption';
            while (link.firstChild) caption.appendChild(link.firstChild);
            figure.appendChild(caption);
        }
        if (placeholder) placeholder.remove();
        figure.classList.add('embed--loaded');
        frame.focus();
    }

    var figures = document.querySelectorAll('figure.embed[data-embed-src]');
    for (var i = 0; i < figures.length; i++) {
        (function (figure) {
            var button = figure.querySelector('.embed__load');
            var notice = figure.querySelector('.embed__notice');
            if (!button) return;
            button.hidden = false;
            if (notice) notice.hidden = false;
            button.addEventListener('click', function () { load(figure); });
        })(figures[i]);
    }
})();
