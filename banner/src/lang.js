// The banner's language: `<html lang>`, then the browser's languages, then the site default.
import { LANGS } from "./constants.js";

/**
 * Normalises a language tag to a primary subtag we know ("nb-NO" → "nb", "no" → "nb").
 * @param {string} tag
 * @returns {string}
 */
function primary(tag) {
  const p = String(tag || "").toLowerCase().split(/[-_]/)[0];
  return p === "no" ? "nb" : p;
}

/**
 * The language to show. Only languages the site offers and that have texts (built in or given) are chosen.
 * @param {object} cfg normalised site config
 * @returns {string}
 */
export function pickLanguage(cfg) {
  const offered = cfg.languages.filter((l) => LANGS.includes(l) || (cfg.texts[l] && typeof cfg.texts[l] === "object"));
  const wanted = [document.documentElement.lang, ...(navigator.languages || [])].map(primary);
  return wanted.find((l) => offered.includes(l)) ||
    (offered.includes(cfg.defaultLanguage) ? cfg.defaultLanguage : offered[0] || "en");
}
