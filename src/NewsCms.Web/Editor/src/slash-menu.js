import { Extension } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import Suggestion from '@tiptap/suggestion'

// The slash menu: "/" at the start of an empty line opens a list of every block; typing filters it, the arrow keys
// move, Enter inserts, Escape closes (the "/" stays as typed). It is an ARIA listbox: the editable text keeps the
// focus and points at the highlighted option with aria-activedescendant.
//
// Blocks that need a choice first (an image, a gallery, a See-also article, an embed) are not inserted here: the
// "/…" text is removed and .NET is asked by the item's name (onPicker), so the same dialog opens as from the toolbar.

export const SLASH_ITEMS = [
  { name: 'heading2', label: 'Heading 2', keywords: 'title subheading h2', run: c => c.setNode('heading', { level: 2 }) },
  { name: 'heading3', label: 'Heading 3', keywords: 'subheading h3', run: c => c.setNode('heading', { level: 3 }) },
  { name: 'bulletList', label: 'Bulleted list', keywords: 'unordered bullets ul', run: c => c.toggleBulletList() },
  { name: 'orderedList', label: 'Numbered list', keywords: 'ordered ol 1.', run: c => c.toggleOrderedList() },
  { name: 'blockquote', label: 'Quote', keywords: 'blockquote citation', run: c => c.toggleBlockquote() },
  { name: 'horizontalRule', label: 'Horizontal rule', keywords: 'rule divider line hr separator', run: c => c.setHorizontalRule() },
  { name: 'seeAlso', label: 'See also', keywords: 'related link article', picker: true },
  { name: 'image', label: 'Image', keywords: 'picture photo media', picker: true },
  { name: 'table', label: 'Table', keywords: 'grid results budget timetable data', run: c => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }) },
  { name: 'gallery', label: 'Gallery', keywords: 'photos pictures images slideshow', picker: true },
  { name: 'pullQuote', label: 'Pull quote', keywords: 'quotation highlight', run: c => c.insertPullQuote() },
  { name: 'factBox', label: 'Fact box', keywords: 'what we know facts box summary', run: c => c.insertFactBox() },
  { name: 'keyPoints', label: 'Key points', keywords: 'summary bullets top takeaways', run: c => c.insertKeyPoints() },
  { name: 'embed', label: 'Embed', keywords: 'video youtube post tweet map chart social', picker: true },
]

/** The items whose label or keywords have a word starting with the query (case-insensitive), in menu order. */
export function filterSlashItems(query) {
  const q = (query ?? '').trim().toLowerCase()
  if (!q) return SLASH_ITEMS
  return SLASH_ITEMS.filter(item => {
    const words = `${item.label} ${item.keywords}`.toLowerCase()
    return words.startsWith(q) || words.split(/\s+/).some(word => word.startsWith(q)) || item.label.toLowerCase().includes(q)
  })
}

const slashKey = new PluginKey('newsroomSlashMenu')
let menuCount = 0

function createMenu(editor) {
  const id = `slash-menu-${++menuCount}`
  const root = document.createElement('div')
  root.className = 'slash-menu'
  root.hidden = true
  const list = document.createElement('ul')
  list.id = id
  list.setAttribute('role', 'listbox')
  list.setAttribute('aria-label', 'Insert a block')
  root.appendChild(list)
  const empty = document.createElement('p')
  empty.className = 'slash-menu__empty'
  empty.textContent = 'No block matches'
  empty.hidden = true
  root.appendChild(empty)
  document.body.appendChild(root)

  let items = []
  let index = 0
  let select = () => {}

  const dom = () => editor.view.dom

  function draw() {
    list.replaceChildren(...items.map((item, i) => {
      const option = document.createElement('li')
      option.id = `${id}-${item.name}`
      option.setAttribute('role', 'option')
      option.setAttribute('aria-selected', i === index ? 'true' : 'false')
      option.dataset.item = item.name
      option.className = 'slash-menu__item' + (i === index ? ' slash-menu__item--active' : '')
      option.textContent = item.label
      // mousedown, not click: the text keeps the focus (and the "/" range) until the item is chosen.
      option.addEventListener('mousedown', event => {
        event.preventDefault()
        select(item)
      })
      return option
    }))
    empty.hidden = items.length > 0
    const active = items[index]
    if (active) {
      dom().setAttribute('aria-activedescendant', `${id}-${active.name}`)
      list.children[index]?.scrollIntoView?.({ block: 'nearest' })
    } else {
      dom().removeAttribute('aria-activedescendant')
    }
  }

  function place(clientRect) {
    const rect = clientRect?.()
    if (!rect) return
    const top = rect.bottom + 4
    root.style.left = `${Math.max(4, Math.min(rect.left, window.innerWidth - 280))}px`
    root.style.top = `${top}px`
  }

  return {
    show(props) {
      items = props.items
      index = 0
      select = props.command
      root.hidden = false
      dom().setAttribute('aria-controls', id)
      draw()
      place(props.clientRect)
    },
    update(props) {
      items = props.items
      index = Math.min(index, Math.max(0, items.length - 1))
      select = props.command
      draw()
      place(props.clientRect)
    },
    keyDown({ event }) {
      if (root.hidden) return false
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        if (items.length === 0) return true
        index = (index + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length
        draw()
        return true
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        const item = items[index]
        if (!item) return event.key === 'Tab'
        select(item)
        return true
      }
      if (event.key === 'Escape') {
        this.hide()
        return true
      }
      return false
    },
    hide() {
      root.hidden = true
      items = []
      dom()?.removeAttribute('aria-activedescendant')
      dom()?.removeAttribute('aria-controls')
    },
    destroy() {
      root.remove()
    },
  }
}

/**
 * The slash menu extension. options.onPicker(name) is called for picker items; options.isEditable() says whether the
 * editor takes input now.
 */
export const SlashMenu = Extension.create({
  name: 'slashMenu',

  addOptions() {
    return { onPicker: () => {} }
  },

  addProseMirrorPlugins() {
    const editor = this.editor
    const onPicker = name => this.options.onPicker(name)
    let menu = null
    return [
      Suggestion({
        editor,
        pluginKey: slashKey,
        char: '/',
        startOfLine: true,
        allowSpaces: false,
        // Only on an otherwise empty top-level paragraph: "/" inside a sentence, a list or a table is just a slash.
        allow: ({ state, range }) => {
          const $from = state.doc.resolve(range.from)
          const parent = $from.parent
          return editor.isEditable && $from.depth === 1 && parent.type.name === 'paragraph'
            && parent.textContent.startsWith('/') && !/\s/.test(parent.textContent)
        },
        items: ({ query }) => filterSlashItems(query),
        command: ({ editor: ed, range, props: item }) => {
          const chain = ed.chain().focus().deleteRange(range)
          if (item.picker) {
            chain.run()
            onPicker(item.name)
            return
          }
          item.run(chain).run()
        },
        render: () => ({
          onStart: props => {
            menu ??= createMenu(editor)
            menu.show(props)
          },
          onUpdate: props => menu?.update(props),
          onKeyDown: props => menu?.keyDown(props) ?? false,
          onExit: () => menu?.hide(),
        }),
      }),
      // Drops the menu's element with the editor.
      new Plugin({ view: () => ({ destroy: () => menu?.destroy() }) }),
    ]
  },
})
