//! The OpenAPI documents. Each is generated from the handlers a service registers (their paths,
//! methods, parameters, bodies and answers come from the handlers' own annotations, through
//! utoipa-actix-web), then completed here with the answers the edge gives for any operation,
//! so that what the document says and what the service does cannot drift apart.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response};

/// Declares the bearer-token security scheme named "bearer" in a service's OpenAPI document.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// Adds `status` to an operation's answers unless the handler documented it itself.
fn answer(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

/// The answers any operation can give besides its own: refusals at the edge, the caller's
/// authentication and role, an id that names nothing, and the database being away.
fn complete(path: &str, op: &mut Operation) {
    answer(
        op,
        "400",
        "the request cannot be read: a malformed or out-of-range parameter, or a NUL character",
    );
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        answer(op, "401", "not logged in, or the session has ended");
        answer(op, "403", "the caller's role may not do this here");
    }
    if path.contains('{') {
        answer(op, "404", "nothing with that id in the caller's scope");
    }
    if op.request_body.is_some() {
        answer(op, "413", "the body is larger than accepted");
        answer(op, "415", "the body is not of the declared content type");
        answer(
            op,
            "422",
            "the body has invalid fields (every problem listed) or a NUL character",
        );
    }
    answer(
        op,
        "503",
        "the database is unavailable; retry after the given seconds",
    );
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// The document: the bearer scheme declared, and every operation's answers complete.
pub fn documented(mut api: OpenApi) -> OpenApi {
    utoipa::Modify::modify(&BearerAuth, &mut api);
    for (path, item) in api.paths.paths.iter_mut() {
        for op in operations(item) {
            complete(path, op);
        }
    }
    api
}

/// The document as served: `documented`, and what the service checks of every value said in
/// the schemas (`constraints`: rules JSON Schema can say that utoipa's types cannot hold, so
/// the served document is JSON).
pub fn served(api: &OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    crate::constraints::apply(&mut doc);
    doc
}
