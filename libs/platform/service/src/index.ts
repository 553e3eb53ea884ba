export { guardRegexBacktracking } from './regex-guard';
export { runService } from './run-service';
export type {
  BaseServiceConfig,
  Infrastructure,
  RunServiceOptions,
  WiredService,
} from './run-service';
