/*
 * Matomo's standard tracking snippet, moved into a static file (strict CSP allows no inline
 * script). Loaded only after consent; the server address and site id come from the page.
 */
(function () {
  "use strict";
  var config = document.getElementById("consent-config").dataset;
  var base = config.matomoUrl.replace(/\/$/, "") + "/";
  var _paq = (window._paq = window._paq || []);
  _paq.push(["setVisitorCookieTimeout", 60 * 60 * 24 * 395]); // at most 13 months
  _paq.push(["trackPageView"]);
  _paq.push(["enableLinkTracking"]);
  _paq.push(["setTrackerUrl", base + "matomo.php"]);
  _paq.push(["setSiteId", config.matomoSite]);
  var script = document.createElement("script");
  script.async = true;
  script.src = base + "matomo.js";
  document.head.appendChild(script);
  document.documentElement.setAttribute("data-analytics", "loaded");
})();
