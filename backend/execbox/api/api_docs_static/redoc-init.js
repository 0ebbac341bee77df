// A file rather than an inline script: the pages' CSP allows scripts from this origin only.
Redoc.init('/openapi.json', {}, document.getElementById('redoc'));
