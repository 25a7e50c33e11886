// Swagger UI for ATN Hub, from files served by the app itself (no network). Signing in uses the
// authorization code flow with PKCE, as the public web client.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var redirect = new URL(container.dataset.oauthRedirect, window.location.href).href;
  window.ui = SwaggerUIBundle({
    url: container.dataset.specUrl,
    dom_id: "#swagger-ui-container",
    oauth2RedirectUrl: redirect,
    persistAuthorization: false,
  });
  window.ui.initOAuth({ clientId: "atn-hub-web", usePkceWithAuthorizationCodeGrant: true, scopes: "read" });
});
