/*
 * Cookie banner and analytics loader (no inline script: strict CSP).
 *
 * The page is the same for every visitor. This script asks the status endpoint what this
 * visitor decided: analytics accepted -> load the analytics script; undecided -> show the
 * banner; declined or no answer -> nothing (silence is refusal).
 */
(function () {
  "use strict";

  var config = document.getElementById("consent-config");
  if (!config || !window.fetch) {
    return;
  }
  var data = config.dataset;

  function loadAnalytics() {
    if (document.getElementById("analytics-script")) {
      return;
    }
    var script = document.createElement("script");
    script.id = "analytics-script";
    script.src = data.analyticsSrc;
    script.defer = true;
    document.head.appendChild(script);
  }

  function fromTemplate(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function announce(slot, templateId) {
    var message = fromTemplate(templateId);
    slot.replaceChildren(message);
    message.focus();
  }

  function showBanner(status) {
    var slot = document.getElementById("consent-slot");
    var banner = fromTemplate("consent-banner");
    banner.querySelectorAll("[data-consent]").forEach(function (button) {
      button.addEventListener("click", function () {
        var body = new FormData();
        body.append("action", button.dataset.consent);
        banner.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        fetch(status.saveUrl, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": status.csrftoken, "X-Requested-With": "fetch" }
        }).then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          announce(slot, "consent-saved");
          if (button.dataset.consent === "accept_all") {
            loadAnalytics();
          }
        }).catch(function () {
          banner.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          slot.appendChild(fromTemplate("consent-failed"));
        });
      });
    });
    // In the normal flow at the top of the page, so it never covers what has focus.
    slot.replaceChildren(banner);
  }

  fetch(data.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (status) {
      if (status.acceptedCookieGroups.indexOf("analytics") !== -1) {
        loadAnalytics();
      } else if (
        status.notAcceptedOrDeclinedCookieGroups.length > 0 && data.banner !== "off"
      ) {
        showBanner(status);
      }
    })
    .catch(function () { /* no answer: ask nothing, load nothing */ });
})();
