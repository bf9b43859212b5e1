// The API documentation page (/api/docs/): Swagger UI on the OpenAPI schema, from vendored
// assets (no CDN, no inline script: the CSP allows only 'self').
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
  });
})();
