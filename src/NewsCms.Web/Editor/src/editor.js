import { Editor, Extension, isMacOS } from '@tiptap/core'
import { Selection } from '@tiptap/pm/state'
import StarterKit from '@tiptap/starter-kit'
import Image from '@tiptap/extension-image'
import { isAllowedHref } from './links.js'
import { normalizePastedHtml } from './paste.js'
import { SeeAlso } from './see-also.js'
import { Embed, compileProviders } from './embed.js'
import * as notes from './notes.js'
import { blockExtensions } from './blocks.js'
import { SlashMenu } from './slash-menu.js'

// The newsroom editor: TipTap 3 (ProseMirror) driven from Blazor. Each editor lives in `editors` under a
// numeric handle that .NET keeps; .NET is called back through a DotNetObjectReference:
//   OnEditorChanged(int words, bool changed)  throttled, after every change and after a load; `changed` says
//                                      whether the text now differs from the last loaded or saved text
//   OnEditorIdle(string html)          after a pause in typing: the autosave trigger
//   OnSelectionChanged(string[] active) the marks and blocks at the cursor, when they change
//   OnLinkRequested(string href, bool newTab)  Mod-k
//   OnNoteClicked(string anchor)       a click on text that carries an editorial note
//   OnSlashCommand(string item)        a slash-menu item that needs a choice first (image, gallery, seeAlso, embed)
//   OnShortcutsRequested()             Mod-/ (the keyboard-shortcut help)

const WORDS_THROTTLE_MS = 250
const DEFAULT_IDLE_MS = 3000

const ACTIVE_STATES = [
  ['bold', e => e.isActive('bold')],
  ['italic', e => e.isActive('italic')],
  ['underline', e => e.isActive('underline')],
  ['link', e => e.isActive('link')],
  ['heading2', e => e.isActive('heading', { level: 2 })],
  ['heading3', e => e.isActive('heading', { level: 3 })],
  ['bulletList', e => e.isActive('bulletList')],
  ['orderedList', e => e.isActive('orderedList')],
  ['blockquote', e => e.isActive('blockquote')],
]

const editors = new Map()
let nextHandle = 1

/** Calls .NET without letting a closed circuit surface as an unhandled rejection. */
function notify(dotNetRef, method, ...args) {
  if (!dotNetRef) return
  try {
    const pending = dotNetRef.invokeMethodAsync(method, ...args)
    pending?.catch?.(error => console.debug(`newsroom editor: ${method} was not delivered`, error))
  } catch (error) {
    console.debug(`newsroom editor: ${method} was not delivered`, error)
  }
}

/**
 * Counts words as the server does (ArticleHtml.ToPlainText + CountWords): blocks, rules and breaks separate words, a
 * See-also card counts as its text ("See also: headline"), and a word is any run of non-space characters holding a
 * letter or digit. The count shown while typing is then the count stored with the article.
 */
export function countWords(doc) {
  const text = doc.textBetween(0, doc.content.size, '\n', node =>
    node.type.name === 'seeAlso' ? `\nSee also: ${node.attrs.headline ?? ''}\n`
      : node.type.name === 'embed' ? `\n${node.attrs.url ?? ''}\n` : '\n')
  return text.split(/\s+/).filter(word => /[\p{L}\p{Nd}]/u.test(word)).length
}

/** The document as HTML; an empty document is "", and empty paragraphs at the end are dropped. */
function serialize(editor) {
  if (editor.isEmpty) return ''
  return editor.getHTML().replace(/(?:<p><\/p>)+$/, '')
}

function linkAttributes(href, newTab) {
  return newTab
    ? { href, target: '_blank', rel: 'noopener noreferrer' }
    : { href, target: null, rel: null }
}

