/** Where the agent API is mounted; the first is the one the docs and configs name, the second the legacy path. */
export const AGENT_API_PATHS = ['/api/v1/agents', '/api/chat-agent/v1'] as const;
