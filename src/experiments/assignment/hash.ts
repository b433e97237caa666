/**
 * Assignment hashing: FNV-1a 32-bit and GrowthBook's published bucketing over it, so an
 * assignment made here can be reproduced by any GrowthBook SDK given the same seed and id.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit of a string's UTF-16 code units (as GrowthBook's SDKs hash them). */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A lead's position in [0, 1) for a seed: GrowthBook's hash version 2, a double FNV-1a that
 * spreads ids sharing a prefix. The same seed and id always give the same position.
 */
export function bucketOf(seed: string, id: string): number {
  return (fnv1a32(String(fnv1a32(seed + id))) % 10_000) / 10_000;
}

/** GrowthBook's hash version 1, kept for namespaces, which GrowthBook still hashes with it. */
export function bucketV1(seed: string, id: string): number {
  return (fnv1a32(id + seed) % 1_000) / 1_000;
}
