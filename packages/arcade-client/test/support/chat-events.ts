// The events map the tests use, written as an app would write its own (README, "A typed chat").
import type { EventsMap } from '@arcade/ws/protocol';

export interface Line {
  user: string;
  text: string;
}

export interface ChatEvents extends EventsMap {
  toServer: {
    say: { room: string; text: string };
    typing: undefined;
    history: (query: { room: string }) => Line[];
    ping: () => 'pong';
  };
  toClient: {
    line: Line;
    notice: undefined;
  };
}