const NewsroomKeys = Extension.create({
  name: 'newsroomKeys',
  addOptions() {
    return { onLinkRequested: () => {}, onShortcutsRequested: () => {} }
  },
  addKeyboardShortcuts() {
    return {
      'Mod-k': () => {
        this.options.onLinkRequested()
        return true
      },
      'Mod-/': () => {
        this.options.onShortcutsRequested()
        return true
      },
      // "To the start of the text" is done here, as a transaction, not left to the browser. prosemirror-view (1.43+)
      // takes a caret at the very start that it reads from the page within 200 ms of the editor getting the focus
      // for the browser's own reset on focus, and puts the old caret back, even when a click gave the focus (1.42
      // excluded clicks): a quick click then Ctrl+Home left the caret where the click put it.
      [isMacOS() ? 'Mod-ArrowUp' : 'Mod-Home']: () => this.editor.commands.command(({ tr, dispatch }) => {
        if (dispatch) tr.setSelection(Selection.atStart(tr.doc)).scrollIntoView()
        return true
      }),
    }
  },
})

function get(handle) {
  const entry = editors.get(handle)
  if (!entry) throw new Error(`newsroom editor: no editor with handle ${handle}`)
  return entry
}

/**
 * Creates an editor inside `element` and returns its handle (a number).
 * options: { html, editable, labelId, backupKey, baseVersion, idleMs, toolbar, embedProviders }
 */
export function createEditor(element, dotNetRef, options = {}) {
  const handle = nextHandle++
  const entry = {
    editor: null,
    element,
    dotNetRef,
    backupKey: options.backupKey || null,
    baseVersion: options.baseVersion ?? null,
    editable: options.editable !== false,
    idleMs: Number.isFinite(options.idleMs) && options.idleMs >= 0 ? options.idleMs : DEFAULT_IDLE_MS,
    wordsTimer: 0,
    idleTimer: 0,
    // The text as last loaded or saved (serialized): what "changed" is measured against. Loading is not an edit,
    // nor is a transaction that leaves the serialized text as it was (ProseMirror adding a trailing paragraph).
    cleanHtml: '',
    lastActive: null,
  }

  const sendWords = () => {
    entry.wordsTimer = 0
    if (entry.editor && !entry.editor.isDestroyed) notify(entry.dotNetRef, 'OnEditorChanged', countWords(entry.editor.state.doc), isChanged(entry))
  }
  // Sends the change state now (not throttled): .NET then hears "changed" before anything it does next, such as saving.
  entry.flushWords = () => {
    clearTimeout(entry.wordsTimer)
    sendWords()
  }
  entry.scheduleWords = () => {
    if (!entry.wordsTimer) entry.wordsTimer = setTimeout(sendWords, WORDS_THROTTLE_MS)
  }
  entry.sendActive = (force = false) => {
    const editor = entry.editor
    if (!editor || editor.isDestroyed) return
    const active = ACTIVE_STATES.filter(([, test]) => test(editor)).map(([name]) => name)
    const key = active.join(' ')
    if (!force && key === entry.lastActive) return
    entry.lastActive = key
    notify(entry.dotNetRef, 'OnSelectionChanged', active)
  }
  const saveBackup = () => {
    if (!entry.backupKey) return
    const html = changedHtml(entry)
    if (html === null) return
    try {
      localStorage.setItem(entry.backupKey, JSON.stringify({
        html,
        savedAt: new Date().toISOString(),
        baseVersion: entry.baseVersion,
        fields: readFields(entry.fields),
      }))
    } catch (error) {
      console.warn('newsroom editor: could not keep a backup copy in this browser', error)
    }
  }
  entry.saveBackup = saveBackup
  const scheduleIdle = () => {
    clearTimeout(entry.idleTimer)
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = 0
      const html = changedHtml(entry)
      if (html !== null) notify(entry.dotNetRef, 'OnEditorIdle', html)
    }, entry.idleMs)
  }

  entry.editor = new Editor({
    element,
    content: options.html || '',
    editable: entry.editable,
    injectCSS: false, // the strict Content-Security-Policy allows no injected <style>; admin.css styles the editor
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3] },
        code: false,
        codeBlock: false,
        strike: false,
        link: {
          openOnClick: false,
          autolink: true,
          linkOnPaste: true,
          defaultProtocol: 'https',
          protocols: [],
          HTMLAttributes: { target: null, rel: null, class: null },
          isAllowedUri: url => isAllowedHref(url),
          shouldAutoLink: url => /^(https?:\/\/|mailto:)/i.test(url) || /^[^\s/:@]+\.[a-z]{2,}(?:[/?#]|$)/i.test(url),
        },
      }),
      SeeAlso,
      ...blockExtensions,
      SlashMenu.configure({ onPicker: name => notify(entry.dotNetRef, 'OnSlashCommand', name) }),
      Embed.configure({ providers: compileProviders(options.embedProviders) }),
      notes.EditorialNote,
      // Images come from the media library only (/media/...), with alt text and their intrinsic size.
      Image.configure({ inline: false, allowBase64: false, HTMLAttributes: { loading: 'lazy' } }).extend({
        addAttributes() {
          return {
            ...this.parent?.(),
            width: { default: null },
            height: { default: null },
          }
        },
      }),
      NewsroomKeys.configure({
        onLinkRequested: () => {
          const attributes = entry.editor.getAttributes('link')
          notify(entry.dotNetRef, 'OnLinkRequested', attributes.href ?? '', attributes.target === '_blank')
        },
        onShortcutsRequested: () => notify(entry.dotNetRef, 'OnShortcutsRequested'),
      }),
    ],
    editorProps: {
      attributes: () => {
        const attributes = {
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-readonly': entry.editable ? 'false' : 'true',
          class: 'newsroom-editor__content',
        }
        if (options.labelId) attributes['aria-labelledby'] = options.labelId
        return attributes
      },
      transformPastedHTML: html => normalizePastedHtml(html),
      handleDOMEvents: {
        // A plain click on a link inside the editor (a See-also card's link is outside the editable text, and
        // read-only content is not editable at all) must not leave the page with the article open;
        // Ctrl/Cmd/Shift-click still opens it elsewhere.
        click: (_view, event) => {
          const plain = !(event.ctrlKey || event.metaKey || event.shiftKey) && event.button === 0
          if (plain && event.target instanceof Element && event.target.closest('a[href]')) event.preventDefault()
          const note = event.target instanceof Element ? event.target.closest('span[data-note]') : null
          if (note) notify(entry.dotNetRef, 'OnNoteClicked', note.getAttribute('data-note'))
          return false
        },
      },
    },
    onUpdate: () => {
      saveBackup()
      entry.scheduleWords()
      scheduleIdle()
    },
    onTransaction: ({ transaction }) => {
      notes.mapPendingNote(entry, transaction)
      entry.sendActive()
    },
  })

  entry.cleanHtml = serialize(entry.editor)
  editors.set(handle, entry)
  if (options.toolbar) bindToolbar(handle, entry, options.toolbar)
  element.setAttribute('data-editor-ready', 'true') // browser tests wait for this before typing
  sendWords()
  entry.sendActive(true)
  return handle
}

