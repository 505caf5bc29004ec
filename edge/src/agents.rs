//! `/api/v1/me/agents…` and `/api/v1/me/businesses`: a business authorises registered residents as its
//! agents (经办人); an agent sees the businesses they may act for.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::error::ApiError;
    use crate::http::Ctx;
    use serde::Deserialize;
    use tongban_shared::account::{AddAgent, Agent, BusinessRef};
    use tongban_shared::ids::{mask_id, mask_name, resident_id};
    use tongban_shared::{ErrorCode, FieldError};
    use wasm_bindgen::JsValue;
    use worker::Response;

    #[derive(Deserialize)]
    struct AgentRow {
        id: String,
        name_enc: String,
        id_enc: Option<String>,
        added_at: i64,
    }

    const AGENTS: &str =
        "SELECT a.id, a.name_enc, a.id_enc, ba.added_at FROM business_agents ba JOIN accounts a ON a.id = ba.agent_id WHERE ba.business_id = ?1";

    fn agent(keys: &crate::crypto::Keyring, r: AgentRow) -> Agent {
        Agent {
            name: mask_name(&keys.open(&r.name_enc).unwrap_or_default()),
            id_number: mask_id(&r.id_enc.as_deref().and_then(|s| keys.open(s)).unwrap_or_default()),
            id: r.id,
            added_at: r.added_at,
        }
    }

    pub async fn list(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let keys = ctx.keyring()?;
        let rows: Vec<AgentRow> =
            ctx.db()?.prepare(format!("{AGENTS} ORDER BY ba.added_at")).bind(&[JsValue::from_str(&p.account_id)])?.all().await?.results()?;
        let v: Vec<Agent> = rows.into_iter().map(|r| agent(&keys, r)).collect();
        ctx.json(&v, ctx.route.cache)
    }

    pub async fn add(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let req: AddAgent = ctx.json_body()?;
        let id_number = resident_id(&req.id_number).map_err(|c| FieldError::new(c, "id_number"))?;
        let keys = ctx.keyring()?;
        let db = ctx.db()?;
        let lookup = JsValue::from_str(&keys.lookup_digest(&id_number));
        let biz = JsValue::from_str(&p.account_id);
        // Insert-select: only an existing resident account can become an agent, in one statement.
        let r = db
            .prepare(
                "INSERT INTO business_agents (business_id, agent_id, added_at) SELECT ?1, id, ?2 FROM accounts WHERE login_lookup = ?3 AND role = 'resident'",
            )
            .bind(&[biz.clone(), JsValue::from_f64(ctx.now as f64), lookup.clone()])?
            .run()
            .await;
        match r {
            Err(e) if e.to_string().contains("UNIQUE constraint failed") => return Err(ErrorCode::AgentExists.into()),
            Err(e) => return Err(e.into()),
            Ok(res) if res.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 => return Err(ErrorCode::NotAResident.into()),
            Ok(_) => {}
        }
        let row: AgentRow = db
            .prepare(format!("{AGENTS} AND a.login_lookup = ?2"))
            .bind(&[biz, lookup])?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("added agent not found".into()))?;
        Ok(ctx.json(&agent(&keys, row), ctx.route.cache)?.with_status(201))
    }

    pub async fn remove(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        ctx.db()?
            .prepare("DELETE FROM business_agents WHERE business_id = ?1 AND agent_id = ?2")
            .bind(&[JsValue::from_str(&p.account_id), JsValue::from_str(&id)])?
            .run()
            .await?;
        Ok(Response::empty()?.with_status(204))
    }

    pub async fn my_businesses(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let v: Vec<BusinessRef> = ctx
            .db()?
            .prepare("SELECT b.account_id AS id, b.uscc, b.company_name FROM business_agents ba JOIN businesses b ON b.account_id = ba.business_id WHERE ba.agent_id = ?1 ORDER BY b.company_name")
            .bind(&[JsValue::from_str(&p.account_id)])?
            .all()
            .await?
            .results()?;
        ctx.json(&v, ctx.route.cache)
    }
}
