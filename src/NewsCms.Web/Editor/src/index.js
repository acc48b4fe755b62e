// Entry point of wwwroot/js/editor.js (built by the BuildEditorBundle target in NewsCms.Web.csproj).
export {
  createEditor,
  getHtml,
  setHtml,
  setEditable,
  setBaseVersion,
  markSaved,
  hasChanges,
  setBackupKey,
  watchFields,
  getLink,
  focus,
  destroy,
  runCommand,
  insertSeeAlso,
  insertEmbed,
  insertImage,
  insertGallery,
  readBackup,
  clearBackup,
  countWords,
  beginNote,
  addNoteMark,
  cancelNote,
  removeNoteMark,
  noteAnchors,
  highlightNote,
} from './editor.js'
export { normalizePastedHtml } from './paste.js'
export { isAllowedHref } from './links.js'
export { filterSlashItems, SLASH_ITEMS } from './slash-menu.js'
export { compileProviders, recognizeEmbed } from './embed.js'
