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

/**
 * Runs fn once, after the page's first paint: what need not come before it waits for it, so that the
 * banner never delays the page's own first content (README, "Why two tags"). At once when the page
 * has painted or is not visible (it will not paint); else at the first paint entry or after the first
 * frame once parsed, whichever is first, or when it is hidden; after 2 s in any case. Kept small: the
 * inline stub carries it (the core uses the stub's).
 * @param {() => void} fn
 */
export function afterPaint(fn) {
  let observer = null;
  const go = () => {
    const f = fn;
    fn = null;
    if (observer) observer.disconnect();
    if (f) safe(f)();
  };
  if (document.visibilityState !== "visible" || performance.getEntriesByType("paint").length) return go();
  try {
    (observer = new PerformanceObserver(go)).observe({ type: "paint" });
  } catch (e) {
    // no paint timing: the frame and the timeout below decide
  }
  const frame = () => requestAnimationFrame(() => setTimeout(go));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", frame);
  else frame();
  document.addEventListener("visibilitychange", go, { once: true });
  setTimeout(go, 2000);
}
