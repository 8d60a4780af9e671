// hppbot's Teams personal tab: ask Teams for a single sign-on token, post
// it to /auth/teams, which starts a session, then show My cases. Any
// failure leaves the page's own words (sign in with /hpp web) in place.
(function () {
  "use strict";
  var status = document.getElementById("tab-status");
  function say(text) {
    if (status) { status.textContent = text; }
  }
  if (!window.microsoftTeams || document.body.getAttribute("data-sso") !== "on") {
    return;
  }
  say("Signing you in…");
  var teams = window.microsoftTeams;
  teams.app.initialize().then(function () {
    return teams.authentication.getAuthToken();
  }).then(function (token) {
    return fetch("/auth/teams", {
      method: "POST",
      credentials: "include",
      headers: { "Authorization": "Bearer " + token }
    });
  }).then(function (res) {
    if (res.status === 204) {
      window.location.replace("/");
      return;
    }
    // The server says why in words meant for the person (text/plain).
    return res.text().then(function (words) {
      say(words || "I couldn't sign you in here. Type web in your chat with hppbot for a private sign-in link instead.");
    });
  }).catch(function () {
    say("I couldn't sign you in here. Type web in your chat with hppbot for a private sign-in link instead.");
  });
}());
