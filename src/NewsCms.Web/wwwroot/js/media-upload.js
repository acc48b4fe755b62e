// The media library's upload area (Components/Admin/Media/MediaUploadArea.razor).
// Files chosen with the picker or dropped on the area are POSTed one at a time to the upload endpoint with
// XMLHttpRequest, whose upload events give real progress; the component hears about each step through its
// [JSInvokable] methods. The antiforgery token is the one the component renders (<AntiforgeryToken />) inside the area.

let nextId = 1;

/**
 * @param {HTMLElement} zone the drop area; holds the hidden antiforgery input
 * @param {HTMLInputElement} input the file input (the picker)
 * @param {any} dotnet DotNetObjectReference of the component
 * @param {{ url: string, maxBytes: number }} options
 */
export function attach(zone, input, dotnet, options) {
    let disposed = false;
    let current = null;
    let queue = Promise.resolve();
    let depth = 0;

    const call = (method, ...args) => {
        if (disposed) return Promise.resolve();
        return dotnet.invokeMethodAsync(method, ...args).catch(() => { /* the circuit is gone */ });
    };

    const token = () => zone.querySelector('input[name="__RequestVerificationToken"]')?.value ?? '';

    const hasFiles = event => Array.from(event.dataTransfer?.types ?? []).includes('Files');

    const onDragEnter = event => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        depth++;
        zone.classList.add('media-upload--over');
    };
    const onDragOver = event => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
    };
    const onDragLeave = event => {
        if (!hasFiles(event)) return;
        depth = Math.max(0, depth - 1);
        if (depth === 0) zone.classList.remove('media-upload--over');
    };
    const onDrop = event => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        depth = 0;
        zone.classList.remove('media-upload--over');
        enqueue(event.dataTransfer.files);
    };
    const onChange = () => {
        enqueue(input.files);
        input.value = '';
    };

    zone.addEventListener('dragenter', onDragEnter);
    zone.addEventListener('dragover', onDragOver);
    zone.addEventListener('dragleave', onDragLeave);
    zone.addEventListener('drop', onDrop);
    input.addEventListener('change', onChange);

    function enqueue(files) {
        for (const file of Array.from(files ?? [])) {
            const id = nextId++;
            call('OnUploadQueued', id, file.name, file.size);
            queue = queue.then(() => send(id, file));
        }
    }

    function send(id, file) {
        if (disposed) return Promise.resolve();
        if (file.size > options.maxBytes) {
            return call('OnUploadTooLarge', id, file.size);
        }
        return new Promise(resolve => {
            const xhr = new XMLHttpRequest();
            current = xhr;
            let last = 0;
            xhr.open('POST', options.url);
            xhr.setRequestHeader('RequestVerificationToken', token());
            xhr.setRequestHeader('Accept', 'application/json');
            xhr.upload.onprogress = event => {
                if (!event.lengthComputable) return;
                const now = performance.now();
                // A few updates a second are enough for a progress bar and spare the circuit.
                if (now - last < 150 && event.loaded < event.total) return;
                last = now;
                call('OnUploadProgress', id, event.loaded, event.total);
            };
            xhr.onload = () => {
                current = null;
                if (xhr.status === 200) {
                    let body = null;
                    try { body = JSON.parse(xhr.responseText); } catch { /* handled below */ }
                    if (body && typeof body.id === 'number') {
                        call('OnUploadDone', id, body.id).then(resolve);
                        return;
                    }
                }
                let message = null;
                try { message = JSON.parse(xhr.responseText)?.error ?? null; } catch { /* not JSON */ }
                call('OnUploadFailed', id, xhr.status, message).then(resolve);
            };
            xhr.onerror = () => {
                current = null;
                call('OnUploadFailed', id, 0, null).then(resolve);
            };
            xhr.onabort = () => {
                current = null;
                resolve();
            };
            const form = new FormData();
            form.append('file', file, file.name);
            xhr.send(form);
        });
    }

    return {
        dispose() {
            disposed = true;
            zone.removeEventListener('dragenter', onDragEnter);
            zone.removeEventListener('dragover', onDragOver);
            zone.removeEventListener('dragleave', onDragLeave);
            zone.removeEventListener('drop', onDrop);
            input.removeEventListener('change', onChange);
            current?.abort();
        },
    };
}
