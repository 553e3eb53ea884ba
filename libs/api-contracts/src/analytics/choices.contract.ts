/**
 * Choice values shown by the public analytics API. They mirror the Kafka contracts'
 * enums (@toolkit/contracts is not importable from here); a unit test in the analytics
 * app keeps them equal.
 */
export const API_PLATFORMS = [
  'cisco_ios',
  'cisco_nxos',
  'cisco_xr',
  'arista_eos',
  'juniper_junos',
  'linux',
  'frr',
] as const;

export const API_ERROR_CLASSES = [
  'unreachable',
  'connect_timeout',
  'auth_failed',
  'command_timeout',
  'syntax_error',
  'command_failed',
  'circuit_open',
  'disconnected',
  'invalid_request',
  'outcome_unknown',
  'internal',
] as const;

export const API_COMMAND_TYPES = ['show', 'config'] as const;

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'unknown',
  'cancelled',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
