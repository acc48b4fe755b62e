import { Node } from '@tiptap/core'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { insertBetweenBlocks } from './see-also.js'

// The embed block: a post, video, track, map or chart from a known provider, stored as its link only:
//
//   <figure class="embed" data-provider="ID"><a href="URL">URL</a></figure>
//
// Providers are recognised by URL pattern. The patterns are the server's (EmbedProviders.cs), handed over when the
// editor starts, so the editor never makes an embed the server would refuse. An atom: selected, moved and deleted as
// one unit; in the editor it shows the provider's name and the URL (nothing is loaded from the provider here).

const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/
const MAX_URL_LENGTH = 2000

/** Compiles the server's table ({ id, name, patterns: [source] }) once. */
export function compileProviders(providers) {
  return (providers || []).map(p => ({ id: p.id, name: p.name, regexes: (p.patterns || []).map(source => new RegExp(source, 'i')) }))
}

/** The provider of `url` ({ id, name, url }), or null: the same rules as EmbedProviders.Recognize on the server. */
export function recognizeEmbed(providers, url) {
  const value = typeof url === 'string' ? url.trim() : ''
  if (!value || value.length > MAX_URL_LENGTH || !URL_CHARACTERS.test(value)) return null
  let parsed
  try {
    parsed = new URL(value)
  } catch {
    return null
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username || parsed.password) return null
  for (const provider of providers) {
    if (provider.regexes.some(regex => regex.test(value))) return { id: provider.id, name: provider.name, url: value }
  }
  return null
}

export const Embed = Node.create({
  name: 'embed',
  group: 'block',
  atom: true,
  selectable: true,
  draggable: true,

  addOptions() {
    return { providers: [] }
  },

  addAttributes() {
    const hidden = () => ({})
    return {
      provider: { default: null, renderHTML: hidden },
      url: { default: '', renderHTML: hidden },
    }
  },

  parseHTML() {
    return [{
      tag: 'figure.embed',
      priority: 60,
      // The provider comes from the link, not from data-provider; an unknown link is not an embed (its content
      // then reads as an ordinary paragraph and link, as the server keeps it).
      getAttrs: element => {
        const found = recognizeEmbed(this.options.providers, element.querySelector('a[href]')?.getAttribute('href'))
        return found ? { provider: found.id, url: found.url } : false
      },
    }]
  },

  renderHTML({ node }) {
    const { provider, url } = node.attrs
    return ['figure', { class: 'embed', 'data-provider': provider }, ['a', { href: url }, url]]
  },

  renderText({ node }) {
    return node.attrs.url ?? ''
  },

  addNodeView() {
    return ({ node }) => {
      const found = recognizeEmbed(this.options.providers, node.attrs.url)
      const dom = document.createElement('figure')
      dom.className = 'newsroom-embed'
      dom.setAttribute('contenteditable', 'false')
      dom.setAttribute('data-provider', node.attrs.provider ?? '')
      const label = document.createElement('span')
      label.className = 'newsroom-embed__provider'
      label.textContent = `Embed: ${found?.name ?? node.attrs.provider ?? ''}`
      const url = document.createElement('span')
      url.className = 'newsroom-embed__url'
      url.textContent = node.attrs.url ?? ''
      dom.append(label, url)
      return { dom }
    }
  },

  addCommands() {
    return {
      // Goes between blocks, like a See-also card: in place of an empty paragraph, else after the block holding
      // the cursor. Refuses a URL no provider matches.
      insertEmbed:
        url =>
        ({ state, commands }) => {
          const found = recognizeEmbed(this.options.providers, url)
          if (!found) return false
          const content = { type: this.name, attrs: { provider: found.id, url: found.url } }
          return insertBetweenBlocks(state, commands, content)
        },
    }
  },

  addProseMirrorPlugins() {
    const editor = this.editor
    const providers = this.options.providers
    return [
      new Plugin({
        key: new PluginKey('embedPaste'),
        props: {
          // A provider's URL pasted alone on an empty line becomes an embed; inside a sentence it stays a link.
          handlePaste: (view, event) => {
            const text = event.clipboardData?.getData('text/plain')?.trim() ?? ''
            if (!text || /\s/.test(text)) return false
            const { $from, empty } = view.state.selection
            if (!empty || $from.parent.type.name !== 'paragraph' || $from.parent.content.size !== 0) return false
            if (!recognizeEmbed(providers, text)) return false
            return editor.commands.insertEmbed(text)
          },
        },
      }),
    ]
  },
})
