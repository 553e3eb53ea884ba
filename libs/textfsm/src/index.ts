/**
 * @toolkit/textfsm — a TypeScript port of Google's TextFSM template engine,
 * compatible with the community ntc-templates.
 */
export { TextFsmBaseError, TextFsmError, TextFsmIndexError, TextFsmTemplateError } from './errors';
export { TextFsmMatchLimitError } from './errors';
export { loadIndexFile, parseWithIndexFile } from './index-loader';
export type { LoadedIndex } from './index-loader';
export { TemplateLibrary } from './template-library';
export type { LibraryTemplate } from './template-library';
export { PythonRegex, compilePythonRegex, isAscii } from './python-regex/python-regex';
export type { PythonMatch } from './python-regex/python-regex';
export type { PythonRegexOptions } from './python-regex/python-regex';
export { DEFAULT_STEP_BUDGET, RegexStepLimitError } from './python-regex/regex-backtracker';
export { PythonRegexError } from './python-regex/regex-parser';
export {
  TemplateIndex,
  expandCommandCompletion,
  parseWithIndex,
  parseWithTemplates,
  tableToRecords,
} from './template-index';
export type { IndexAttributes, TemplateLoader } from './template-index';
export { MAX_NAME_LEN, VALUE_OPTIONS } from './template-parser';
export type { LineOp, RecordOp, ValueDefinition, ValueOption } from './template-parser';
export { TextFsmTemplate, compileTemplate, parseText, parseTextToRecords } from './text-fsm';
export type { CellValue, ListItem, ParseOptions, ParseTable, TextFsmRecord } from './text-fsm';
