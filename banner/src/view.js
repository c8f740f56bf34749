// Entry of the view chunk (static/consentkit-ui.js): the banner's layers, placeholders and texts, and the
// outbox's sender. It has no
// state of its own; it hands its functions to the core, which calls them with the one state object.
import { HOOKS, VIEW_EVENT } from "./constants.js";
import { pump } from "./sender.js";
import { textsFor } from "./texts.js";
import { closeBanner, mount, openBanner, placeholder } from "./ui.js";

const view = { mount, openBanner, closeBanner, placeholder, textsFor, pump };
// Fetched early by the stub, the view may run before the core: it waits on the hooks for it.
if (window[HOOKS]) window[HOOKS].view = view;
document.dispatchEvent(new CustomEvent(VIEW_EVENT, { detail: view }));
