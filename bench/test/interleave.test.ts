import { interleavedTurns } from '../src/load/interleave';

describe('interleavedTurns', () => {
  it('gives every server exactly one turn per pass', () => {
    const turns = interleavedTurns(3, 6);
    expect(turns).toHaveLength(18);
    for (const server of [0, 1, 2]) expect(turns.filter((turn) => turn === server)).toHaveLength(6);
  });

  it('keeps the given order on the first pass and reverses it on every other pass', () => {
    expect(interleavedTurns(3, 4)).toEqual([0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0]);
  });

  it('has nothing to schedule without servers', () => {
    expect(interleavedTurns(0, 6)).toEqual([]);
  });
});
