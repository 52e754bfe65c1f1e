// chat-events.ts: one events map, imported by the server and by the page.
import type { EventsMap } from '@arcade/ws/protocol';
export interface Line { user: string; text: string }
export interface ChatEvents extends EventsMap {
  toServer: {
    say: { room: string; text: string };          // an event: a payload, no reply
    members: (query: { room: string }) => number;  // a request: (payload) => reply
  };
  toClient: { line: Line };                        // what the server sends
}
