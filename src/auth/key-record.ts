export interface AuthenticatedKey { id: string }
