export { type ChatServer, type ChatServerOptions, createChatServer } from './chat-server';
export { ChatConfigError, readChatConfig } from './config';
export { type ChatHistoryOptions, HISTORY_LENGTH, HISTORY_TTL_MS } from './history';
export type * from './protocol';
export { DEFAULT_MESSAGE_RATE_LIMIT, type MessageRateLimit } from './rate-limiter';
export { MAX_FRAME_BYTES, MAX_NAME_LENGTH, MAX_ROOM_LENGTH, MAX_TEXT_LENGTH } from './validation';
