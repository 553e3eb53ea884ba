import type {
  CommandCreate,
  CredentialSetCreate,
  DeviceCreate,
  InterfaceCreate,
  IpAddressCreate,
  ParsingTemplateCreate,
  PlatformCreate,
  SiteCreate,
  VlanCreate,
} from '@toolkit/api-contracts';
import type {
  CommandDoc,
  CredentialSetDoc,
  DeviceDoc,
  InterfaceDoc,
  IpAddressDoc,
  ParsingTemplateDoc,
  PlatformDoc,
  SiteDoc,
  StoredBase,
  VlanDoc,
} from './entities';
import type { ParsingTemplates } from './parsing-templates';
import type { WriteTransactions } from './write-transactions';
import type { ChangeLog, Clock, Logger, Repository, SecretBox, TokenIssuer } from './ports';
import { ResourceService } from './resource-service';
import { commandResource } from './resources/command.resource';
import { credentialSetResource } from './resources/credential-set.resource';
import { deviceResource } from './resources/device.resource';
import { interfaceResource } from './resources/interface.resource';
import { ipAddressResource } from './resources/ip-address.resource';
import { parsingTemplateResource } from './resources/parsing-template.resource';
import { platformResource } from './resources/platform.resource';
import type { ResourceEnv } from './resources/shared';
import { siteResource } from './resources/site.resource';
import { vlanResource } from './resources/vlan.resource';

export interface CatalogRepositories {
  platforms: Repository<PlatformDoc>;
  sites: Repository<SiteDoc>;
  devices: Repository<DeviceDoc>;
  interfaces: Repository<InterfaceDoc>;
  vlans: Repository<VlanDoc>;
  ipAddresses: Repository<IpAddressDoc>;
  commands: Repository<CommandDoc>;
  credentialSets: Repository<CredentialSetDoc>;
  parsingTemplates: Repository<ParsingTemplateDoc>;
  /** Ids for command variables (their own sequence). */
  allocateVariableIds(count: number): Promise<number[]>;
}

export interface CatalogDeps {
  repositories: CatalogRepositories;
  changes: ChangeLog;
  /** Every write runs in one; the services register how to undo their steps. */
  transactions: WriteTransactions;
  clock: Clock;
  logger: Logger;
  /** Seals credential-set secrets at rest (CREDENTIAL_KEYS). */
  credentialBox: SecretBox;
  tokens: TokenIssuer;
  /** The library and custom TextFSM templates (selection, validation of commands). */
  parsingTemplates: ParsingTemplates;
}

export interface CatalogServices {
  platforms: ResourceService<PlatformDoc, PlatformCreate>;
  sites: ResourceService<SiteDoc, SiteCreate>;
  devices: ResourceService<DeviceDoc, DeviceCreate>;
  interfaces: ResourceService<InterfaceDoc, InterfaceCreate>;
  vlans: ResourceService<VlanDoc, VlanCreate>;
  ipAddresses: ResourceService<IpAddressDoc, IpAddressCreate>;
  commands: ResourceService<CommandDoc, CommandCreate>;
  credentialSets: ResourceService<CredentialSetDoc, CredentialSetCreate>;
  parsingTemplates: ResourceService<ParsingTemplateDoc, ParsingTemplateCreate>;
}

export function createCatalogServices(deps: CatalogDeps): CatalogServices {
  const resourceDeps = {
    changes: deps.changes,
    transactions: deps.transactions,
    clock: deps.clock,
    logger: deps.logger,
  };
  // Filled below; definitions reach their siblings lazily for cascades.
  const services = {} as CatalogServices;
  const env: ResourceEnv = { repos: deps.repositories, services, deps };
  services.platforms = new ResourceService(platformResource(env), resourceDeps);
  services.sites = new ResourceService(siteResource(env), resourceDeps);
  services.devices = new ResourceService(deviceResource(env), resourceDeps);
  services.interfaces = new ResourceService(interfaceResource(env), resourceDeps);
  services.vlans = new ResourceService(vlanResource(env), resourceDeps);
  services.ipAddresses = new ResourceService(ipAddressResource(env), resourceDeps);
  services.commands = new ResourceService(commandResource(env), resourceDeps);
  services.credentialSets = new ResourceService(credentialSetResource(env), resourceDeps);
  services.parsingTemplates = new ResourceService(parsingTemplateResource(env), resourceDeps);
  const byEntity = new Map<string, ResourceService<StoredBase, never>>(
    Object.values(services).map((service) => [service.def.entity, service]),
  );
  deps.transactions.setUndo(async (part, txn) => {
    const service = byEntity.get(part.entity);
    if (!service) throw new Error(`no catalog resource undoes ${part.entity}`);
    await service.undo(part, txn);
  });
  return services;
}

export { commandDisplay } from './resources/command.resource';
export { presentCredentialSet } from './resources/credential-set.resource';
export { normaliseCidr } from './resources/ip-address.resource';
