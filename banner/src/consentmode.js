// Google Consent Mode v2: the default before any tag runs, an update on every choice.
import { CM_SIGNALS, CM_WAIT } from "./constants.js";

/** Pushes its arguments object to dataLayer, exactly as Google's gtag() snippet does. */
function gtag() {
  (window.dataLayer = window.dataLayer || []).push(arguments);
}

/**
 * `gtag('consent', 'default', …)`: every signal denied except security_storage, waiting for our update.
 * Must run before any Google tag: init() calls it synchronously.
 */
export function consentDefault() {
  const signals = { security_storage: "granted", wait_for_update: CM_WAIT };
  for (const c in CM_SIGNALS) for (const s of CM_SIGNALS[c]) signals[s] = "denied";
  gtag("consent", "default", signals);
}

/**
 * `gtag('consent', 'update', …)` from the visitor's choices, then a `consentkit_consent` dataLayer event.
 * @param {Record<string, boolean>} choices
 */
export function consentUpdate(choices) {
  const signals = {};
  for (const c in CM_SIGNALS) for (const s of CM_SIGNALS[c]) signals[s] = choices[c] ? "granted" : "denied";
  gtag("consent", "update", signals);
  window.dataLayer.push({ event: "consentkit_consent", consentkit: Object.assign({}, choices) });
}
