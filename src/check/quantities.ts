/** Kubernetes quantities and durations, validated as the API server and Argo parse them. */

const CPU = /^([0-9]+m|[0-9]+(\.[0-9]+)?)$/;
const MEMORY = /^[0-9]+(\.[0-9]+)?(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki|k|m)?$/;

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

export function isCpuQuantity(s: string): boolean {
  return CPU.test(s);
}

export function isMemoryQuantity(s: string): boolean {
  return MEMORY.test(s);
}

/** The numeric value of a quantity, for comparing a request with its limit. */
export function quantityValue(s: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ei|Pi|Ti|Gi|Mi|Ki|[mkKMGTPE])?$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1);
}

/** `90`, `"90s"`, `"30m"`, `"1h30m"`, `"2d"` → seconds; undefined when malformed. */
export function durationSeconds(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v.trim());
  if (!m || v.trim() === '') return undefined;
  const [, d, h, min, sec] = m;
  const total = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(sec ?? 0);
  return total > 0 ? total : undefined;
}

/** Argo backoff durations are Go durations (`10s`, `2m`, `1h`). */
export function isGoDuration(s: string): boolean {
  return /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s);
}

const GO_UNIT_NS: Record<string, bigint> = { ns: 1n, us: 1_000n, 'µs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** A Go duration (`isGoDuration`) in nanoseconds, summed exactly as Go does (a fraction of a unit truncated to whole nanoseconds). */
export function goDurationNanos(text: string): bigint {
  let ns = 0n;
  for (const m of text.matchAll(/(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/g)) {
    const unit = GO_UNIT_NS[m[3]!]!;
    ns += BigInt(m[1]!) * unit + (m[2] ? (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length) : 0n);
  }
  return ns;
}

const ISO_DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** ISO-8601 durations as kfp's max_cache_staleness takes them (`P30D`, `PT1H`, `P0D`). */
export function isIsoDuration(s: string): boolean {
  return ISO_DURATION.test(s);
}

/**
 * The hours of an ISO-8601 duration as kfp v1's cache server counts them: it parses the
 * annotation with github.com/peterhellberg/duration into a Go time.Duration (int64
 * nanoseconds, at most about 292 years), a year being 8765.812 hours and a month 730.4841667.
 */
export function isoDurationHours(s: string): number | undefined {
  const m = ISO_DURATION.exec(s);
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i] ?? 0);
  return n(1) * 8765.812 + n(2) * 730.4841667 + n(3) * 168 + n(4) * 24 + n(6) + n(7) / 60 + n(8) / 3600;
}

/** The longest time.Duration, in hours: (2^63 - 1) ns. */
export const GO_DURATION_MAX_HOURS = 9_223_372_036_854_775_807 / 3.6e12;
