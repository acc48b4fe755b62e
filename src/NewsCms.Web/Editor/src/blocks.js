import { Extension, Node } from '@tiptap/core'
import { TextSelection } from '@tiptap/pm/state'
import { Table, TableRow, TableCell, TableHeader } from '@tiptap/extension-table'

// The newsroom's structured blocks. Each writes exactly the HTML that the server's policy (Features/Articles/
// ArticleBlocks.cs) keeps, so a stored body loads and serializes back byte for byte:
//
//   <table><tbody><tr><th><p>…</p></th>…</tr><tr><td><p>…</p></td>…</tr></tbody></table>
//   <div class="gallery"><img src="/media/…" alt="…" width="…" height="…" loading="lazy">…</div>
//   <aside class="pull-quote"><p>…</p></aside>
//   <aside class="fact-box"><h2 class="fact-box__title">…</h2><p>…</p></aside>      (then p, ul or ol)
//   <aside class="key-points"><ul><li><p>…</p></li></ul></aside>                     (at the top of the body)

// No colgroup, no style, no column widths, no alignment: only colspan/rowspan (TipTap omits them when 1).
const noRender = { default: null, parseHTML: () => null, renderHTML: () => ({}) }

const cellAttributes = parent => ({ ...parent, colwidth: noRender, align: noRender })

export const NewsTable = Table.extend({
  renderHTML() {
    return ['table', {}, ['tbody', 0]]
  },
}).configure({ resizable: false, renderWrapper: false, allowTableNodeSelection: true })

// Cells hold paragraphs (with marks and links), nothing larger: no tables, images or boxes inside a table.
export const NewsTableCell = TableCell.extend({
  content: 'paragraph+',
  addAttributes() {
    return cellAttributes(this.parent?.())
  },
})

export const NewsTableHeader = TableHeader.extend({
  content: 'paragraph+',
  addAttributes() {
    return cellAttributes(this.parent?.())
  },
})

export { TableRow as NewsTableRow }

const libraryImage = image => typeof image?.src === 'string' && image.src.startsWith('/media/') && !image.src.includes('..')

/** A gallery: several library images, each with its alt text. One unit in the editor (select, move, delete). */
export const Gallery = Node.create({
  name: 'gallery',
  group: 'block',
  atom: true,
  selectable: true,
  draggable: true,

  addAttributes() {
    return {
      images: {
        default: [],
        parseHTML: element => [...element.querySelectorAll('img')]
          .map(img => ({
            src: img.getAttribute('src') ?? '',
            alt: img.getAttribute('alt') ?? '',
            width: img.getAttribute('width'),
            height: img.getAttribute('height'),
          }))
          .filter(libraryImage),
        renderHTML: () => ({}),
      },
    }
  },

  parseHTML() {
    return [{ tag: 'div.gallery', priority: 60 }]
  },

  renderHTML({ node }) {
    const images = (node.attrs.images ?? []).filter(libraryImage).map(image => {
      const attributes = { src: image.src, alt: image.alt ?? '' }
      if (image.width) attributes.width = String(image.width)
      if (image.height) attributes.height = String(image.height)
      attributes.loading = 'lazy'
      return ['img', attributes]
    })
    return ['div', { class: 'gallery' }, ...images]
  },

  renderText() {
    return ''
  },

  addCommands() {
    return {
      insertGallery: images => ({ commands }) => {
        const clean = (images ?? []).filter(libraryImage).map(i => ({ src: i.src, alt: (i.alt ?? '').trim(), width: i.width ?? null, height: i.height ?? null }))
        if (clean.length === 0) return false
        return commands.insertBlockHere({ type: this.name, attrs: { images: clean } })
      },
    }
  },
})

export const PullQuote = Node.create({
  name: 'pullQuote',
  group: 'block',
  content: 'paragraph+',
  defining: true,
  parseHTML() {
    return [{ tag: 'aside.pull-quote', priority: 60 }]
  },
  renderHTML() {
    return ['aside', { class: 'pull-quote' }, 0]
  },
  addCommands() {
    return {
      insertPullQuote: () => ({ commands }) =>
        commands.insertBlockHere({ type: this.name, content: [{ type: 'paragraph' }] }),
    }
  },
})

export const FactBoxTitle = Node.create({
  name: 'factBoxTitle',
  content: 'text*',
  marks: '',
  defining: true,
  parseHTML() {
    return [{ tag: 'h2.fact-box__title', priority: 60, context: 'factBox/' }]
  },
  renderHTML() {
    return ['h2', { class: 'fact-box__title' }, 0]
  },
})

export const FactBox = Node.create({
  name: 'factBox',
  group: 'block',
  content: 'factBoxTitle (paragraph | bulletList | orderedList)+',
  defining: true,
  parseHTML() {
    return [{ tag: 'aside.fact-box', priority: 60 }]
  },
  renderHTML() {
    return ['aside', { class: 'fact-box' }, 0]
  },
  addCommands() {
    return {
      insertFactBox: (title = 'What we know so far') => ({ commands }) =>
        commands.insertBlockHere({
          type: this.name,
          content: [
            { type: 'factBoxTitle', content: [{ type: 'text', text: title }] },
            { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph' }] }] },
          ],
        }),
    }
  },
})

export const KeyPoints = Node.create({
  name: 'keyPoints',
  group: 'block',
  content: 'bulletList',
  defining: true,
  parseHTML() {
    return [{ tag: 'aside.key-points', priority: 60 }]
  },
  renderHTML() {
    return ['aside', { class: 'key-points' }, 0]
  },
  addCommands() {
    return {
      // Key points are the summary at the top of the story: they go first, and the cursor goes into them.
      insertKeyPoints: () => ({ state, chain }) => {
        const existing = state.doc.firstChild?.type.name === this.name
        if (existing) return chain().setTextSelection(4).run()
        return chain()
          .insertContentAt(0, { type: this.name, content: [{ type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph' }] }] }] })
          .setTextSelection(4)
          .run()
      },
    }
  },
})

/**
 * insertBlockHere: puts a block between blocks at the cursor: in place of the top-level block holding the cursor when
 * that is an empty paragraph (the line the writer typed "/" on), else after it. The cursor goes into the new block.
 */
export const BlockPlacement = Extension.create({
  name: 'blockPlacement',
  addCommands() {
    return {
      insertBlockHere: content => ({ state, chain }) => {
        const { $from } = state.selection
        if ($from.depth === 0) return chain().insertContentAt(state.selection.from, content).run()
        const block = $from.node(1)
        const range = { from: $from.before(1), to: $from.after(1) }
        const empty = block.type.name === 'paragraph' && block.content.size === 0
        const at = empty ? range.from : range.to
        return chain()
          .insertContentAt(empty ? range : range.to, content)
          .command(({ tr }) => {
            // Into the last text position of the new block, where the writer goes on typing (a fact box's first
            // point, a pull quote's text). After an atom (a gallery) the cursor goes past it.
            const inserted = tr.doc.nodeAt(at)
            if (inserted && !inserted.isAtom) {
              tr.setSelection(TextSelection.near(tr.doc.resolve(at + inserted.nodeSize - 1), -1))
            }
            return true
          })
          .run()
      },
    }
  },
})

export const blockExtensions = [NewsTable, TableRow, NewsTableHeader, NewsTableCell, Gallery, PullQuote, FactBoxTitle, FactBox, KeyPoints, BlockPlacement]

/** Inserts a table with a header row (3 columns, a header and two rows) where the cursor is. */
export function insertTable(chain) {
  return chain.insertTable({ rows: 3, cols: 3, withHeaderRow: true })
}
