// Which link targets the newsroom accepts: http, https, mailto, and relative addresses on this site.
// The server's HTML sanitizer enforces the same rule; this keeps the editor from producing anything it would drop.

const SCHEME = /^([a-z][a-z0-9+.-]*):/i

// Browsers ignore ASCII whitespace and control characters inside URLs ("java\tscript:" is "javascript:"),
// so they are removed before the scheme is read.
// eslint-disable-next-line no-control-regex
const IGNORED = /[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g

const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto'])

/** True for http:, https:, mailto: and scheme-less (relative) addresses; false for anything else or blank. */
export function isAllowedHref(href) {
  if (typeof href !== 'string') return false
  const compact = href.replace(IGNORED, '')
  if (!compact) return false
  const match = SCHEME.exec(compact)
  return !match || ALLOWED_SCHEMES.has(match[1].toLowerCase())
}
