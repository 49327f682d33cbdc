// Injected into every frame before any page script (context.add_init_script).
// 1. Records document.cookie writes with the script that made them (stack-derived URL).
// 2. Counts pending short timers so the settle logic can wait for "trackers that fire after a delay"
//    instead of sleeping for a fixed time.
(() => {
  if (window.__cookieauditInstalled) return;
  Object.defineProperty(window, "__cookieauditInstalled", { value: true, enumerable: false });

  const URL_RE = /(https?:\/\/[^\s)]+?):\d+:\d+/g;
  function callerScript() {
    const stack = (new Error()).stack || "";
    const urls = [];
    let m;
    while ((m = URL_RE.exec(stack)) !== null) urls.push(m[1]);
    return urls.length ? urls[0] : null;
  }

  let reportedWrites = 0;
  const desc = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (desc && desc.set) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true,
      enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(value) {
        try {
          // bounded: a script writing cookies in a loop must not flood the recorder (5000 + 1 so it sees the overflow)
          if (typeof window.__cookieauditCookieWrite === "function" && reportedWrites++ <= 5000) {
            window.__cookieauditCookieWrite(String(value).slice(0, 4096), callerScript(), location.href);
          }
        } catch (e) { /* never break the page */ }
        return desc.set.call(this, value);
      },
    });
  }

  // pending short timers (<= 2.5 s): a tracker scheduled with setTimeout is still "about to happen"
  let pending = 0;
  const live = new Set();
  const origSet = window.setTimeout, origClear = window.clearTimeout;
  window.setTimeout = function (fn, delay, ...rest) {
    const d = Number(delay) || 0;
    if (d > 2500 || typeof fn !== "function") return origSet.call(this, fn, delay, ...rest);
    let id;
    const wrapped = function () { if (live.delete(id)) pending--; return fn.apply(this, arguments); };
    id = origSet.call(this, wrapped, delay, ...rest);
    live.add(id); pending++;
    return id;
  };
  window.clearTimeout = function (id) { if (live.delete(id)) pending--; return origClear.call(this, id); };
  Object.defineProperty(window, "__cookieauditPendingTimers", { get: () => pending, enumerable: false });
})();
