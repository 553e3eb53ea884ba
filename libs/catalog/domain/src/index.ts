export {
  checkCommandDefinition,
  extractPlaceholders,
  hasControlCharacters,
  isVlanId,
  suggestVariableName,
} from './command-rules';
export { createDevices } from './create-devices.use-case';
export { CredentialTokens } from './credential-tokens.use-case';
export { ResealCredentialSets } from './reseal-credential-sets.use-case';
export type { ResealOutcome } from './reseal-credential-sets.use-case';
export type { ResolvedCredentials } from './credential-tokens.use-case';
export type {
  CommandDoc,
  CredentialSetDoc,
  DeviceDoc,
  InterfaceDoc,
  IpAddressDoc,
  IpRef,
  NamedRef,
  ObjectChangeDoc,
  ParsingTemplateDoc,
  PlatformDoc,
  SiteDoc,
  StoredBase,
  Tag,
  Taggable,
  VlanDoc,
} from './entities';
export { matchesFilter } from './filter-matcher';
export {
  CUSTOM_TEMPLATE_TTL_MS,
  LIBRARY_ID_BASE,
  LIBRARY_PLATFORMS,
  MAX_CUSTOM_TEMPLATES,
  ParsingTemplates,
  applyTemplates,
  parsingSetting,
  templateProblem,
} from './parsing-templates';
export type { ParsingSetting, TemplateEntry } from './parsing-templates';
export { driverForPlatform } from './platform-aliases';
export type {
  ChangeLog,
  Clock,
  EventPublisher,
  JournalPart,
  Lease,
  Logger,
  Outbox,
  OutboxEntry,
  Repository,
  RequestContext,
  SecretBox,
  TokenIssuer,
  WriteJournal,
} from './ports';
export { PATHS, iso, objectUrl } from './presenters';
export { ObjectChangeLog } from './object-change-log';
export type { ExternalChangeInput, ObjectChangeLogOptions } from './object-change-log';
export { ConcurrencyLimit } from './concurrency-limit';
export { OutboxRelay } from './outbox-relay';
export { WriteTransactions } from './write-transactions';
export type { UndoStep } from './write-transactions';
export type { OutboxRelayOptions } from './outbox-relay';
export { BULK_RENDER_CONCURRENCY, RenderCommand, variablesError } from './render-command.use-case';
export type { BulkRenderOutcome, RenderItem } from './render-command.use-case';
export { Batch, ResourceService, WRITE_CHUNK } from './resource-service';
export type {
  BuildArgs,
  Built,
  CatalogEntity,
  PrepareOptions,
  Presented,
  ResourceDefinition,
  ResourceDeps,
  UniqueKey,
  WriteOptions,
} from './resource-service';
export {
  commandDisplay,
  createCatalogServices,
  normaliseCidr,
  presentCredentialSet,
} from './resources';
export type { CatalogDeps, CatalogRepositories, CatalogServices } from './resources';
export {
  MAX_RENDERED_LENGTH,
  bareAddress,
  needsDeviceData,
  normaliseValue,
  renderCommand,
  variableChoices,
} from './variable-rendering';
export type {
  CommandVariable,
  DeviceContext,
  RenderOutcome,
  VariableChoice,
  VariableErrorType,
  VariableProblem,
  VlanRef,
} from './variable-rendering';
