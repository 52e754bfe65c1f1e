import { waitFor } from '@arcade/test-support';
import { GameLobby, start } from '../src/game-lobby';
import { nextOfType, type RunningExample, useExample } from './support/example';

interface PlayerJoined {
  type: 'player_joined';
  playerId: string;
  playerCount: number;
  isGameReady: boolean;
}

/** Connects a player and joins `lobbyId`; resolves its id, from the player_joined it receives about itself. */
async function joinLobby(example: RunningExample, lobbyId: string) {
  const client = await example.connect('/ws/game');
  await client.send(JSON.stringify({ action: 'join', lobbyId }));
  const joined = await nextOfType<PlayerJoined>(client, 'player_joined');
  return { client, id: joined.playerId, joined };
}

describe('game-lobby', () => {
  const example = useExample(start);

  it('announces players and starts the game once two are in', async () => {
    const first = await joinLobby(example(), 'lobby-1');
    expect(first.joined).toMatchObject({ type: 'player_joined', playerCount: 1, isGameReady: false });
    const second = await joinLobby(example(), 'lobby-1');
    expect(second.joined).toMatchObject({ playerCount: 2, isGameReady: true });
    expect(await first.client.nextJson()).toEqual(second.joined);

    await first.client.send(JSON.stringify({ action: 'start', lobbyId: 'lobby-1' }));
    for (const { client } of [first, second]) {
      expect(await nextOfType(client, 'game_started')).toEqual({
        type: 'game_started',
        gameId: expect.any(String),
        players: [first.id, second.id],
      });
    }

    // A game in progress takes no one else.
    const late = await example().connect('/ws/game');
    await late.send(JSON.stringify({ action: 'join', lobbyId: 'lobby-1' }));
    expect(await late.nextJson()).toEqual({ type: 'join_refused', lobbyId: 'lobby-1' });
  });

  it('refuses a fifth player, and frees the seat of one who leaves', async () => {
    const players = [];
    for (let seat = 0; seat < 4; seat++) players.push(await joinLobby(example(), 'lobby-2'));
    const fifth = await example().connect('/ws/game');
    await fifth.send(JSON.stringify({ action: 'join', lobbyId: 'lobby-2' }));
    expect(await fifth.nextJson()).toEqual({ type: 'join_refused', lobbyId: 'lobby-2' });

    await players[0]?.client.close();
    await waitFor(() => GameLobby.lobbies.get('lobby-2')?.playerCount === 3, {
      description: 'the seat to be freed',
    });
    await fifth.send(JSON.stringify({ action: 'join', lobbyId: 'lobby-2' }));
    expect(await fifth.nextJson()).toMatchObject({ type: 'player_joined', playerCount: 4 });
  });
});
