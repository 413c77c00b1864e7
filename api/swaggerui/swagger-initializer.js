// Masthead's Swagger UI: opens the spec that the page names in the
// data-spec attribute of #swagger-ui (always this API's /openapi.json).
// It is a file, not an inline script, so that /docs/ runs under a
// Content-Security-Policy that allows scripts from this origin only.
window.addEventListener("load", function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // No badge fetched from validator.swagger.io: nothing leaves this origin.
    validatorUrl: null,
    // ?url= and ?configUrl= in the address bar must not load another spec.
    queryConfigEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
  });
});
