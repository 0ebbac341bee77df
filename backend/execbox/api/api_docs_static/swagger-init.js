// A file rather than an inline script: the pages' CSP allows scripts from this origin only.
SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The default sends the schema's URL to validator.swagger.io for a badge: nothing leaves the origin.
  validatorUrl: null,
});
