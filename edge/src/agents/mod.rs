//! `/api/v1/me/agents…`, `/api/v1/me/agent-invitations…` and `/api/v1/me/businesses`: a business invites
//! a resident by ID number to be its agent (经办人); the link exists only once the resident accepts, and
//! the business gets the same answer whether or not the number is registered (no oracle for "is this ID
//! number a user"). An agent sees the businesses they may act for. The statements are built in [`store`].

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, AgentRow, InvitationRow, NewInvitation, SeenRow};
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use tongban_shared::account::{Agent, AgentInvitation, BusinessRef, INVITES_PER_WINDOW};
    use tongban_shared::ids::{mask_id, mask_name, resident_id};
    use tongban_shared::notify::Event;
    use tongban_shared::{ErrorCode, FieldError};

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
        let rows: Vec<AgentRow> = store::agents_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
        let v: Vec<Agent> = rows.into_iter().map(|r| agent(&keys, r)).collect();
        ctx.reply(&v)
    }

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
        let seen: SeenRow = store::seen(&p.account_id, &lookup, ctx.now)
            .prepare(&db)?
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
        let company: Option<String> = store::company_name(&p.account_id).prepare(&db)?.first(Some("company_name")).await?;
        let event = Event::AgentInvitation { invitation_id: id.clone(), company: company.unwrap_or_default() };
        // The notification exists only for a registered resident, in the same transaction, so the answer
        // cannot tell the two apart.
        let [invitation, notification] = store::invite(&NewInvitation {
            id: &id,
            business_id: &p.account_id,
            agent_lookup: &lookup,
            id_masked: &mask_id(&id_number),
            notification_id: &nid,
            event: &event,
            now: ctx.now,
        });
        db.batch(vec![invitation.prepare(&db)?, notification.prepare(&db)?]).await?;
        // None pending after the write: the window's limit was reached by invitations sent meanwhile.
        let row: InvitationRow =
            store::pending_invitation(&p.account_id, &lookup).prepare(&db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::TooManyInvitations))?;
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
        let reads = if p.role == tongban_shared::account::Role::Business {
            store::invitations_of_business(&p.account_id)
        } else {
            store::invitations_for(&p.account_id)
        };
        let rows: Vec<InvitationRow> = reads.prepare(&db)?.all().await?.results()?;
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
        let [decide, link] = store::answer(&id, &p.account_id, req.accept, ctx.now);
        let r = db.batch(vec![decide.prepare(&db)?, link.prepare(&db)?]).await?;
        if !crate::http::changed(&r[0]) {
            return Err(ErrorCode::InvitationNotFound.into());
        }
        let row: InvitationRow = store::invitation(&id).prepare(&db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::InvitationNotFound))?;
        ctx.reply(&row.view(true))
    }

    pub async fn remove(ctx: &Ctx) -> Answer<ep::RemoveAgent> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        store::remove_agent(&p.account_id, &id).prepare(&ctx.db()?)?.run().await?;
        crate::http::Reply::no_content()
    }

    pub async fn my_businesses(ctx: &Ctx) -> Answer<ep::ListMyBusinesses> {
        let p = ctx.principal()?;
        let v: Vec<BusinessRef> = store::businesses_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
        ctx.reply(&v)
    }
}
