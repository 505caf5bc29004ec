//! `/api/v1/health`: which build is running and whether its storage answers. Used by xtask to know the
//! server is ready, and by operators after a deploy.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    /// `ok` when D1 and KV both answer, else `degraded` (served with status 503).
    pub status: String,
    /// Crate version plus the build's git revision.
    pub version: String,
    pub d1: bool,
    pub kv: bool,
}

impl Health {
    pub fn new(version: &str, d1: bool, kv: bool) -> Self {
        Health { status: if d1 && kv { "ok" } else { "degraded" }.into(), version: version.into(), d1, kv }
    }
    pub fn http_status(&self) -> u16 {
        if self.d1 && self.kv {
            200
        } else {
            503
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub async fn handle(ctx: &crate::http::Ctx) -> Result<worker::Response, crate::error::ApiError> {
    let d1 = match ctx.env.d1("DB") {
        Ok(db) => db.prepare("SELECT 1 AS one").first::<serde_json::Value>(None).await.is_ok(),
        Err(_) => false,
    };
    let kv = match ctx.env.kv("KV") {
        Ok(kv) => kv.get("health:probe").text().await.is_ok(),
        Err(_) => false,
    };
    let h = Health::new(crate::VERSION, d1, kv);
    let status = h.http_status();
    Ok(ctx.json(&h, crate::routes::Cache::NoStore)?.with_status(status))
}
