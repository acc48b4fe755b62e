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
  insertImage,
  readBackup,
  clearBackup,
  countWords,
} from './editor.js'
export { normalizePastedHtml } from './paste.js'
export { isAllowedHref } from './links.js'
