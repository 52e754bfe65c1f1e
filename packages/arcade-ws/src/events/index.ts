// Typed events on WebSocket routes (docs/events-protocol.md): importing this module adds
// `handleEvents` to core's route builder.
import './handle-events';

export { type EventEmitter, eventEmitter, type RoomEmitOptions, type TypedEmit } from './event-emitter';
export { EventError } from './event-error';
export type {
  EventHandler,
  EventHandlers,
  EventSchemas,
  EventSocket,
  EventsDefinition,
  EventsRouteOptions,
} from './types';
