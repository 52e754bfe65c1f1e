// Guide: "Multi-room chat" — a ChatService keeping its rooms (with a short message history) and one
// WebSocket route on which a client joins, leaves, lists rooms and sends messages.
// Run: node examples/dist/multi-room-chat.js, connect to ws://localhost:3000/ws/multi-chat and send
//      {"action":"join_room","roomId":"general","username":"ada"}
//      {"action":"send_message","roomId":"general","text":"hi"}   {"action":"list_rooms"}
import type { ArcadeServer } from '@arcade/core';
import { emitToRoom, joinRoom, leaveRoom, route, runServer, updateConnectionMetadata } from '@arcade/ws';
import { parseClientMessage, stringField } from './client-message';
import { type ExampleOptions, runFromCommandLine } from './run-example';

export interface ChatMessage {
  readonly type: 'chat_message';
  readonly roomId: string;
  readonly from: string;
  readonly message: string;
  readonly timestamp: string;
}

export class Room {
  static readonly historySize = 50;
  readonly messages: ChatMessage[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
    readonly createdBy: string,
    readonly createdAt: Date,
  ) {}

  /** Keeps the newest {@link Room.historySize} messages. */
  addMessage(message: ChatMessage): void {
    this.messages.push(message);
    if (this.messages.length > Room.historySize) this.messages.shift();
  }
}

// biome-ignore lint/complexity/noStaticOnlyClass: the guide's ChatService, kept as a class
export class ChatService {
  static readonly rooms = new Map<string, Room>();

  static async createRoom(roomId: string, name: string, createdBy: string): Promise<void> {
    ChatService.rooms.set(roomId, new Room(roomId, name, createdBy, new Date()));
  }

  static async handleUserMessage(connectionId: string, roomId: string, text: string): Promise<void> {
    const room = ChatService.rooms.get(roomId);
    if (room === undefined) return;
    const chatMessage: ChatMessage = {
      type: 'chat_message',
      roomId,
      from: connectionId,
      message: text,
      timestamp: new Date().toISOString(),
    };
    // Store the message in the room's history, then broadcast it to all room members
    room.addMessage(chatMessage);
    await emitToRoom(roomId, JSON.stringify(chatMessage));
  }

  static async getRoomList(): Promise<string[]> {
    return [...ChatService.rooms.keys()];
  }
}

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route.get('/ws/multi-chat').handleWebSocket(
    (_ctx, websocket, id) => {
      websocket.listen(async (data) => {
        const message = parseClientMessage(data);
        const roomId = stringField(message, 'roomId');
        switch (message.action) {
          case 'join_room':
            if (roomId === undefined || !ChatService.rooms.has(roomId)) return;
            await joinRoom(id, roomId);
            await updateConnectionMetadata(id, {
              currentRoom: roomId,
              username: stringField(message, 'username') ?? null,
            });
            // Not in the guide: tells the client it is in (messages to the room reach it from now on)
            websocket.add(JSON.stringify({ type: 'room_joined', roomId }));
            break;
          case 'leave_room':
            if (roomId === undefined) return;
            await leaveRoom(id, roomId);
            websocket.add(JSON.stringify({ type: 'room_left', roomId }));
            break;
          case 'send_message': {
            const text = stringField(message, 'text');
            if (roomId !== undefined && text !== undefined) {
              await ChatService.handleUserMessage(id, roomId, text);
            }
            break;
          }
          case 'list_rooms':
            websocket.add(JSON.stringify({ type: 'room_list', rooms: await ChatService.getRoomList() }));
            break;
        }
      });
    },
    {
      onConnect: async (_ctx, websocket, id) => {
        // Send the available rooms
        const rooms = await ChatService.getRoomList();
        websocket.add(
          JSON.stringify({ type: 'connection_established', connectionId: id, availableRooms: rooms }),
        );
      },
    },
  );
}

export async function start(options: ExampleOptions): Promise<ArcadeServer> {
  // The guide never says where rooms come from: these two exist from the start.
  await ChatService.createRoom('general', 'General', 'system');
  await ChatService.createRoom('random', 'Random', 'system');

  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
