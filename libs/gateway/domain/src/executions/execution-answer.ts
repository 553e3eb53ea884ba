import { isFinishedStatus } from '@toolkit/api-contracts';
import type { ExecuteResponse, ExecutionRepresentation } from '@toolkit/api-contracts';

export function isFinished(execution: Pick<ExecutionRepresentation, 'status'>): boolean {
  return isFinishedStatus(execution.status);
}

/**
 * The synchronous answer from a finished execution as analytics recorded it: the
 * original's response shape and ours. `success` is true exactly when the command ran and
 * the device accepted it.
 */
export function executeAnswer(execution: ExecutionRepresentation): ExecuteResponse {
  const result = execution.result;
  return {
    success: result?.success ?? false,
    output: result?.output ?? '',
    error_message: result && !result.success ? result.error_message || null : null,
    execution_time: result?.execution_duration ?? null,
    command: {
      id: execution.command?.id ?? null,
      name: execution.command?.name ?? '',
      command_type: execution.command_type,
    },
    device: { id: execution.device.id, name: execution.device.name },
    syntax_error: result?.syntax_error ?? { detected: false },
    parsed_output: result?.parsed_output ?? {
      success: false,
      method: null,
      template: null,
      data: [],
      error: null,
    },
    execution_id: execution.id,
    command_log_id: result?.command_log_id ?? null,
    rendered_command: execution.rendered_command,
    error_class: result?.error_class ?? null,
    notes: execution.notes,
    status: execution.status,
    url: execution.url,
  };
}