/**
 * Toolbar buttons (data-command="...") run in the browser, not through the server: a command applies at once, where
 * the cursor is, even when the writer types on straight after clicking. "link" asks .NET for its dialog.
 */
function bindToolbar(handle, entry, toolbar) {
  toolbar.addEventListener('click', event => {
    const button = event.target.closest('[data-command]')
    if (!button || button.disabled || !toolbar.contains(button) || !entry.editable) return
    const command = button.dataset.command
    if (command === 'link') {
      const attributes = entry.editor.getAttributes('link')
      notify(entry.dotNetRef, 'OnLinkRequested', attributes.href ?? '', attributes.target === '_blank')
      return
    }
    runCommand(handle, command)
  })
}

/** Whether the text differs from what was last loaded or saved. */
/** The editor's HTML when it differs from what was last loaded or saved, else null (serialized once: it runs per keystroke). */
function changedHtml(entry) {
  if (!entry.editor || entry.editor.isDestroyed) return null
  const html = serialize(entry.editor)
  return html !== entry.cleanHtml ? html : null
}

function isChanged(entry) {
  return changedHtml(entry) !== null
}

/** Whether the text differs from what was last loaded or saved. */
export function hasChanges(handle) {
  return isChanged(get(handle))
}

/** The current HTML ("" when empty). */
export function getHtml(handle) {
  const entry = get(handle)
  // The pending "changed" notice goes first, so .NET has counted every edit this text holds when it reads it.
  if (entry.wordsTimer) entry.flushWords()
  return serialize(entry.editor)
}

