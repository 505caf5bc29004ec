//! `/api/v1/me/agents…`, `/api/v1/me/agent-invitations…` and `/api/v1/me/businesses`: a business invites
//! a resident by ID number to be its agent (经办人); the link exists only once the resident accepts, and
//! the business gets the same answer whether or not the number is registered (no oracle for "is this ID
//! number a user"). An agent sees the businesses they may act for.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::account::{Agent, AgentInvitation, BusinessRef, InvitationState, INVITES_PER_WINDOW, INVITE_WINDOW_SECS};
    use tongban_shared::ids::{mask_id, mask_name, resident_id};
    use tongban_shared::notify::Event;
    use tongban_shared::{ErrorCode, FieldError};
    use wasm_bindgen::JsValue;

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

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListAgents> {
        let p = ctx.principal()?;
        let keys = ctx.keyring()?;
        let rows: Vec<AgentRow> =
            ctx.db()?.prepare(format!("{AGENTS} ORDER BY ba.added_at")).bind(&[JsValue::from_str(&p.account_id)])?.all().await?.results()?;
        let v: Vec<Agent> = rows.into_iter().map(|r| agent(&keys, r)).collect();
        ctx.reply(&v)
    }

    #[derive(Deserialize)]
    struct InvitationRow {
        id: String,
        id_masked: String,
        state: InvitationState,
        created_at: i64,
        business_id: String,
        uscc: Option<String>,
        company_name: Option<String>,
    }

    const INVITATIONS: &str = "SELECT i.id, i.id_masked, i.state, i.created_at, i.business_id, b.uscc, b.company_name \
         FROM agent_invitations i LEFT JOIN businesses b ON b.account_id = i.business_id";

    impl InvitationRow {
        fn view(self, with_business: bool) -> AgentInvitation {
            AgentInvitation {
                id: self.id,
                id_number: self.id_masked,
                state: self.state,
                created_at: self.created_at,
                business: match (with_business, self.uscc, self.company_name) {
                    (true, Some(uscc), Some(company_name)) => Some(BusinessRef { id: self.business_id, uscc, company_name }),
                    _ => None,
                },
            }
        }
    }

    /// `POST /me/agents`: invite a resident by ID number. Registered or not, the answer is the same pending
    /// invitation (and a repeated invitation answers with the one still pending); a registered resident
    /// finds it in their inbox and on `/me`. At most `INVITES_PER_WINDOW` per business an hour.
    pub async fn add(ctx: &Ctx, body: Body<ep::AddAgent>) -> Answer<ep::AddAgent> {
        let p = ctx.principal()?;
        let req = body.read(ctx)?;
        let id_number = resident_id(&req.id_number).map_err(|c| FieldError::new(c, "id_number"))?;
        let keys = ctx.keyring()?;
        let db = ctx.db()?;
        let lookup = keys.lookup_digest(&id_number);
        let (biz, look) = (JsValue::from_str(&p.account_id), JsValue::from_str(&lookup));
        #[derive(Deserialize)]
        struct Seen {
            recent: i64,
            agent: i64,
        }
        let seen: Seen = db
            .prepare(
                "SELECT (SELECT count(*) FROM agent_invitations WHERE business_id = ?1 AND created_at > ?3) AS recent, \
                 (SELECT count(*) FROM business_agents ba JOIN accounts a ON a.id = ba.agent_id WHERE ba.business_id = ?1 AND a.login_lookup = ?2) AS agent",
            )
            .bind(&[biz.clone(), look.clone(), JsValue::from_f64((ctx.now - INVITE_WINDOW_SECS) as f64)])?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("invitation counts returned no row".into()))?;
        if seen.agent > 0 {
            // Already listed with their name: telling the business so reveals nothing it does not see.
            return Err(ErrorCode::AgentExists.into());
        }
        if seen.recent >= i64::from(INVITES_PER_WINDOW) {
            return Err(ErrorCode::TooManyInvitations.into());
        }
        let id = crate::crypto::hex(&crate::crypto::random::<16>().map_err(crate::error::js_err)?);
        let nid = crate::crypto::hex(&crate::crypto::random::<16>().map_err(crate::error::js_err)?);
        let company: Option<String> =
            db.prepare("SELECT company_name FROM businesses WHERE account_id = ?1").bind(std::slice::from_ref(&biz))?.first(Some("company_name")).await?;
        let event = Event::AgentInvitation { invitation_id: id.clone(), company: company.unwrap_or_default() };
        let now = JsValue::from_f64(ctx.now as f64);
        // The notification exists only for a registered resident, in the same transaction, so the answer
        // cannot tell the two apart.
        let r = db
            .batch(vec![
                db.prepare("INSERT OR IGNORE INTO agent_invitations (id, business_id, agent_lookup, id_masked, state, created_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)")
                    .bind(&[JsValue::from_str(&id), biz.clone(), look.clone(), JsValue::from_str(&mask_id(&id_number)), now.clone()])?,
                db.prepare(
                    "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
                     SELECT ?1, a.id, ?2, ?3, ?4, ?5 FROM accounts a WHERE a.login_lookup = ?6 AND a.role = 'resident' AND changes() = 1",
                )
                .bind(&[
                    JsValue::from_str(&nid),
                    JsValue::from_str(event.kind().as_str()),
                    JsValue::from_str(&id),
                    JsValue::from_str(&event.body_json()),
                    now,
                    look.clone(),
                ])?,
            ])
            .await?;
        let _ = r;
        let row: InvitationRow = db
            .prepare(format!("{INVITATIONS} WHERE i.business_id = ?1 AND i.agent_lookup = ?2 AND i.state = 'pending'"))
            .bind(&[biz, look])?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("invitation not found after insert".into()))?;
        Ok(ctx.reply(&row.view(false))?.with_status(201))
    }

    /// `GET /me/agent-invitations`: a business's invitations (masked numbers and states), or the
    /// invitations waiting for the signed-in resident, with who asks.
    pub async fn invitations(ctx: &Ctx) -> Answer<ep::ListAgentInvitations> {
        ctx.reply(&invitations_value(ctx).await?)
    }

    /// What `invitations` answers, also for the data export.
    pub async fn invitations_value(ctx: &Ctx) -> Result<Vec<AgentInvitation>, ApiError> {
        let p = ctx.principal()?;
        let db = ctx.db()?;
        let me = JsValue::from_str(&p.account_id);
        let rows: Vec<InvitationRow> = if p.role == tongban_shared::account::Role::Business {
            db.prepare(format!("{INVITATIONS} WHERE i.business_id = ?1 ORDER BY i.created_at DESC LIMIT 50")).bind(&[me])?.all().await?.results()?
        } else {
            db.prepare(format!(
                "{INVITATIONS} WHERE i.agent_lookup = (SELECT login_lookup FROM accounts WHERE id = ?1) AND i.state = 'pending' ORDER BY i.created_at DESC LIMIT 50"
            ))
            .bind(&[me])?
            .all()
            .await?
            .results()?
        };
        let business_view = p.role != tongban_shared::account::Role::Business;
        Ok(rows.into_iter().map(|r| r.view(business_view)).collect())
    }

    /// `POST /me/agent-invitations/{id}`: the invited resident accepts (the agent link is made in the same
    /// transaction) or declines. Only a pending invitation addressed to this resident's own ID number.
    pub async fn answer(ctx: &Ctx, body: Body<ep::AnswerAgentInvitation>) -> Answer<ep::AnswerAgentInvitation> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let req = body.read(ctx)?;
        let db = ctx.db()?;
        let (iid, me, now) = (JsValue::from_str(&id), JsValue::from_str(&p.account_id), JsValue::from_f64(ctx.now as f64));
        let state = if req.accept { "accepted" } else { "declined" };
        let r = db
            .batch(vec![
                db.prepare(
                    "UPDATE agent_invitations SET state = ?3, decided_at = ?4 WHERE id = ?1 AND state = 'pending' \
                     AND agent_lookup = (SELECT login_lookup FROM accounts WHERE id = ?2 AND role = 'resident')",
                )
                .bind(&[iid.clone(), me.clone(), JsValue::from_str(state), now.clone()])?,
                db.prepare(
                    "INSERT OR IGNORE INTO business_agents (business_id, agent_id, added_at) \
                     SELECT business_id, ?2, ?3 FROM agent_invitations WHERE id = ?1 AND state = 'accepted' AND changes() = 1",
                )
                .bind(&[iid.clone(), me, now])?,
            ])
            .await?;
        if !crate::http::changed(&r[0]) {
            return Err(ErrorCode::InvitationNotFound.into());
        }
        let row: InvitationRow =
            db.prepare(format!("{INVITATIONS} WHERE i.id = ?1")).bind(&[iid])?.first(None).await?.ok_or(ApiError::from(ErrorCode::InvitationNotFound))?;
        ctx.reply(&row.view(true))
    }

    pub async fn remove(ctx: &Ctx) -> Answer<ep::RemoveAgent> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        ctx.db()?
            .prepare("DELETE FROM business_agents WHERE business_id = ?1 AND agent_id = ?2")
            .bind(&[JsValue::from_str(&p.account_id), JsValue::from_str(&id)])?
            .run()
            .await?;
        crate::http::Reply::no_content()
    }

    pub async fn my_businesses(ctx: &Ctx) -> Answer<ep::ListMyBusinesses> {
        let p = ctx.principal()?;
        let v: Vec<BusinessRef> = ctx
            .db()?
            .prepare("SELECT b.account_id AS id, b.uscc, b.company_name FROM business_agents ba JOIN businesses b ON b.account_id = ba.business_id WHERE ba.agent_id = ?1 ORDER BY b.company_name")
            .bind(&[JsValue::from_str(&p.account_id)])?
            .all()
            .await?
            .results()?;
        ctx.reply(&v)
    }
}
