import { isAllowedHref } from './links.js'

// Cleans clipboard HTML from Word, Google Docs and web pages down to what the newsroom editor holds:
// paragraphs, headings, bold/italic/underline, links, lists, quotes and rules. Pure: it parses with
// DOMParser, returns a string and touches nothing else. TipTap calls it as editorProps.transformPastedHTML.

const ELEMENT = 1
const TEXT = 3

// Removed together with everything inside them.
const DROP = new Set([
  'script', 'style', 'meta', 'link', 'xml', 'title', 'head', 'template', 'noscript', 'iframe', 'frame',
  'object', 'embed', 'applet', 'svg', 'math', 'img', 'picture', 'video', 'audio', 'source', 'track', 'canvas',
  'map', 'form', 'input', 'button', 'select', 'option', 'textarea', 'label', 'dialog',
])
// Office namespaces: o:p (Word's empty-paragraph filler), v: (VML shapes), w: (Word XML), m: (equations).
const DROP_NAMESPACED = /^(o|v|w|m):/

// Kept, attributes dropped (links keep a safe href).
const KEEP = new Set(['p', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'u', 'a', 'ul', 'ol', 'li', 'blockquote', 'br', 'hr'])
const RENAME = { b: 'strong', i: 'em', h1: 'h2' }

// Containers that become a paragraph when they hold only inline content, and disappear otherwise.
const BLOCK_CONTAINERS = new Set([
  'div', 'section', 'article', 'header', 'footer', 'main', 'aside', 'nav', 'figure', 'figcaption', 'address',
  'center', 'pre', 'td', 'th', 'caption', 'dt', 'dd', 'details', 'summary',
])
const BLOCKS = new Set([...KEEP].filter(n => !['strong', 'em', 'u', 'a', 'br'].includes(n)).concat([...BLOCK_CONTAINERS], [
  'h1', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'dl',
]))
const INLINE_FORMATTING = new Set(['strong', 'em', 'u', 'a'])
const HEADINGS = new Set(['h2', 'h3', 'h4', 'h5', 'h6'])

/** Parses a style attribute into a map of lower-case property names to values. */
function parseStyle(element) {
  const styles = new Map()
  for (const declaration of (element.getAttribute('style') ?? '').split(';')) {
    const colon = declaration.indexOf(':')
    if (colon < 0) continue
    styles.set(declaration.slice(0, colon).trim().toLowerCase(), declaration.slice(colon + 1).trim().toLowerCase())
  }
  return styles
}

function isBoldWeight(value) {
  if (!value) return false
  if (value === 'bold' || value === 'bolder') return true
  const number = parseInt(value, 10)
  return Number.isFinite(number) && number >= 600
}

function isNormalWeight(value) {
  if (!value) return false
  if (value === 'normal' || value === 'lighter') return true
  const number = parseInt(value, 10)
  return Number.isFinite(number) && number < 600
}

const hasText = node => /[^\s\u00a0\u200b]/.test(node.textContent ?? '')

function unwrap(element) {
  const parent = element.parentNode
  if (!parent) return
  while (element.firstChild) parent.insertBefore(element.firstChild, element)
  element.remove()
}

function replaceWith(element, name) {
  const replacement = element.ownerDocument.createElement(name)
  while (element.firstChild) replacement.appendChild(element.firstChild)
  element.replaceWith(replacement)
  return replacement
}

function removeComments(root) {
  const walker = root.ownerDocument.createTreeWalker(root, 128 /* NodeFilter.SHOW_COMMENT */)
  const comments = []
  while (walker.nextNode()) comments.push(walker.currentNode)
  for (const comment of comments) comment.remove()
}

// ---------------------------------------------------------------------------------------------------------
// Word: list items arrive as paragraphs (class MsoListParagraph*, style "mso-list:l0 level1 lfo1") whose
// bullet or number is a text run inside <span style="mso-list:Ignore">. Consecutive ones become <ul>/<ol>.

const WORD_LIST = /mso-list\s*:\s*(l\d+)\s+level(\d+)/i
const ORDERED_MARKER = /^\(?([0-9]+|[a-z]{1,3})[.)]$/i