/**
 * Replaces the content without raising change events (no backup, no autosave); word count and toolbar refresh.
 * The new content is the clean text (a load) unless `asEdit` (text brought back from a backup, not yet saved).
 */
export function setHtml(handle, html, asEdit = false) {
  const entry = get(handle)
  entry.editor.commands.setContent(html || '', { emitUpdate: false })
  if (!asEdit) entry.cleanHtml = serialize(entry.editor)
  clearTimeout(entry.idleTimer)
  entry.idleTimer = 0
  entry.scheduleWords()
  entry.sendActive()
}

/**
 * Empties the editor if it still holds `html` (what was just sent); true if it did. One step in the browser, so text
 * typed after the send is never lost to the clear.
 */
export function clearIfUnchanged(handle, html) {
  if (serialize(get(handle).editor) !== html) return false
  setHtml(handle, '')
  return true
}

export function setEditable(handle, editable) {
  const entry = get(handle)
  entry.editable = !!editable
  entry.editor.setEditable(entry.editable, false)
}

/**
 * Inserts a media-library image after the block holding the cursor: { src, alt, width, height }.
 * Returns false when the editor is read-only or the source is not a media-library file.
 */
export function insertImage(handle, image) {
  const entry = get(handle)
  if (!entry.editable || typeof image?.src !== 'string' || !image.src.startsWith('/media/')) return false
  const { state } = entry.editor
  const after = state.selection.$from.depth > 0 ? state.selection.$from.after(1) : state.selection.from
  return entry.editor.chain().focus().insertContentAt(after, {
    type: 'image',
    attrs: { src: image.src, alt: image.alt ?? '', width: image.width ?? null, height: image.height ?? null },
  }).run()
}

/** Moves the local backup to another key (a new article has just got its id): the old key is dropped. */
export function setBackupKey(handle, key) {
  const entry = get(handle)
  if (entry.backupKey && entry.backupKey !== key) {
    try { localStorage.removeItem(entry.backupKey) } catch { /* storage unavailable: nothing to move */ }
  }
  entry.backupKey = key || null
}

/**
 * Keeps the values of other inputs (by element id, e.g. { headline: 'headline' }) in the backup too. The browser does
 * this on its own, so typing is kept even while the server connection is down.
 */
export function watchFields(handle, fields) {
  const entry = get(handle)
  entry.fields = fields || {}
  for (const id of Object.values(entry.fields)) {
    document.getElementById(id)?.addEventListener('input', () => {
      if (entry.editor && !entry.editor.isDestroyed && entry.editable) entry.saveBackup()
    })
  }
}

function readFields(fields) {
  const values = {}
  for (const [name, id] of Object.entries(fields || {})) values[name] = document.getElementById(id)?.value ?? null
  return values
}

/** The revision the user's text is based on; stored with every local backup. */
export function setBaseVersion(handle, version) {
  get(handle).baseVersion = version ?? null
}

/**
 * The server has `html` as revision `version`: the text is clean again unless it was edited after `html` was taken.
 * Sends the change state (and word count) at once.
 */
export function markSaved(handle, version, html) {
  const entry = get(handle)
  entry.baseVersion = version ?? null
  entry.cleanHtml = html ?? ''
  entry.flushWords()
}

/** The link at the cursor or selection: { href, newTab } (href "" when there is none). */
export function getLink(handle) {
  const attributes = get(handle).editor.getAttributes('link')
  return { href: attributes.href ?? '', newTab: attributes.target === '_blank' }
}

export function focus(handle) {
  get(handle).editor.commands.focus()
}

