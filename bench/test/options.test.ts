import { parseOptions } from '../src/options';

describe('parseOptions', () => {
  it('runs every scenario but cluster-sharded for three rounds of 2 s by default', () => {
    const options = parseOptions([]);
    expect(options.scenarios).toEqual([
      'fanout',
      'big-room',
      'echo',
      'storage-echo',
      'echo-latency',
      'connections',
      'storage-idle',
      'scale',
      'cluster',
      'http',
    ]);
    expect(options.durationMs).toBe(2000);
    expect(options.scaleRungs).toEqual([1000, 5000, 10_000, 18_000]);
    expect(options.rounds).toBe(3);
    expect(options.targets).toBeUndefined();
    expect(options.cpuProf).toBe(false);
  });

  it('reads scenarios, targets, numbers and flags, skipping the `--` pnpm passes through', () => {
    const options = parseOptions([
      '--',
      '--scenario',
      'fanout',
      '--target',
      'arcade,ws',
      '--window',
      '4',
      '--cpu-prof',
    ]);
    expect(options).toMatchObject({
      scenarios: ['fanout'],
      targets: ['arcade', 'ws'],
      window: 4,
      cpuProf: true,
    });
  });

  it('cuts each echo and HTTP target into six slices unless --slices says otherwise', () => {
    expect(parseOptions([]).slices).toBe(6);
    expect(parseOptions(['--quick']).slices).toBe(6);
    expect(parseOptions(['--slices', '10']).slices).toBe(10);
  });

  it('still takes the old --http-slices for --slices', () => {
    expect(parseOptions(['--http-slices', '4']).slices).toBe(4);
  });

  it('refuses a number of slices that is not a whole number of at least 1', () => {
    expect(() => parseOptions(['--slices', '0'])).toThrow(/--slices must be/);
    expect(() => parseOptions(['--slices', '2.5'])).toThrow(/--slices must be/);
  });

  it('shortens everything with --quick', () => {
    expect(parseOptions(['--quick'])).toMatchObject({
      rounds: 1,
      durationMs: 1000,
      idleConnections: 2000,
      idleWarmup: 1000,
      bigRoomMembers: 2000,
      scaleRungs: [500, 1000, 2000],
    });
  });

  it('reads the scale ladder as increasing whole numbers, and refuses anything else', () => {
    expect(parseOptions(['--scale', '100,200']).scaleRungs).toEqual([100, 200]);
    expect(parseOptions(['--quick', '--scale', '300']).scaleRungs).toEqual([300]);
    expect(() => parseOptions(['--scale', '200,100'])).toThrow(/--scale takes increasing whole numbers/);
    expect(() => parseOptions(['--scale', '1,x'])).toThrow(/--scale takes increasing whole numbers/);
    expect(() => parseOptions(['--scale', '0'])).toThrow(/--scale takes increasing whole numbers/);
  });

  it('does not share the default ladder between runs', () => {
    parseOptions([]).scaleRungs.push(1);
    expect(parseOptions([]).scaleRungs).toEqual([1000, 5000, 10_000, 18_000]);
  });

  it('refuses unknown scenarios and options with the usage text', () => {
    expect(() => parseOptions(['--scenario', 'nope'])).toThrow(/unknown scenario nope[\s\S]*usage/);
    expect(() => parseOptions(['--rounds'])).toThrow(/unknown or incomplete option --rounds/);
    expect(() => parseOptions(['--rounds', 'many'])).toThrow(/--rounds/);
  });
});
