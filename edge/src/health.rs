//! `/api/v1/health`: which build is running and whether its storage answers. Used by xtask to know the
//! server is ready, and by operators after a deploy.

/// The cheapest statement D1 must answer to count as up.
pub fn probe() -> crate::sql::Stmt {
    crate::sql::Stmt::new("SELECT 1 AS one", vec![])
}

#[cfg(target_arch = "wasm32")]
pub async fn handle(ctx: &crate::http::Ctx) -> crate::http::Answer<crate::routes::ep::Health> {
    let d1 = match ctx.env.d1("DB") {
        Ok(db) => match probe().prepare(&db) {
            Ok(stmt) => stmt.first::<serde_json::Value>(None).await.is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    };
    let kv = match ctx.env.kv("KV") {
        Ok(kv) => kv.get("health:probe").text().await.is_ok(),
        Err(_) => false,
    };
    let h = tongban_shared::health::Health::new(crate::VERSION, d1, kv);
    let status = h.http_status();
    Ok(ctx.reply(&h)?.with_status(status))
}
