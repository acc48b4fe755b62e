import { Node } from '@tiptap/core'
import { isAllowedHref } from './links.js'

// A "See also" card pointing at another article. An atom block: the editor treats it as one unit
// (select, delete, drag), never edits inside it. The HTML is fixed, and the server sanitizer and the
// public article page rely on exactly this shape:
//
//   <aside class="see-also" data-article-id="ID"><span class="see-also__label">See also:</span> <a href="HREF">HEADLINE</a></aside>

const collapse = text => (text ?? '').replace(/\s+/g, ' ').trim()

const link = element => element.querySelector('a[href]')

/**
 * Inserts a block node between blocks, never into the middle of a sentence: after the top-level block holding the
 * cursor, or in place of it when that block is an empty paragraph. A selection is left intact.
 */
export function insertBetweenBlocks(state, commands, content) {
  const { $to } = state.selection
  if ($to.depth === 0) return commands.insertContentAt(state.selection.to, content)
  const block = $to.node(1)
  const range = { from: $to.before(1), to: $to.after(1) }
  if (block.type.name === 'paragraph' && block.content.size === 0) return commands.insertContentAt(range, content)
  return commands.insertContentAt(range.to, content)
}

export const SeeAlso = Node.create({
  name: 'seeAlso',
  group: 'block',
  atom: true,
  selectable: true,
  draggable: true,

  addAttributes() {
    // Attributes are rendered by renderHTML below, never by TipTap's attribute merging.
    const hidden = () => ({})
    return {
      id: {
        default: null,
        parseHTML: element => element.getAttribute('data-article-id'),
        renderHTML: hidden,
      },
      href: {
        default: '',
        parseHTML: element => {
          const href = link(element)?.getAttribute('href') ?? ''
          return isAllowedHref(href) ? href : ''
        },
        renderHTML: hidden,
      },
      headline: {
        default: '',
        parseHTML: element => collapse(link(element)?.textContent ?? ''),
        renderHTML: hidden,
      },
    }
  },

  parseHTML() {
    return [{ tag: 'aside.see-also', priority: 60 }]
  },

  renderHTML({ node }) {
    const { id, href, headline } = node.attrs
    return [
      'aside',
      { class: 'see-also', 'data-article-id': id == null ? '' : String(id) },
      ['span', { class: 'see-also__label' }, 'See also:'],
      ' ',
      ['a', { href: isAllowedHref(href) ? href : '' }, headline ?? ''],
    ]
  },

  renderText({ node }) {
    return `See also: ${node.attrs.headline ?? ''}`
  },

  addCommands() {
    return {
      // Goes between blocks (see insertBetweenBlocks).
      insertSeeAlso:
        ({ id, href, headline }) =>
        ({ state, commands }) => {
          const content = {
            type: this.name,
            attrs: {
              id: id == null ? null : String(id),
              href: isAllowedHref(href) ? href : '',
              headline: collapse(headline),
            },
          }
          return insertBetweenBlocks(state, commands, content)
        },
    }
  },
})
