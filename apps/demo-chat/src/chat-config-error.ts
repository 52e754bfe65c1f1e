/**
 * Thrown when the server's configuration (an environment variable, an option of `createChatServer`)
 * holds something the server cannot use. The message names the setting and what it accepts.
 */
export class ChatConfigError extends Error {
  override readonly name = 'ChatConfigError';
  readonly code = 'INVALID_CONFIG';
}
