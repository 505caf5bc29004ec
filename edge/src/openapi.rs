//! The OpenAPI 3.1 document, generated from [`crate::routes::ROUTES`] and the `schemars` schemas of the
//! shared types. OpenAPI 3.1 uses JSON Schema 2020-12 as is, so schemas need no translation; only their
//! `$ref`s are pointed at `#/components/schemas`.

use crate::routes::{ParamKind, Route, ROUTES};
use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};
use tongban_shared::error::ErrorBody;

fn param_schema(kind: ParamKind) -> Value {
    match kind {
        ParamKind::Slug => json!({"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "minLength": 2, "maxLength": 48}),
        ParamKind::Int { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        ParamKind::Text { max_chars } => json!({"type": "string", "maxLength": max_chars}),
        ParamKind::Enum(values) => json!({"type": "string", "enum": values}),
        ParamKind::List(values) => json!({"type": "array", "items": {"type": "string", "enum": values}}),
        ParamKind::Id => json!({"type": "string", "pattern": "^[0-9a-f]{32}$"}),
    }
}

fn operation(r: &Route, gen: &mut schemars::SchemaGenerator) -> Value {
    let mut params = Vec::new();
    for p in r.path_params {
        params.push(json!({"name": p.name, "in": "path", "required": true, "description": p.description, "schema": param_schema(p.kind)}));
    }
    for p in r.headers {
        params.push(json!({"name": p.name, "in": "header", "required": true, "description": p.description, "schema": param_schema(p.kind)}));
    }
    // Optional, where the route's rate limit counts a registered kiosk apart (`Route::rate_limit`).
    if r.rate_limit().is_some_and(|(_, k)| k == crate::routes::RateKey::KioskOrClient) {
        params.push(json!({"name": tongban_shared::queue::KIOSK_HEADER, "in": "header", "required": false,
            "description": "A registered kiosk's key: its tickets and check-ins count against the kiosk's own limit",
            "schema": {"type": "string", "maxLength": 64}}));
    }
    for p in r.query {
        // A filter left empty in a form (`?dept=`) means no filter, as an absent one does.
        let schema = match p.kind {
            ParamKind::Slug => json!({"type": "string", "pattern": "^([a-z0-9]+(-[a-z0-9]+)*)?$", "maxLength": 48}),
            ParamKind::Enum(values) => json!({"type": "string", "enum": ([""].iter().chain(values).collect::<Vec<_>>())}),
            kind => param_schema(kind),
        };
        let mut v = json!({"name": p.name, "in": "query", "required": false, "description": p.description, "schema": schema});
        if matches!(p.kind, ParamKind::List(_)) {
            v["style"] = json!("form");
            v["explode"] = json!(false);
        }
        params.push(v);
    }
    let mut responses = Map::new();
    if r.ok_status == 204 {
        responses.insert("204".into(), json!({"description": "No content"}));
    } else {
        let ok = (r.response)(gen).to_value();
        responses.insert(
            r.ok_status.to_string(),
            json!({
                "description": if r.ok_status == 201 { "Created" } else { "OK" },
                "headers": {"ETag": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"type": "string"}}},
                "content": r.media_types().iter().map(|m| (m.to_string(), json!({"schema": ok.clone()}))).collect::<Map<String, Value>>()
            }),
        );
    }
    if matches!(r.cache, crate::routes::Cache::Public { .. }) {
        responses.insert("304".into(), json!({"description": "Not modified (the If-None-Match ETag still matches)"}));
    }
    let mut by_status: std::collections::BTreeMap<u16, Vec<&str>> = Default::default();
    for c in r.errors.iter().copied().chain(r.dispatcher_errors()) {
        let codes = by_status.entry(c.status()).or_default();
        if !codes.contains(&c.as_str()) {
            codes.push(c.as_str());
        }
    }
    for (status, codes) in by_status {
        responses.insert(
            status.to_string(),
            json!({
                "description": format!("Error; `error.code` is one of: {}", codes.join(", ")),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
            }),
        );
    }
    let mut op = json!({
        "operationId": format!("{:?}", r.endpoint).chars().enumerate().fold(String::new(), |mut s, (i, c)| {
            if i == 0 { s.extend(c.to_lowercase()) } else { s.push(c) }
            s
        }),
        "summary": r.summary,
        "tags": [r.tag],
        "parameters": params,
        "responses": responses,
    });
    // Who may call it, in words, and the cookie that carries the session.
    match r.access {
        tongban_shared::authz::Access::Public => {}
        tongban_shared::authz::Access::SignedIn => {
            op["security"] = json!([{"session": []}]);
            op["x-access"] = json!("signed in");
        }
        tongban_shared::authz::Access::Roles(roles) => {
            op["security"] = json!([{"session": []}]);
            op["x-access"] = json!(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>());
        }
    }
    if let Some(body) = r.body {
        op["requestBody"] = json!({"required": true, "content": {r.request_media_type(): {"schema": body(gen).to_value()}}});
    }
    op
}

/// Builds the whole document. Pure, so the host tests check exactly what the worker serves.
pub fn document(version: &str) -> Value {
    let mut gen = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()).into_generator();
    let mut paths = Map::new();
    for r in ROUTES {
        let op = operation(r, &mut gen);
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.as_str().to_ascii_lowercase()] = op;
    }
    gen.subschema_for::<ErrorBody>();
    let schemas = gen.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "tongban (通办) API",
            "version": version,
            "description": "一网通办: the public service catalogue and, as they land, bookings, queues, applications and reviews. Errors are always `{\"error\":{\"code\",\"message\",\"field\"}}`; `message` follows Accept-Language (zh-CN by default, en).",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": crate::http::SESSION_COOKIE}}
        },
    })
}

/// The document as an answer (cached like the catalogue: it changes only with a deploy).
#[cfg(target_arch = "wasm32")]
pub async fn serve(ctx: &crate::http::Ctx) -> crate::http::Answer<crate::routes::ep::OpenApi> {
    ctx.reply(&document(crate::VERSION))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn documents_every_route_with_resolvable_refs() {
        let doc = document("test");
        assert_eq!(doc["openapi"], "3.1.0");
        for r in ROUTES {
            let op = &doc["paths"][r.path][r.method.as_str().to_ascii_lowercase()];
            assert!(op.is_object(), "{} is not documented", r.path);
            assert!(op["responses"][r.ok_status.to_string()].is_object(), "{} documents its {}", r.path, r.ok_status);
            assert_eq!(op["requestBody"].is_object(), r.body.is_some(), "{} request body", r.path);
            assert!(op["responses"]["500"].is_object(), "every operation documents its 500");
        }
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected ref {r}"));
            assert!(doc["components"]["schemas"][name].is_object(), "dangling ref {r}");
        }
    }

    #[test]
    fn operation_ids_are_unique_camel_case() {
        let doc = document("test");
        let mut ids = std::collections::HashSet::new();
        for (_, item) in doc["paths"].as_object().unwrap() {
            for (_, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap().to_string();
                assert!(id.chars().next().unwrap().is_lowercase(), "{id}");
                assert!(ids.insert(id));
            }
        }
        assert!(ids.contains("listItems") && ids.contains("getItemVersion"));
    }

    #[test]
    fn error_schema_has_the_documented_shape() {
        let doc = document("test");
        let s = serde_json::to_string(&doc["components"]["schemas"]["ErrorDetail"]).unwrap();
        for f in ["code", "message", "field"] {
            assert!(s.contains(f), "ErrorDetail lacks {f}");
        }
    }
}
