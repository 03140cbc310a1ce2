// Starts Swagger UI on the API docs page. validatorUrl is off: by default Swagger UI
// would fetch a badge from an outside validator, and this page loads nothing from outside.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    layout: "BaseLayout",
  });
})();
