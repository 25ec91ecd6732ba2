import { fitToolCallId } from '../shared/tool-call-id';

/**
 * Anthropic requires tool ids to match ^[a-zA-Z0-9_-]+$ (foreign ids such as `functions.Bash:0`
 * are rejected). The same function runs on `tool_use.id` and
 * `tool_result.tool_use_id`, so a rewritten pair stays paired.
 */
const ANTHROPIC_TOOL_ID = /^[a-zA-Z0-9_-]+$/;

export const toAnthropicToolId = (id: string): string => fitToolCallId(id, { pattern: ANTHROPIC_TOOL_ID });
