import { TARGETS } from '../src/processes';
import { SCENARIO_LIST, targetsFor } from '../src/scenarios';

const scenario = (name: string) => SCENARIO_LIST.find((s) => s.name === name)!;

describe('target selection', () => {
  it('runs arcade-history next to arcade in the fan-out and cluster scenarios by default', () => {
    expect(targetsFor(scenario('fanout'), undefined)).toEqual([
      'arcade',
      'arcade-history',
      'ws',
      'ws-batch',
      'socketio',
    ]);
    expect(targetsFor(scenario('cluster'), undefined)).toEqual([
      'arcade',
      'arcade-history',
      'ws',
      'socketio',
    ]);
  });

  it('keeps arcade-history out of the scenarios that emit to no room', () => {
    for (const name of ['echo', 'connections', 'http']) {
      expect(scenario(name).accepts).not.toContain('arcade-history');
      expect(targetsFor(scenario(name), ['arcade', 'arcade-history'])).toEqual(['arcade']);
    }
  });

  it('takes the --target list in the scenario order, among the targets the scenario accepts', () => {
    expect(targetsFor(scenario('cluster'), ['socketio', 'arcade-history', 'ws-batch', 'arcade'])).toEqual([
      'arcade',
      'arcade-history',
      'ws-batch',
      'socketio',
    ]);
    expect(targetsFor(scenario('fanout'), ['fastify'])).toEqual([]);
  });

  it('starts arcade-history from the arcade server, switched by its environment alone', () => {
    expect(TARGETS['arcade-history'].script).toBe(TARGETS.arcade.script);
    expect(TARGETS['arcade-history'].dialect).toBe(TARGETS.arcade.dialect);
    expect(TARGETS['arcade-history'].env).toEqual({ ARCADE_HISTORY: '1' });
  });
});
