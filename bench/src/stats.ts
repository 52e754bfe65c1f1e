/** Median of the finite values (NaN when there is none). */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** A growable store of samples (latencies in microseconds) with percentiles computed once at the end. */
export class Samples {
  private data = new Float64Array(1 << 16);
  private length = 0;

  add(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  get count(): number {
    return this.length;
  }

  /** Percentiles (0..100) of the samples, nearest-rank; NaN when empty. Sorts once. */
  percentiles(ranks: readonly number[]): number[] {
    if (this.length === 0) return ranks.map(() => Number.NaN);
    const sorted = this.data.subarray(0, this.length).sort();
    return ranks.map((rank) => {
      const index = Math.min(this.length - 1, Math.max(0, Math.ceil((rank / 100) * this.length - 1e-9) - 1));
      return sorted[index]!;
    });
  }
}
