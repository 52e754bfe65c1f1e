// Guide: "Game lobby" — GameLobby keeps lobbies of up to 4 players; players join over a WebSocket and
// the game starts once at least 2 are in. The guide gives only the class: the /ws/game route that
// drives it is ours.
// Run: node examples/dist/game-lobby.js, connect players to ws://localhost:3000/ws/game and send
//      {"action":"join","lobbyId":"lobby-1"}, then {"action":"start","lobbyId":"lobby-1"}
import type { ArcadeServer } from '@arcade/core';
import { emitToRoom, joinRoom, leaveRoom, route, runServer } from '@arcade/ws';
import { parseClientMessage, stringField } from './client-message';
import { type ExampleOptions, runFromCommandLine } from './run-example';

export type LobbyStatus = 'waiting' | 'inGame';

export class Lobby {
  static readonly minPlayers = 2;
  readonly players: string[] = [];
  status: LobbyStatus = 'waiting';
  gameId: string | null = null;

  constructor(
    readonly id: string,
    readonly maxPlayers: number,
  ) {}

  get playerCount(): number {
    return this.players.length;
  }

  get isFull(): boolean {
    return this.players.length >= this.maxPlayers;
  }

  get isGameReady(): boolean {
    return this.status === 'waiting' && this.players.length >= Lobby.minPlayers;
  }

  addPlayer(connectionId: string): void {
    if (!this.players.includes(connectionId)) this.players.push(connectionId);
  }

  removePlayer(connectionId: string): void {
    const index = this.players.indexOf(connectionId);
    if (index >= 0) this.players.splice(index, 1);
  }
}

// biome-ignore lint/complexity/noStaticOnlyClass: the guide's GameLobby, kept as a class
export class GameLobby {
  static readonly lobbies = new Map<string, Lobby>();
  static #games = 0;

  static async createLobby(lobbyId: string): Promise<void> {
    GameLobby.lobbies.set(lobbyId, new Lobby(lobbyId, 4));
  }

  static async joinLobby(connectionId: string, lobbyId: string): Promise<boolean> {
    const lobby = GameLobby.lobbies.get(lobbyId);
    if (lobby === undefined || lobby.isFull || lobby.status !== 'waiting') return false;
    await joinRoom(connectionId, lobbyId);
    lobby.addPlayer(connectionId);
    // Notify all players in the lobby
    await emitToRoom(
      lobbyId,
      JSON.stringify({
        type: 'player_joined',
        playerId: connectionId,
        playerCount: lobby.playerCount,
        isGameReady: lobby.isGameReady,
      }),
    );
    return true;
  }

  /** Not in the guide: a player who leaves (or disconnects) frees the seat. */
  static async leaveLobby(connectionId: string, lobbyId: string): Promise<void> {
    GameLobby.lobbies.get(lobbyId)?.removePlayer(connectionId);
    await leaveRoom(connectionId, lobbyId);
  }

  static async startGame(lobbyId: string): Promise<void> {
    const lobby = GameLobby.lobbies.get(lobbyId);
    if (lobby === undefined || !lobby.isGameReady) return;
    lobby.status = 'inGame';
    lobby.gameId = `${lobbyId}-game-${++GameLobby.#games}`;
    await emitToRoom(
      lobbyId,
      JSON.stringify({ type: 'game_started', gameId: lobby.gameId, players: lobby.players }),
    );
  }
}

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route.get('/ws/game').handleWebSocket((_ctx, websocket, id) => {
    const joined = new Set<string>();
    websocket.listen(
      async (data) => {
        const message = parseClientMessage(data);
        const lobbyId = stringField(message, 'lobbyId');
        if (lobbyId === undefined) return;
        if (message.action === 'join') {
          if (await GameLobby.joinLobby(id, lobbyId)) joined.add(lobbyId);
          else websocket.add(JSON.stringify({ type: 'join_refused', lobbyId }));
        } else if (message.action === 'start') {
          await GameLobby.startGame(lobbyId);
        }
      },
      {
        onDone: async () => {
          for (const lobbyId of joined) await GameLobby.leaveLobby(id, lobbyId);
        },
      },
    );
  });
}

export async function start(options: ExampleOptions): Promise<ArcadeServer> {
  await GameLobby.createLobby('lobby-1');
  await GameLobby.createLobby('lobby-2');

  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
