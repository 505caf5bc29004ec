//! tongban-edge: the Cloudflare Worker behind `/api/v1/*`. A thin shell: each resource module turns a
//! request into calls on `tongban-shared` and SQL on D1; everything that can be pure is, and is tested
//! on the host (`cargo test -p tongban-edge`), while the worker glue only compiles for wasm32.
//!
//! Layout:
//! - [`routes`]   — the route table: dispatch and the OpenAPI document both come from it.
//! - [`openapi`]  — the OpenAPI 3.1 document, generated from the table and the shared types' schemas.
//! - [`error`]    — the one error enum; codes map to status + `{"error":{"code","message","field"}}`.
//! - [`http`]     — request context, JSON with ETag/304, security headers.
//! - [`rows`]     — D1 row shapes and their mapping to the shared types.
//! - resources: [`items`], [`centers`], [`departments`], [`bundles`], [`health`].
//!
//! Static assets (the app) are served by Workers Static Assets; only `/api/*` reaches this code
//! (`run_worker_first` in `wrangler.toml`).

pub mod bundles;
pub mod crypto;
pub mod centers;
pub mod departments;
pub mod error;
pub mod health;
pub mod http;
pub mod items;
pub mod openapi;
pub mod routes;
pub mod rows;

/// Crate version plus the git revision, which xtask passes in at build time.
pub const VERSION: &str = match option_env!("TONGBAN_VERSION") {
    Some(v) => v,
    None => concat!(env!("CARGO_PKG_VERSION"), "+dev"),
};

#[cfg(target_arch = "wasm32")]
mod entry {
    use crate::error::ApiError;
    use crate::http::{error_response, with_security_headers, Ctx};
    use crate::routes::{resolve, Endpoint};
    use crate::{bundles, centers, departments, health, items};
    use tongban_shared::Lang;
    use worker::{console_error, event, Context, Env, Request, Response, Result};

    #[event(start)]
    fn start() {
        console_error_panic_hook::set_once();
    }

    #[event(fetch)]
    async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let lang = req.headers().get("Accept-Language").ok().flatten().map(|h| Lang::from_accept_language(&h)).unwrap_or_default();
        let method = req.method().to_string();
        let url = req.url()?;
        let resp = match resolve(&method, url.path()) {
            Err(code) => error_response(&ApiError::from(code), lang),
            Ok((route, params)) => {
                let ctx = Ctx { req, env, url, lang, route, params };
                match dispatch(&ctx).await {
                    Ok(r) => r,
                    Err(e) => {
                        if let ApiError::Internal(detail) = &e {
                            // Logged for operators; the caller only learns that something went wrong.
                            console_error!("{} {}: {}", method, route.path, detail);
                        }
                        error_response(&e, lang)
                    }
                }
            }
        };
        Ok(with_security_headers(resp))
    }

    /// Exhaustive over [`Endpoint`]: a new endpoint does not compile until it has a handler.
    async fn dispatch(ctx: &Ctx) -> std::result::Result<Response, ApiError> {
        match ctx.route.endpoint {
            Endpoint::Health => health::handle(ctx).await,
            Endpoint::OpenApi => ctx.json(&crate::openapi::document(crate::VERSION), ctx.route.cache),
            Endpoint::ListItems => items::list(ctx).await,
            Endpoint::GetItem => items::get(ctx).await,
            Endpoint::ListItemVersions => items::versions(ctx).await,
            Endpoint::GetItemVersion => items::get_version(ctx).await,
            Endpoint::ListDepartments => departments::list(ctx).await,
            Endpoint::ListCenters => centers::list(ctx).await,
            Endpoint::GetCenter => centers::get(ctx).await,
            Endpoint::ListBundles => bundles::list(ctx).await,
            Endpoint::GetBundle => bundles::get(ctx).await,
        }
    }
}
