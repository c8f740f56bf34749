// Coded sets of tracker hosts (config `trackers`, made by consentkit/hostsets.py): FNV-1a hashes of
// host names, sorted and Golomb-Rice coded, so that every host the knowledge base knows fits in ~3 KB.

/**
 * FNV-1a, 32 bits, over a host name (ASCII: browsers give IDNs in punycode).
 * @param {string} s
 * @returns {number}
 */
export function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Decodes "k:base64" into the set of hashes; a malformed value gives an empty set.
 * @param {string} coded
 * @returns {Set<number>}
 */
export function decode(coded) {
  const out = new Set();
  const i = typeof coded === "string" ? coded.indexOf(":") : -1;
  if (i < 1) return out;
  const k = +coded.slice(0, i);
  let bin;
  try {
    bin = atob(coded.slice(i + 1));
  } catch (e) {
    return out;
  }
  const end = bin.length * 8;
  let pos = 0;
  let v = 0;
  const bit = () => (bin.charCodeAt(pos >> 3) >> (7 - (pos++ & 7))) & 1;
  while (pos < end) {
    let q = 0;
    while (pos < end && bit()) q++;
    if (pos + k > end) break;
    let r = 0;
    for (let j = 0; j < k; j++) r = r * 2 + bit();
    out.add((v += q * 2 ** k + r));
  }
  return out;
}

/**
 * Whether a host or one of its parent domains is in a decoded set.
 * @param {Set<number>} set
 * @param {string} host
 * @returns {boolean}
 */
export function holds(set, host) {
  const parts = host.split(".");
  for (let i = 0; i < parts.length - 1; i++) if (set.has(fnv(parts.slice(i).join(".")))) return true;
  return false;
}
