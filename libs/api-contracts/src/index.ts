/**
 * Public REST API schemas (zod) and list specs, one definition per resource: services
 * validate requests with them, and the gateway builds the OpenAPI document from them.
 * Catalog resources live in ./catalog, analytics resources in ./analytics.
 */
export {};