function wordListInfo(paragraph) {
  if (paragraph.localName !== 'p') return null
  const style = paragraph.getAttribute('style') ?? ''
  const className = paragraph.getAttribute('class') ?? ''
  const match = WORD_LIST.exec(style)
  if (!match && !/^MsoListParagraph/i.test(className)) return null
  if (/mso-list\s*:\s*(none|ignore)/i.test(style)) return null

  let marker = ''
  for (const span of paragraph.querySelectorAll('span[style]')) {
    if (/mso-list\s*:\s*ignore/i.test(span.getAttribute('style'))) {
      marker ||= (span.textContent ?? '').replace(/[\s\u00a0]+/g, '')
      span.remove()
    }
  }
  if (!match && !marker) return null // an indented paragraph styled like a list, but no list
  return {
    list: match ? match[1] : '',
    level: match ? Math.max(1, parseInt(match[2], 10)) : 1,
    ordered: ORDERED_MARKER.test(marker),
  }
}

/** Next element sibling, skipping whitespace text (comments are already gone). */
function nextElement(node) {
  let next = node.nextSibling
  while (next && next.nodeType === TEXT && !hasText(next)) next = next.nextSibling
  return next && next.nodeType === ELEMENT ? next : null
}

function convertWordLists(root) {
  const doc = root.ownerDocument
  const paragraphs = [...root.querySelectorAll('p')]
  const done = new Set()
  for (const first of paragraphs) {
    if (done.has(first) || !first.isConnected) continue
    const firstInfo = wordListInfo(first)
    if (!firstInfo) continue

    // Collect the run of consecutive list paragraphs.
    const run = [[first, firstInfo]]
    for (let next = nextElement(first); next; next = nextElement(next)) {
      const info = wordListInfo(next)
      if (!info) break
      run.push([next, info])
    }

    const stack = [] // { level, ordered, list, element }
    for (const [paragraph, info] of run) {
      done.add(paragraph)
      while (stack.length && stack.at(-1).level > info.level) stack.pop()
      let top = stack.at(-1)
      if (top && top.level === info.level && (top.ordered !== info.ordered || (stack.length === 1 && top.list !== info.list))) {
        stack.pop() // a different list at the same level: close this one, open a sibling below
        top = stack.at(-1)
      }
      if (!top || top.level < info.level) {
        const element = doc.createElement(info.ordered ? 'ol' : 'ul')
        if (top) {
          let parentItem = top.element.lastElementChild
          if (!parentItem) parentItem = top.element.appendChild(doc.createElement('li'))
          parentItem.appendChild(element)
        } else {
          paragraph.parentNode.insertBefore(element, paragraph)
        }
        top = { level: info.level, ordered: info.ordered, list: info.list, element }
        stack.push(top)
      }
      const item = doc.createElement('li')
      while (paragraph.firstChild) item.appendChild(paragraph.firstChild)
      top.element.appendChild(item)
      paragraph.remove()
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// General cleaning: one pass, children first.

function clean(node, context) {
  if (node.nodeType === TEXT) {
    // Word wraps its HTML source lines inside paragraphs; a line break there is just a space.
    if (/[\r\n]/.test(node.data)) node.data = node.data.replace(/[ \t]*\r?\n[ \t]*/g, ' ')
    return
  }
  if (node.nodeType !== ELEMENT) {
    node.remove()
    return
  }

  const original = node.localName.toLowerCase()
  if (DROP.has(original) || DROP_NAMESPACED.test(original)) {
    node.remove()
    return
  }

  const style = parseStyle(node)
  let name = RENAME[original] ?? original

  // Google Docs wraps the whole fragment in <b style="font-weight:normal" id="docs-internal-guid-...">.
  if ((name === 'strong') && (isNormalWeight(style.get('font-weight')) || (node.id ?? '').startsWith('docs-internal-guid'))) {
    name = 'span'
  }
  // Headings carry their own weight: bold inside a heading is noise from the source's styles.
  if (name === 'strong' && context.inHeading) name = 'span'

  const childContext = {
    inLink: context.inLink || name === 'a',
    inHeading: context.inHeading || HEADINGS.has(name),
  }
  for (const child of [...node.childNodes]) clean(child, childContext)

  // Formatting that Google Docs and web pages express with inline styles on spans.
  const inline = !BLOCKS.has(name) && name !== 'br'
  const wrappers = []
  if (inline) {
    if (name !== 'strong' && !childContext.inHeading && isBoldWeight(style.get('font-weight'))) wrappers.push('strong')
    if (name !== 'em' && /italic|oblique/.test(style.get('font-style') ?? '')) wrappers.push('em')
    const decoration = `${style.get('text-decoration') ?? ''} ${style.get('text-decoration-line') ?? ''}`
    if (name !== 'u' && !childContext.inLink && /underline/.test(decoration)) wrappers.push('u')
  }
  if (wrappers.length && hasText(node)) {
    const doc = node.ownerDocument
    const outer = doc.createElement(wrappers[0])
    let inner = outer
    for (const wrapper of wrappers.slice(1)) inner = inner.appendChild(doc.createElement(wrapper))
    while (node.firstChild) inner.appendChild(node.firstChild)
    node.appendChild(outer)
  }

  if (name === 'a') {
    const href = (node.getAttribute('href') ?? '').trim()
    if (!href || !isAllowedHref(href)) {
      unwrap(node)
      return
    }
    const link = replaceWith(node, 'a')
    link.setAttribute('href', href)
    return
  }
  if (KEEP.has(name)) {
    replaceWith(node, name)
    return
  }
  if (BLOCK_CONTAINERS.has(name) && hasText(node)) {
    const blockChild = [...node.children].some(child => BLOCKS.has(child.localName))
    if (!blockChild) {
      replaceWith(node, 'p')
      return
    }
  }
  unwrap(node)
}

// ---------------------------------------------------------------------------------------------------------
// Structure fixes after cleaning.

function fixLists(root) {
  const doc = root.ownerDocument
  for (const list of root.querySelectorAll('ul, ol')) {
    for (const child of [...list.childNodes]) {
      if (child.nodeType === TEXT) {
        if (hasText(child)) list.replaceChild(doc.createElement('li'), child).appendChild(child)
        else child.remove()
        continue
      }
      if (child.localName === 'li') continue
      if (child.localName === 'ul' || child.localName === 'ol') {
        // Google Docs nests a sub-list directly inside the parent list; it belongs to the previous item.
        const previous = child.previousElementSibling
        if (previous && previous.localName === 'li') previous.appendChild(child)
        else list.replaceChild(doc.createElement('li'), child).appendChild(child)
        continue
      }
      list.replaceChild(doc.createElement('li'), child).appendChild(child)
    }
  }
  // A list item holding a single paragraph holds its text directly.
  for (const item of root.querySelectorAll('li')) {
    const elements = [...item.children]
    const onlyParagraph = elements.length === 1 && elements[0].localName === 'p' &&
      [...item.childNodes].every(n => n === elements[0] || (n.nodeType === TEXT && !hasText(n)))
    if (onlyParagraph) unwrap(elements[0]) // a paragraph followed by a nested list stays (TipTap's list item shape)
  }
}

function removeEmpty(root) {
  // Inline formatting and links with no text.
  for (const element of [...root.querySelectorAll('strong, em, u, a')].reverse()) {
    if (!hasText(element) && !element.querySelector('br')) unwrap(element)
  }
  // Line breaks at the start or end of a block, and between blocks (Google Docs' empty lines).
  for (const br of [...root.querySelectorAll('br')]) {
    const parent = br.parentNode
    if (parent === root || !parent) { br.remove(); continue }
    const siblings = [...parent.childNodes].filter(n => n.nodeType === ELEMENT || hasText(n))
    if (!INLINE_FORMATTING.has(parent.localName) && (siblings[0] === br || siblings.at(-1) === br)) br.remove()
  }
  // Blocks with nothing in them (Word's <p class=MsoNormal><o:p>&nbsp;</o:p></p>).
  for (const block of [...root.querySelectorAll('p, h2, h3, h4, h5, h6, li, blockquote, ul, ol')].reverse()) {
    if (!hasText(block) && !block.querySelector('hr')) block.remove()
  }
  // Whitespace between blocks.
  for (const parent of [root, ...root.querySelectorAll('ul, ol, blockquote')]) {
    for (const child of [...parent.childNodes]) {
      if (child.nodeType === TEXT && !hasText(child)) child.remove()
    }
  }
}

/** Returns cleaned HTML for the editor. HTML copied from this editor (ProseMirror) passes through unchanged. */
export function normalizePastedHtml(html) {
  if (typeof html !== 'string' || html === '') return ''
  if (/data-pm-slice/.test(html)) return html // copied inside a ProseMirror editor: already our own markup

  const doc = new DOMParser().parseFromString(html, 'text/html')
  const root = doc.body
  if (!root) return ''

  removeComments(root)
  const fromWord = /urn:schemas-microsoft-com:office|class="?Mso|mso-/i.test(html)
  if (fromWord) convertWordLists(root)

  for (const child of [...root.childNodes]) clean(child, { inLink: false, inHeading: false })
  fixLists(root)
  removeEmpty(root)
  return root.innerHTML.trim()
}
