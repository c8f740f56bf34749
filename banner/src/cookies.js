// Reading, writing and deleting cookies (and the storage entries the scan lists). No UI here.

/**
 * The raw values of every cookie of this name (one per domain and path that set it).
 * @param {string} name
 * @returns {string[]}
 */
export function readCookies(name) {
  const out = [];
  for (const part of document.cookie.split("; ")) {
    const i = part.indexOf("=");
    if (part.slice(0, i) === name) out.push(part.slice(i + 1));
  }
  return out;
}

/**
 * Writes a first-party cookie: path /, SameSite=Lax, Secure on https, shared across subdomains when
 * a domain is given.
 * @param {string} name
 * @param {string} value already encoded
 * @param {number} days lifetime
 * @param {string | null} domain
 */
export function writeCookie(name, value, days, domain) {
  document.cookie = name + "=" + value + "; path=/; max-age=" + Math.round(days * 86400) + "; SameSite=Lax" +
    (location.protocol === "https:" ? "; Secure" : "") + (domain ? "; domain=" + domain : "");
}

/**
 * The host and each parent domain (browsers ignore the ones that are public suffixes, so deleting on
 * them is harmless and stops at the registrable domain).
 * @param {string} host
 * @returns {string[]}
 */
export function parentDomains(host) {
  if (/^[\d.]+$|:/.test(host)) return [];
  const parts = host.split(".");
  return parts.slice(0, -1).map((_, i) => parts.slice(i).join("."));
}

/**
 * "/" and every prefix of a path: "/a/b" → ["/", "/a", "/a/b"].
 * @param {string} path
 * @returns {string[]}
 */
export function pathPrefixes(path) {
  const out = ["/"];
  let p = "";
  for (const seg of path.split("/").filter(Boolean)) out.push((p += "/" + seg));
  return out;
}

/**
 * Whether a cookie (or storage key) name matches a scanned cookie entry (exact, or prefix).
 * @param {string} name
 * @param {{name: string, pattern?: string}} entry
 * @returns {boolean}
 */
export function nameMatches(name, entry) {
  return entry.pattern === "prefix" ? name.startsWith(entry.name) : name === entry.name;
}

/**
 * Deletes every cookie matching the entries, on the current host and every parent domain, for "/",
 * the current path's prefixes and the path the scan saw; storage entries are removed from storage.
 * @param {Array<{name: string, kind?: string, pattern?: string, path?: string}>} entries
 */
export function deleteMatching(entries) {
  if (!entries.length) return;
  const names = document.cookie.split("; ").map((p) => p.split("=")[0]);
  const domains = ["", ...parentDomains(location.hostname)];
  for (const name of names) {
    const hits = entries.filter((e) => !/storage/i.test(e.kind || "") && nameMatches(name, e));
    if (!hits.length) continue;
    const paths = new Set([...pathPrefixes(location.pathname), ...hits.map((e) => e.path).filter(Boolean)]);
    for (const path of paths) {
      for (const d of domains) {
        document.cookie = name + "=; max-age=0; path=" + path + (d ? "; domain=" + d : "");
      }
    }
  }
  try {
    for (const store of [localStorage, sessionStorage]) {
      for (const key of Object.keys(store)) {
        if (entries.some((e) => /storage/i.test(e.kind || "") && nameMatches(key, e))) store.removeItem(key);
      }
    }
  } catch (e) {
    // storage disabled (privacy mode, sandboxed frame): nothing stored to delete
  }
}
