/*
 * Demo-world stand-in for the Hotjar site loader (static.hotjar.com/c/hotjar-<siteId>.js?sv=<n>).
 * As the real loader does, it publishes the site settings and loads the versioned modules bundle from
 * script.hotjar.com. The server replaces the SITE and MODULES markers.
 */
window.hjSiteSettings = window.hjSiteSettings || {
  site_id: Number('/*SITE*/'), r: 1, rec_value: 1, state_change_listen_mode: 'automatic', record: true,
  continuous_capture_enabled: true, recording_capture_keystrokes: false, anonymize_digits: true,
  anonymize_emails: true, suppress_all: false, user_attributes_enabled: true, polls: [], heatmaps: [],
  feedback_widgets: [], surveys: [], integrations: {}, tracking_code_verified: true
};
window.hjBootstrap = window.hjBootstrap || function (url, name) {
  'use strict';
  var script = document.createElement('script');
  script.async = true;
  script.src = url;
  script.setAttribute('data-hotjar', name);
  document.getElementsByTagName('head')[0].appendChild(script);
};
window.hjBootstrap('https://script.hotjar.com//*MODULES*/', 'hotjar-' + window.hjSiteSettings.site_id);
