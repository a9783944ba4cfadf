/*
 * A local stand-in for Matomo, for `make run` and the tests: it sets cookies shaped like
 * Matomo's (_pk_id.<site>.<hash>, _pk_ses.<site>.<hash>) so that the consent flow can be tried
 * without an analytics server. It sends nothing anywhere. Loaded only after consent.
 */
(function () {
  "use strict";
  var config = document.getElementById("consent-config");
  var site = (config && config.dataset.matomoSite) || "1";
  // Matomo uses the first 4 hex digits of sha1(domain + path); any stable 4 hex digits will do.
  var text = location.hostname + "/";
  var hash = 0;
  for (var i = 0; i < text.length; i += 1) {
    hash = (hash * 31 + text.charCodeAt(i)) % 65536;
  }
  var suffix = site + "." + ("000" + hash.toString(16)).slice(-4);
  var visitor = Math.random().toString(16).slice(2, 18);
  var now = Math.floor(Date.now() / 1000);
  var secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "_pk_id." + suffix + "=" + visitor + "." + now +
    "; path=/; max-age=" + 60 * 60 * 24 * 395 + "; SameSite=Lax" + secure;
  document.cookie = "_pk_ses." + suffix + "=1; path=/; max-age=1800; SameSite=Lax" + secure;
  document.documentElement.setAttribute("data-analytics", "loaded");
})();
