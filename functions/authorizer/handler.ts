import type { AuthorizerSettings } from './settings';

export interface TokenAuthorizerEvent {
  readonly type: 'TOKEN';
  readonly authorizationToken?: string;
  readonly methodArn: string;
}

/** Placeholder until JWT verification lands: refuses every request (API Gateway answers 401). */
export function createHandler(_settings: AuthorizerSettings) {
  return async (_event: TokenAuthorizerEvent): Promise<never> => {
    throw new Error('Unauthorized');
  };
}
