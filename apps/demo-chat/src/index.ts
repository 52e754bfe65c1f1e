export type * from './chat-events';
export { CHAT_PATH } from './chat-route';
export { type ChatServer, type ChatServerOptions, createChatServer, DEFAULT_HOST } from './chat-server';
export {
  type ClientBudget,
  type ClientLimitOptions,
  DEFAULT_CLIENT_LIMITS,
  FRAME_BUDGETS,
  type FrameBudget,
} from './client-limits';
export { CLIENT_MODULE_PATH } from './client-module';
export { ChatConfigError, readChatConfig } from './config';
export { type ChatHistoryOptions, HISTORY_LENGTH, HISTORY_TTL_MS } from './history';
export { METRICS_PATH } from './operations';
export { type AllowedOrigins, OriginPolicy } from './origin-policy';
export { DEFAULT_MESSAGE_RATE_LIMIT, type MessageRateLimit, type RateBudget } from './rate-limiter';
export { ROOM_DIRECTORY_LEASE_MS, type RoomDirectoryOptions } from './room-directory';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers';
export { MAX_FRAME_BYTES, MAX_NAME_LENGTH, MAX_ROOM_LENGTH, MAX_TEXT_LENGTH } from './validation';
