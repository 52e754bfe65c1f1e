import { medianOf, type RunRecord, ratioOf, ratioText } from '../src/report';

const record = (round: number, target: 'arcade' | 'ws', value: number): RunRecord => ({
  round,
  scenario: 'fanout',
  target,
  metrics: { deliveredPerSec: value },
});

describe('report figures', () => {
  const records: RunRecord[] = [
    record(0, 'arcade', 100),
    record(0, 'ws', 50),
    record(1, 'arcade', 300),
    record(1, 'ws', 100),
    record(2, 'arcade', 40),
    { round: 2, scenario: 'fanout', target: 'ws', error: 'crashed' },
  ];

  it('takes the median over rounds of one target', () => {
    expect(medianOf(records, 'fanout', 'arcade', 'deliveredPerSec')).toBe(100);
  });

  it('takes the median of same-round ratios, skipping rounds where either side failed', () => {
    expect(ratioOf(records, 'fanout', 'deliveredPerSec', 'arcade', 'ws')).toBe(2.5);
  });
});

describe('ratio text', () => {
  it('prints two decimals, and three when two would print the bound itself', () => {
    expect(ratioText(1.234)).toBe('1.23×');
    expect(ratioText(0.9987, 1)).toBe('0.999×');
    expect(ratioText(1.0012, 1)).toBe('1.001×');
    expect(ratioText(1, 1)).toBe('1.00×');
    expect(ratioText(1.05, 1)).toBe('1.05×');
    expect(ratioText(Number.NaN)).toBe('–');
  });
});