export function destroy(handle) {
  const entry = editors.get(handle)
  if (!entry) return
  editors.delete(handle)
  clearTimeout(entry.wordsTimer)
  clearTimeout(entry.idleTimer)
  entry.dotNetRef = null
  entry.element?.removeAttribute('data-editor-ready')
  entry.editor.destroy()
}

const COMMANDS = {
  paragraph: c => c.setParagraph(),
  heading2: c => c.toggleHeading({ level: 2 }),
  heading3: c => c.toggleHeading({ level: 3 }),
  bold: c => c.toggleBold(),
  italic: c => c.toggleItalic(),
  underline: c => c.toggleUnderline(),
  bulletList: c => c.toggleBulletList(),
  orderedList: c => c.toggleOrderedList(),
  blockquote: c => c.toggleBlockquote(),
  horizontalRule: c => c.setHorizontalRule(),
  table: c => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
  pullQuote: c => c.insertPullQuote(),
  factBox: c => c.insertFactBox(),
  keyPoints: c => c.insertKeyPoints(),
  undo: c => c.undo(),
  redo: c => c.redo(),
  unsetLink: c => c.extendMarkRange('link').unsetLink(),
  setLink: (c, args, editor) => {
    const href = typeof args?.href === 'string' ? args.href.trim() : ''
    if (!href || !isAllowedHref(href)) return null
    const attributes = linkAttributes(href, !!args.newTab)
    if (editor.state.selection.empty && !editor.isActive('link')) {
      // Nothing selected: insert the address itself as the link text.
      return c.insertContent({ type: 'text', text: href, marks: [{ type: 'link', attrs: attributes }] })
    }
    return c.extendMarkRange('link').setLink(attributes)
  },
}

/** Runs a toolbar command; returns whether it applied. Unknown names throw. */
export function runCommand(handle, name, args) {
  const { editor, editable } = get(handle)
  const command = COMMANDS[name]
  if (!command) throw new Error(`newsroom editor: unknown command "${name}"`)
  if (!editable) return false
  const chain = command(editor.chain().focus(), args ?? {}, editor)
  return chain ? chain.run() : false
}

/** Inserts a See-also card at the cursor. */
export function insertSeeAlso(handle, { id, href, headline } = {}) {
  const { editor, editable } = get(handle)
  if (!editable) return false
  return editor.chain().focus().insertSeeAlso({ id, href, headline }).run()
}

/** Inserts a gallery of library images ([{ src, alt, width, height }]) at the cursor; false when read-only or none. */
export function insertGallery(handle, images) {
  const { editor, editable } = get(handle)
  if (!editable) return false
  return editor.chain().focus().insertGallery(images).run()
}

/** Inserts an embed of `url` at the cursor (see embed.js); false when read-only or no provider matches. */
export function insertEmbed(handle, url) {
  const { editor, editable } = get(handle)
  if (!editable) return false
  return editor.chain().focus().insertEmbed(url).run()
}

/** The backup JSON kept in this browser ({ html, savedAt, baseVersion }), or null. */
export function readBackup(key) {
  try {
    return key ? localStorage.getItem(key) : null
  } catch {
    return null
  }
}

export function clearBackup(key) {
  try {
    if (key) localStorage.removeItem(key)
  } catch {
    // storage unavailable (private mode, blocked): nothing to clear
  }
}

// ----- Editorial notes (see notes.js) -----

/** Remembers the selected text for a new note and returns it (null: nothing selected, or read-only). */
export function beginNote(handle) {
  return notes.beginNote(get(handle))
}

/** Marks the text remembered by beginNote with the new thread's anchor. */
export function addNoteMark(handle, anchor) {
  return notes.addNoteMark(get(handle), anchor)
}

export function cancelNote(handle) {
  notes.cancelNote(get(handle))
}

export function removeNoteMark(handle, anchor) {
  return notes.removeNoteMark(get(handle), anchor)
}

export function noteAnchors(handle) {
  return notes.noteAnchors(get(handle))
}

export function highlightNote(handle, anchor, resolved) {
  notes.highlightNote(get(handle), anchor, resolved)
}
