import { Mark, mergeAttributes } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { Decoration, DecorationSet } from '@tiptap/pm/view'

// Editorial notes: a mark over the text a note is about, <span data-note="{anchor}" class="editorial-note">. It is
// part of the document, so it moves with the text as the text is edited; the server keeps it only in the newsroom's
// copy of the body (Article.AnnotatedBodyHtml) and strips it from everything readers get. The thread itself (text,
// replies, resolved) lives on the server; the mark carries only the thread's anchor id.

const ANCHOR = /^[A-Za-z0-9_-]{1,64}$/
const highlightKey = new PluginKey('editorialNoteHighlight')

export const EditorialNote = Mark.create({
  name: 'editorialNote',
  // Typing at either end of the marked text does not extend the note; two notes may cover the same words.
  inclusive: false,
  excludes: '',
  spanning: true,

  addAttributes() {
    return {
      anchor: {
        default: null,
        parseHTML: element => element.getAttribute('data-note'),
        renderHTML: attributes => (attributes.anchor ? { 'data-note': attributes.anchor } : {}),
      },
    }
  },

  parseHTML() {
    return [{ tag: 'span[data-note]', getAttrs: element => (ANCHOR.test(element.getAttribute('data-note') ?? '') ? null : false) }]
  },

  renderHTML({ HTMLAttributes }) {
    // data-note first, then class: the order the server's policy keeps, so a stored body loads and saves back unchanged.
    return ['span', mergeAttributes(HTMLAttributes, { class: 'editorial-note' }), 0]
  },

  addProseMirrorPlugins() {
    const type = this.type
    return [
      new Plugin({
        key: highlightKey,
        state: {
          init: () => ({ active: null, resolved: [] }),
          apply: (tr, value) => tr.getMeta(highlightKey) ?? value,
        },
        props: {
          // The selected thread's text is highlighted, resolved threads' text is not: decorations, not DOM edits,
          // so ProseMirror never reads them back as changes to the text.
          decorations(state) {
            const { active, resolved } = highlightKey.getState(state)
            if (!active && resolved.length === 0) return null
            const decorations = []
            state.doc.descendants((node, pos) => {
              if (!node.isText) return
              for (const mark of node.marks) {
                if (mark.type !== type) continue
                if (mark.attrs.anchor === active) decorations.push(Decoration.inline(pos, pos + node.nodeSize, { class: 'editorial-note--active' }))
                else if (resolved.includes(mark.attrs.anchor)) decorations.push(Decoration.inline(pos, pos + node.nodeSize, { class: 'editorial-note--resolved' }))
              }
            })
            return DecorationSet.create(state.doc, decorations)
          },
        },
      }),
    ]
  },
})

/** The text a note would be about: the selection's, remembered (and kept in place as the text changes) until it is saved. */
export function beginNote(entry) {
  const { state } = entry.editor
  const { from, to, empty } = state.selection
  if (empty || !entry.editable) return null
  const quote = state.doc.textBetween(from, to, ' ').trim()
  if (!quote) return null
  entry.pendingNote = { from, to }
  return quote
}

/** Follows the remembered selection through edits made while the note is being written. */
export function mapPendingNote(entry, transaction) {
  if (!entry.pendingNote || !transaction.docChanged) return
  const from = transaction.mapping.map(entry.pendingNote.from, 1)
  const to = transaction.mapping.map(entry.pendingNote.to, -1)
  entry.pendingNote = to > from ? { from, to } : null
}

/** Marks the remembered text with the new thread's anchor; false when it is gone or the editor is read-only. */
export function addNoteMark(entry, anchor) {
  const pending = entry.pendingNote
  entry.pendingNote = null
  if (!pending || !entry.editable || !ANCHOR.test(anchor)) return false
  const type = entry.editor.schema.marks.editorialNote
  const { tr } = entry.editor.state
  tr.addMark(pending.from, pending.to, type.create({ anchor }))
  entry.editor.view.dispatch(tr)
  entry.flushWords()
  return true
}

export function cancelNote(entry) {
  entry.pendingNote = null
}

/** Takes the mark of one thread off the text (the text stays). */
export function removeNoteMark(entry, anchor) {
  if (!entry.editable) return false
  const type = entry.editor.schema.marks.editorialNote
  const { state } = entry.editor
  const tr = state.tr
  state.doc.descendants((node, pos) => {
    if (!node.isText) return
    const mark = node.marks.find(m => m.type === type && m.attrs.anchor === anchor)
    if (mark) tr.removeMark(pos, pos + node.nodeSize, mark)
  })
  if (!tr.docChanged) return false
  entry.editor.view.dispatch(tr)
  entry.flushWords()
  return true
}

/** The anchors of the notes marked in the text now. */
export function noteAnchors(entry) {
  const type = entry.editor.schema.marks.editorialNote
  const anchors = new Set()
  entry.editor.state.doc.descendants(node => {
    for (const mark of node.marks) if (mark.type === type && mark.attrs.anchor) anchors.add(mark.attrs.anchor)
  })
  return [...anchors]
}

/** Highlights one thread's text (null: none) and scrolls it into view; resolved threads' text is shown unmarked. */
export function highlightNote(entry, anchor, resolved) {
  const { view } = entry.editor
  view.dispatch(view.state.tr.setMeta(highlightKey, { active: anchor ?? null, resolved: resolved ?? [] }).setMeta('addToHistory', false))
  if (!anchor) return
  const marked = [...entry.element.querySelectorAll('span[data-note]')].find(e => e.getAttribute('data-note') === anchor)
  marked?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
}
