/* IAB TCF v2.2 CMP stub, written for the cookieaudit CMP lab (inlined at the top of the page, before any
 * tag). What the TCF "CMP JS API v2.2" asks of a stub: window.__tcfapi exists at once; calls are queued until
 * the CMP loads (the CMP takes the queue by calling __tcfapi() without arguments, which is what
 * @iabtcf/cmpapi's CallResponder does); "ping" answers at once; a frame named "__tcfapiLocator" lets
 * scripts in iframes find the CMP and talk to it with postMessage ("__tcfapiCall" / "__tcfapiReturn").
 */
(function (w, d) {
  'use strict';
  if (typeof w.__tcfapi === 'function') { return; }
  var queue = [];
  function addLocator() {
    if (w.frames.__tcfapiLocator) { return; }
    if (!d.body) { setTimeout(addLocator, 5); return; }
    var f = d.createElement('iframe');
    f.style.cssText = 'display:none';
    f.name = '__tcfapiLocator';
    f.title = '__tcfapiLocator';
    d.body.appendChild(f);
  }
  function stub() {
    if (!arguments.length) { return queue; }
    var args = Array.prototype.slice.call(arguments);
    if (args[0] === 'ping' && typeof args[2] === 'function') {
      args[2]({gdprApplies: w.gdprAppliesGlobally !== false, cmpLoaded: false, cmpStatus: 'stub',
               displayStatus: 'hidden', apiVersion: '2.2'}, true);
      return undefined;
    }
    queue.push(args);
    return undefined;
  }
  w.__tcfapi = stub;
  addLocator();
  // postMessage bridge for frames: answer through whatever __tcfapi is at call time (the stub or the CMP)
  w.addEventListener('message', function (event) {
    var data = event.data;
    if (typeof data === 'string') { try { data = JSON.parse(data); } catch (e) { return; } }
    var call = data && data.__tcfapiCall;
    if (!call || !event.source) { return; }
    w.__tcfapi(call.command, call.version, function (returnValue, success) {
      var msg = {__tcfapiReturn: {returnValue: returnValue, success: success, callId: call.callId}};
      event.source.postMessage(typeof event.data === 'string' ? JSON.stringify(msg) : msg, '*');
    }, call.parameter);
  }, false);
})(window, document);
