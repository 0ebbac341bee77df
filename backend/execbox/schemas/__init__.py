"""The API's request and response bodies (pydantic); the OpenAPI schema is generated from them."""
