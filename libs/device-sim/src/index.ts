// Public entry of @toolkit/device-sim: explicit named exports only.
export { generateEd25519KeyPair, generateSpecs, startDevice, startFleet } from './fleet';
export type { Fleet, FleetKeys, FleetOptions, StartedDevice } from './fleet';
export { SimulatedDevice } from './transport/simulated-device';
export { DeviceState, InterfaceState } from './device-state';
export type { VlanState, Ipv4, InterfaceKind } from './device-state';
export { FaultController, validateFaults } from './faults';
export { startControlApi } from './control-api';
export type { ControlApi, ControlApiOptions } from './control-api';
export { startSshd } from './sshd';
export type { SshdInstance, SshdOptions } from './sshd';
export { CommandTree, tokenize } from './cli/command-tree';
export { Pager } from './cli/pager';
export { CliSession } from './cli/cli-session';
export type { SessionIO } from './cli/cli-session';
export { getPlatform } from './platforms/registry';
export type { Platform, CliContext, CommandOutcome } from './platforms/platform';
export { CATALOG_PLATFORMS, PLATFORM_IDS } from './types';
export type {
  Credentials,
  DeviceSpec,
  FaultSpec,
  Inventory,
  InventoryDevice,
  InventoryInterface,
  PlatformId,
} from './types';
export { bareConnect } from './bare-client';
export type { BareSession } from './bare-client';
