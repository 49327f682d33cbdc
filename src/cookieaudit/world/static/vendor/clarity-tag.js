/*
 * Demo-world stand-in for the Microsoft Clarity tag (www.clarity.ms/tag/<projectId>).
 * Like the real one it only queues a "start" command and loads the versioned clarity.js from scripts.clarity.ms.
 * The server replaces the PROJECT and VERSION markers.
 */
(function (w, d, projectId, version) {
  'use strict';
  w.clarity = w.clarity || function () { (w.clarity.q = w.clarity.q || []).push(arguments); };
  if (w.clarity.t) { return; }
  w.clarity.t = true;
  w.clarity.q = w.clarity.q || [];
  w.clarity.q.unshift(['start', {projectId: projectId, upload: 'https://k.clarity.ms/collect', expire: 365,
    cookies: ['_uetvid', '_uetsid'], track: true, content: true, dob: 1955}]);
  var script = d.createElement('script');
  script.async = true;
  script.src = 'https://scripts.clarity.ms/' + version + '/clarity.js';
  var first = d.getElementsByTagName('script')[0];
  first.parentNode.insertBefore(script, first);
})(window, document, '/*PROJECT*/', '/*VERSION*/');
