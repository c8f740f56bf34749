// Small helpers shared by every module.

/**
 * Wraps a function so that nothing it throws reaches the host page: the error is logged instead.
 * @template {Function} F
 * @param {F} fn
 * @returns {F}
 */
export function safe(fn) {
  return function () {
    try {
      return fn.apply(this, arguments);
    } catch (e) {
      console.error("[consentkit]", e);
    }
  };
}

/**
 * Runs fn once the document is parsed (at once when it already is).
 * @param {() => void} fn
 */
export function whenParsed(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", safe(fn));
  else fn();
}

/**
 * Whether a category is granted in the current consent (necessary always is).
 * @param {object} state the banner state created by init()
 * @param {string} category
 * @returns {boolean}
 */
export function granted(state, category) {
  return category === "necessary" || !!(state.consent && state.consent.choices[category] === true);
}
