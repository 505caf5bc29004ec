//! tongban-edge: the Cloudflare Worker behind `/api/v1/*`. A thin shell: each resource module turns a
//! request into calls on `tongban-shared` and SQL on D1; everything that can be pure is, and is tested
//! on the host (`cargo test -p tongban-edge`), while the worker glue only compiles for wasm32.
//!
//! Layout:
//! - [`routes`]   — the route table: dispatch and the OpenAPI document both come from it.
//! - [`openapi`]  — the OpenAPI 3.1 document, generated from the table and the shared types' schemas.
//! - [`error`]    — the one error enum; codes map to status + `{"error":{"code","message","field"}}`.
//! - [`http`]     — request context, JSON with ETag/304, security headers.
//! - [`catalogue`] — the public catalogue's store: its row shapes, their mapping to the shared types, and
//!   every statement that reads items, centers, bundles and departments.
//! - [`crypto`]   — sealing personal data (AES-256-GCM, key ids), lookup digests, the capped PBKDF2.
//! - [`limits`]   — Cloudflare's production limits the code relies on, with the checks behind them.
//!   Its host twin `sql_check` (tests only) prepares every SQL statement against `migrations/` in SQLite.
//! - [`sql`]      — statements with their bound values as plain data, so builders run on host SQLite too.
//!   Each resource keeps its statements in a store beside it (`bookings::store`, `queue::store`, …): named
//!   builders and the row types their answers decode into, each run on SQLite by the store's own test.
//! - [`password`] — the password scheme (peppered PBKDF2 within the Workers cap), records and re-hashing.
//! - resources: [`items`], [`centers`], [`departments`], [`bundles`], [`accounts`], [`me`], [`agents`], [`sessions`], [`staff`],
//!   [`bookings`], [`queue`], [`kiosks`], [`config`], [`notifications`],
//!   [`applications`] (一表申请: forms, drafts, e-licences, applications and cases),
//!   [`reviews`], [`work_orders`] (好差评 and rectification), [`reviewer`] (a reviewer's own reviews and orders), [`appraisal`] (public dashboard, open data),
//!   [`people`], [`audit`], [`health`].
//!
//! - [`jobs`]     — the Cron Triggers: hold expiry, reminders and push retries every minute, closing the
//!   day (no-shows, statistics).
//! - [`webpush`]  — RFC 8291 payload encryption and RFC 8292 VAPID, pure; [`push`] delivers with them.
//!
//! Static assets (the app) are served by Workers Static Assets; only `/api/*` reaches this code
//! (`run_worker_first` in `wrangler.toml`).

pub mod accounts;
pub mod agents;
pub mod applications;
pub mod appraisal;
pub mod audit;
pub mod bookings;
pub mod bundles;
pub mod catalogue;
pub mod centers;
pub mod config;
pub mod crypto;
pub mod departments;
pub mod error;
pub mod health;
pub mod http;
pub mod items;
pub mod jobs;
pub mod kiosks;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod layout_check;
pub mod limits;
pub mod me;
pub mod notifications;
pub mod openapi;
pub mod password;
pub mod people;
pub mod push;
pub mod queue;
pub mod reviewer;
pub mod reviews;
pub mod routes;
pub mod sessions;
pub mod sql;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod sql_check;
pub mod staff;
pub mod webpush;
pub mod work_orders;

/// Crate version plus the git revision, which xtask passes in at build time.
pub const VERSION: &str = match option_env!("TONGBAN_VERSION") {
    Some(v) => v,
    None => concat!(env!("CARGO_PKG_VERSION"), "+dev"),
};

#[cfg(target_arch = "wasm32")]
mod entry {
    use crate::error::ApiError;
    use crate::http::{error_response, fetch_site_allowed, origin_allowed, with_security_headers, Body, Ctx, Reply};
    use crate::routes::{resolve, Endpoint};
    use crate::{push, sessions};
    use tongban_shared::authz::Access;
    use tongban_shared::{ErrorCode, Lang};
    use worker::{console_error, event, Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent};

