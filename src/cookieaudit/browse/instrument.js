// Injected into every frame before any page script (context.add_init_script).
// 1. Records storage writes (document.cookie, cookieStore, Web Storage, IndexedDB, Cache API, service workers,
//    Privacy Sandbox calls) with the script that made them (stack-derived URL), the frame and its partition.
// 2. Keeps the due time of pending timers so the settle logic can wait for "trackers that fire after a delay"
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

  // 3. Storage writes in this frame (issue 13): Web Storage, IndexedDB, Cache API, service workers, cookieStore and
  //    document.cookie, plus Privacy Sandbox calls. Each call is reported at once (time, script, frame origin, the
  //    top-level origin = partition) and again with its outcome when the browser answers, so a frame removed right
  //    after the write still leaves its call behind. Time: the browser's clock (performance.timeOrigin + now).
  const ancestors = (() => { try { return Array.from(location.ancestorOrigins || []); } catch (e) { return []; } })();
  const TOP = ancestors.length ? ancestors[ancestors.length - 1] : (() => { try { return location.origin; } catch (e) { return null; } })();
  let seq = 0, reported = 0;
  const now = () => performance.timeOrigin + performance.now();
  // batched: every report of one task goes out in one binding call at the end of the task (a microtask, so it
  // leaves before the frame can be removed by a later task); bounded per document (the recorder sees the overflow)
  let queue = [];
  function flush() {
    const batch = queue;
    queue = [];
    try { if (batch.length && typeof window.__cookieauditStore === "function") window.__cookieauditStore(batch); }
    catch (e) { /* never break the page */ }
  }
  function send(ev) {
    if (reported++ >= 12000) {   // the recorder learns that this document was cut off
      if (reported === 12001) { queue.push({overflow: true}); try { queueMicrotask(flush); } catch (e) {} }
      return;
    }
    if (!queue.length) { try { queueMicrotask(flush); } catch (e) { Promise.resolve().then(flush); } }
    queue.push(ev);
  }
  try { window.addEventListener("pagehide", flush); } catch (e) {}
  function describe(api, kind, key, value, extra) {
    return Object.assign({id: (++seq) + ":" + Math.random().toString(36).slice(2, 8), api: api, kind: kind,
      key: String(key == null ? "" : key).slice(0, 1024), value: value == null ? null : String(value).slice(0, 4096),
      script: callerScript(), href: location.href, origin: location.origin, top: TOP, ts: now(), accepted: null},
      extra || {});
  }
  function call(api, kind, key, value, extra) {
    const ev = describe(api, kind, key, value, extra);
    send(ev);
    return ev.id;
  }
  function outcome(id, accepted, error, extra) {
    send(Object.assign({id: id, outcome: true, accepted: accepted, error: error ? String(error).slice(0, 300) : null, ts: now()}, extra || {}));
  }
  function wrapPromise(proto, name, describe, after) {
    if (!proto || typeof proto[name] !== "function") return;
    const orig = proto[name];
    proto[name] = function (...args) {
      let id = null;
      try { const d = describe.apply(this, args); if (d) id = call(...d); } catch (e) {}
      let p;
      try { p = orig.apply(this, args); } catch (e) { if (id) outcome(id, false, e && e.name + ": " + e.message); throw e; }
      if (id && p && typeof p.then === "function") {
        p.then((r) => { let x = null; try { x = after ? after(r) : null; } catch (e) {} outcome(id, true, null, x); },
               (e) => outcome(id, false, e && (e.name + ": " + e.message)));
      }
      return p;
    };
  }
  try {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      let kind = "local";
      try { if (this === window.sessionStorage) kind = "session"; } catch (e) {}
      // synchronous: one report with its outcome (half the traffic of call + outcome)
      const ev = describe("Storage.setItem", kind, k, v);
      try { const r = setItem.call(this, k, v); ev.accepted = true; send(ev); return r; }
      catch (e) { ev.accepted = false; ev.error = String(e && (e.name + ": " + e.message)).slice(0, 300); send(ev); throw e; }
    };
  } catch (e) {}
  try {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (name, version) {
      const id = call("indexedDB.open", "indexeddb", name, version == null ? null : version);
      let req;
      try { req = version === undefined ? open.call(this, name) : open.call(this, name, version); }
      catch (e) { outcome(id, false, e && (e.name + ": " + e.message)); throw e; }
      try {
        req.addEventListener("success", () => outcome(id, true));
        req.addEventListener("error", () => outcome(id, false, req.error && req.error.name));
      } catch (e) {}
      return req;
    };
  } catch (e) {}
  try { wrapPromise(window.CacheStorage && CacheStorage.prototype, "open", (n) => ["caches.open", "cache", n, null]); } catch (e) {}
  try {
    wrapPromise(window.ServiceWorkerContainer && ServiceWorkerContainer.prototype, "register",
      (u, o) => ["serviceWorker.register", "service-worker", new URL(String(u), location.href).href, null,
                 {scope: o && o.scope ? new URL(String(o.scope), location.href).href : null}],
      (reg) => ({scope: reg && reg.scope}));
  } catch (e) {}
  try {
    wrapPromise(window.CookieStore && CookieStore.prototype, "set", (a, b) => {
      const o = (a && typeof a === "object") ? a : {name: a, value: b};
      const attrs = [];
      for (const k of ["domain", "path", "sameSite", "partitioned"]) if (o[k] != null) attrs.push(k + "=" + o[k]);
      if (o.expires != null) attrs.push("expires=" + new Date(o.expires).toUTCString());
      return ["cookieStore.set", "cookie-store", o.name, [String(o.name) + "=" + String(o.value)].concat(attrs).join("; "), null];
    });
  } catch (e) {}
  // Privacy Sandbox / tracking APIs (recorded as calls; Chromium may refuse them: the outcome says so)
  try { wrapPromise(Document.prototype, "browsingTopics", () => ["document.browsingTopics", "topics", "", null]); } catch (e) {}
  try { wrapPromise(Navigator.prototype, "joinAdInterestGroup", (g) => ["navigator.joinAdInterestGroup", "interest-group", g && g.name, g && g.owner]); } catch (e) {}
  try { wrapPromise(Navigator.prototype, "runAdAuction", (c) => ["navigator.runAdAuction", "interest-group", "auction", c && c.seller]); } catch (e) {}
  try {
    const SS = window.SharedStorage && SharedStorage.prototype;
    for (const m of ["set", "append"]) wrapPromise(SS, m, (k, v) => ["sharedStorage." + m, "shared-storage", k, v]);
  } catch (e) {}

  // document.cookie writes: reported with whether the browser kept them (read back at once; a deletion is kept when
  // the name is gone; a Path/Domain elsewhere cannot be read back here: accepted stays null, the jar decides)
  const desc = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  function cookieKept(doc, value) {
    const parts = String(value).split(";").map((p) => p.trim());
    const eq = parts[0].indexOf("=");
    const name = eq < 0 ? "" : parts[0].slice(0, eq).trim(), val = eq < 0 ? parts[0] : parts[0].slice(eq + 1).trim();
    let deletion = false, elsewhere = false;
    for (const a of parts.slice(1)) {
      const [k, v = ""] = a.split("=").map((x) => x.trim());
      const key = k.toLowerCase();
      if (key === "max-age" && Number(v) <= 0) deletion = true;
      if (key === "expires" && Date.parse(v) < Date.now()) deletion = true;
      if (key === "path" && v && !location.pathname.startsWith(v)) elsewhere = true;
    }
    if (elsewhere) return null;
    const jar = "; " + desc.get.call(doc) + ";";
    const present = jar.indexOf("; " + (name ? name + "=" : "") + val + ";") >= 0;
    const named = name ? jar.indexOf("; " + name + "=") >= 0 : present;
    return deletion ? !named : present;
  }
  let cookieChecks = 0;
  if (desc && desc.set) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true,
      enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(value) {
        let ev = null;
        try { ev = describe("document.cookie", "cookie", String(value).split("=", 1)[0].trim(), String(value)); } catch (e) {}
        const r = desc.set.call(this, value);
        // reading back is a synchronous round trip to the browser: only the first 200 writes of a document are
        // checked (a script writing cookies in a loop would otherwise be slowed down); later ones stay null
        try { if (ev) { if (++cookieChecks <= 200) ev.accepted = cookieKept(this, value); send(ev); } } catch (e) {}
        return r;
      },
    });
  }

  // pending timers: a tracker scheduled with setTimeout is still "about to happen". Each timer's due time is kept
  // (performance.now() ms) so the settle logic can wait for those due before it would give up anyway; a chain of
  // timers each scheduled from the previous one's callback (a polling loop) counts for its first links only.
  const MAX_CHAIN = 3;
  const live = new Map();   // id -> due
  let depth = 0, lastFired = -1;
  const origSet = window.setTimeout, origClear = window.clearTimeout;
  // for the auditor's own scripts (autoconsent): their timers are not the page's and never delay the settle
  Object.defineProperty(window, "__cookieauditUntrackedTimers", { value: [origSet, origClear], enumerable: false });
  window.setTimeout = function (fn, delay, ...rest) {
    const d = Math.max(0, Number(delay) || 0);
    if (typeof fn !== "function") return origSet.call(this, fn, delay, ...rest);
    const mine = depth + 1, tracked = mine <= MAX_CHAIN;
    let id;
    const wrapped = function () {
      if (tracked) { live.delete(id); lastFired = performance.now(); }
      const outer = depth; depth = mine;
      try { return fn.apply(this, arguments); } finally { depth = outer; }
    };
    id = origSet.call(this, wrapped, delay, ...rest);
    if (tracked) live.set(id, performance.now() + d);
    return id;
  };
  window.clearTimeout = function (id) { live.delete(id); return origClear.call(this, id); };
  // [ms until the last pending timer due before `until` (page clock, ms; null: now + `offset`) fires, or -1;
  // ms since a tracked timer last fired, or -1; `until`]
  Object.defineProperty(window, "__cookieauditTimers", {
    value: (until, offset) => {
      const at = performance.now();
      if (until == null) until = at + offset;
      let last = -1;
      for (const due of live.values()) if (due <= until && due > last) last = due;
      return [last < 0 ? -1 : Math.max(0, last - at), lastFired < 0 ? -1 : at - lastFired, until];
    },
    enumerable: false,
  });
})();