    #[event(start)]
    fn start() {
        console_error_panic_hook::set_once();
    }

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, wctx: Context) -> Result<Response> {
        let lang = req.headers().get("Accept-Language").ok().flatten().map(|h| Lang::from_accept_language(&h)).unwrap_or_default();
        // The method as sent: the `worker` crate's `Method` maps any verb it does not know (QUERY, TRACE…)
        // to GET, which would answer them as if they were GETs.
        let method = req.inner().method();
        let url = req.url()?;
        let resp = match resolve(&method, url.path()) {
            Err(code) => {
                let resp = error_response(&ApiError::from(code), lang);
                if code == ErrorCode::MethodNotAllowed {
                    let _ = resp.headers().set("Allow", &crate::routes::allowed_methods(url.path()));
                }
                resp
            }
            Ok((route, _)) if route.method.changes_state() && !origin_allowed(req.headers().get("Origin")?.as_deref(), &url.origin().ascii_serialization()) => {
                error_response(&ApiError::from(ErrorCode::CrossOrigin), lang)
            }
            Ok((route, _)) if route.access != Access::Public && !fetch_site_allowed(req.headers().get("Sec-Fetch-Site")?.as_deref()) => {
                error_response(&ApiError::from(ErrorCode::CrossOrigin), lang)
            }
            Ok((route, params)) => 'route: {
                // Bodies are read only up to their limit, before authentication and parsing: a stranger's
                // 100 MB body costs neither the isolate's memory nor a session look-up.
                let (body, raw) = match (route.method.changes_state(), route.takes_bytes()) {
                    (false, _) => (String::new(), None),
                    (true, false) => match crate::http::read_capped(&mut req, crate::http::JSON_MAX).await {
                        Some(bytes) => (String::from_utf8(bytes).unwrap_or_default(), None),
                        None => break 'route error_response(&ApiError::from(ErrorCode::BodyTooLarge), lang),
                    },
                    (true, true) => match crate::http::read_capped(&mut req, tongban_shared::application::UPLOAD_MAX).await {
                        Some(bytes) => (String::new(), Some(bytes)),
                        None => break 'route error_response(&ApiError::from(ErrorCode::FileTooLarge), lang),
                    },
                };
                let now = (worker::Date::now().as_millis() / 1000) as i64;
                let mut ctx = Ctx { req, env, url, lang, route, params, body, raw, now, principal: None };
                let result = match authorize(&mut ctx).await {
                    Ok(()) => match throttle(&ctx).await {
                        Ok(()) => dispatch(&ctx).await,
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(e),
                };
                // A change may have written notifications: push them once it is committed, after the
                // answer (waitUntil never delays it).
                if route.method.changes_state() && result.is_ok() {
                    let env = ctx.env.clone();
                    wctx.wait_until(async move {
                        if let Err(e) = push::deliver_due(&env, now).await {
                            console_error!("push delivery: {e:?}");
                        }
                    });
                }
                result.unwrap_or_else(|e| {
                    if let ApiError::Internal(detail) = &e {
                        // Logged for operators; the caller only learns that something went wrong.
                        console_error!("{} {}: {}", method, route.path, detail);
                    }
                    error_response(&e, lang)
                })
            }
        };
        Ok(with_security_headers(resp))
    }

    #[event(scheduled)]
    async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
        let now = (event.schedule() / 1000.0) as i64;
        let cron = event.cron();
        let result = crate::jobs::run(&cron, &env, now).await;
        if let Err(e) = result {
            console_error!("cron {cron}: {e:?}");
        }
    }

    /// The route's access rule, checked before any handler runs: the one place a route's permission is
    /// decided. Handlers add per-record checks from `tongban_shared::authz`.
    async fn authorize(ctx: &mut Ctx) -> std::result::Result<(), ApiError> {
        if ctx.route.access == Access::Public {
            return Ok(());
        }
        ctx.principal = sessions::current(ctx).await?;
        ctx.route.access.check(ctx.principal.as_ref().map(|p| p.role)).map_err(ApiError::from)?;
        // A temporary password (an admin's reset) opens only the way to replace it.
        if ctx.principal.as_ref().is_some_and(|p| p.must_change_password)
            && !matches!(ctx.route.endpoint, Endpoint::GetMe | Endpoint::ChangePassword | Endpoint::Logout)
        {
            return Err(ErrorCode::PasswordChangeRequired.into());
        }
        Ok(())
    }

    /// The route's rate limit ([`crate::routes::Route::rate_limit`]), counted before its handler runs, so
    /// a refused request has done nothing. A kiosk that names itself must be a registered, unrevoked one.
    async fn throttle(ctx: &Ctx) -> std::result::Result<(), ApiError> {
        use crate::routes::RateKey;
        let Some((binding, key)) = ctx.route.rate_limit() else { return Ok(()) };
        let client = || format!("{}:{}", ctx.route.path, tongban_shared::account::client_key(&ctx.client()));
        let (binding, who) = match key {
            RateKey::Client => (binding, client()),
            RateKey::Account => (binding, format!("{}:{}", ctx.route.path, ctx.principal()?.account_id)),
            RateKey::KioskOrClient => match crate::kiosks::from_request(ctx).await? {
                Some(kiosk) => ("RL_KIOSK", format!("kiosk:{}", kiosk.id)),
                None => (binding, client()),
            },
        };
        crate::limits::rate(&ctx.env, binding, &who).await
    }

    crate::routes::define_dispatch!();
}
