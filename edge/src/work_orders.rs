//! `/api/v1/work-orders…`: the rectification work orders (差评工单). The state machine is
//! `tongban_shared::review::Order`; here an order is read, the caller's capacities are worked out
//! (`review::capacities`), the transition is applied in the core, and the new state is written only if
//! the order still has the version that was read — two approvers pressing at once change it once.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::bookings::calendar_of;
    use crate::error::ApiError;
    use crate::http::changed;
    use crate::http::{Answer, Body, Ctx};
    use crate::reviews::store::{self, OrderEventRow as Ev, OrderRow};
    use crate::reviews::{ReviewRow, ServiceRow};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::authz::Principal;
    use tongban_shared::ids::mask_name;
    use tongban_shared::notify::Event;
    use tongban_shared::review::{capacities, Capacity, Order, OrderAction, OrderDetail, OrderEvent, OrderList, OrderState, OrderSummary};
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, Text};

    use worker::D1Database;

    impl OrderRow {
        fn order(&self) -> Order {
            Order {
                state: self.state,
                real_name: self.real_name != 0,
                valid: self.valid.map(|v| v != 0),
                deadline: self.deadline,
                extension_days: self.extension_days.map(|d| d.max(0) as u32),
                extended: self.extended != 0,
                appealed: self.appealed != 0,
                reopened: self.reopened != 0,
                outcome: self.outcome,
            }
        }
        fn caps(&self, p: &Principal) -> Vec<Capacity> {
            capacities(p, &self.center_id, self.dept_id.as_deref(), self.reviewer.as_deref())
        }
        fn summary(&self, today: chrono::NaiveDate) -> OrderSummary {
            let o = self.order();
            OrderSummary {
                id: self.id.clone(),
                state: o.state,
                outcome: o.outcome,
                center: Text::new(self.c_zh.clone(), self.c_en.clone()),
                department: self.d_zh.clone().map(|zh| Text::new(zh, self.d_en.clone().unwrap_or_default())),
                window_no: self.window_id.as_deref().and_then(|w| w.rsplit("-w").next()).and_then(|n| n.parse().ok()),
                level: self.level.clamp(1, 5) as u8,
                reason: self.reason,
                deadline: self.deadline.to_string(),
                overdue: o.overdue(today),
                real_name: o.real_name,
                created_at: self.created_at,
                excerpt: self.excerpt.clone(),
            }
        }
    }

    fn today(ctx: &Ctx) -> chrono::NaiveDate {
        beijing(ctx.now).date()
    }

    async fn load(db: &D1Database, id: &str) -> Result<OrderRow, ApiError> {
        store::order(id).prepare(db)?.first::<OrderRow>(None).await?.ok_or(ApiError::from(ErrorCode::WorkOrderNotFound))
    }

    async fn detail(ctx: &Ctx, db: &D1Database, row: &OrderRow, p: &Principal) -> Result<OrderDetail, ApiError> {
        let review: ReviewRow =
            store::review(&row.review_id).prepare(db)?.first(None).await?.ok_or_else(|| ApiError::Internal("work order without its review".into()))?;
        let service: ServiceRow = crate::reviews::service_of(db, &review.event_kind, &review.event_id)
            .await?
            .ok_or_else(|| ApiError::Internal("review without its service".into()))?;
        let events: Vec<Ev> = store::events_of(&row.id).prepare(db)?.all().await?.results()?;
        // Staff call a real-name reviewer back, so they see the (masked) name; never an anonymous one's.
        let reviewer = if row.real_name != 0 && p.role.is_staff() {
            match &review.account_id {
                Some(a) => {
                    #[derive(Deserialize)]
                    struct N {
                        name_enc: String,
                    }
                    let n: Option<N> = store::sealed_name(a).prepare(db)?.first(None).await?;
                    n.and_then(|n| ctx.keyring().ok()?.open(&n.name_enc)).map(|n| mask_name(&n))
                }
                None => None,
            }
        } else {
            None
        };
        assemble(ctx, db, row, &review, &service, events, reviewer, p).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn assemble(
        ctx: &Ctx,
        db: &D1Database,
        row: &OrderRow,
        review: &ReviewRow,
        service: &ServiceRow,
        events: Vec<Ev>,
        reviewer: Option<String>,
        p: &Principal,
    ) -> Result<OrderDetail, ApiError> {
        let caps = row.caps(p);
        let order = row.order();
        // Not offered: deciding an exception one asked for oneself (read only for such decisions).
        let mut actions = Vec::new();
        for k in order.actions(&caps) {
            if k.answers().is_none() || requester(db, &row.id, k).await?.as_deref() != Some(p.account_id.as_str()) {
                actions.push(k);
            }
        }
        Ok(OrderDetail {
            summary: row.summary(today(ctx)),
            review: review.body(),
            service: service.target(),
            reviewer,
            rectification: row.rectification.clone(),
            extension_days: order.extension_days,
            extended: order.extended,
            actions,
            history: events
                .into_iter()
                .map(|e| OrderEvent { at: e.at, capacity: e.capacity.capacity(), action: e.action, from: e.from_state, to: e.to_state, note: e.note })
                .collect(),
        })
    }

    /// The orders the reviewer's own reviews opened, for "my reviews": two queries for any number of
    /// reviews (the ids go as one JSON array, `json_each`), where one query set per review would pass a
    /// free-plan invocation's 50 subrequests at a dozen reviews. The reviewer is not staff, so no name
    /// look-up is needed.
    pub(crate) async fn details_for_reviews(
        ctx: &Ctx,
        db: &D1Database,
        reviews: &[(ReviewRow, ServiceRow)],
        p: &Principal,
    ) -> Result<std::collections::HashMap<String, OrderDetail>, ApiError> {
        let ids = serde_json::to_string(&reviews.iter().map(|(r, _)| r.id.as_str()).collect::<Vec<_>>())?;
        let rows: Vec<OrderRow> = store::orders_of_reviews(&ids).prepare(db)?.all().await?.results()?;
        let order_ids = serde_json::to_string(&rows.iter().map(|o| o.id.as_str()).collect::<Vec<_>>())?;
        let mut events: Vec<Ev> = if rows.is_empty() { Vec::new() } else { store::events_of_orders(&order_ids).prepare(db)?.all().await?.results()? };
        let mut out = std::collections::HashMap::new();
        for row in &rows {
            let Some((review, service)) = reviews.iter().find(|(r, _)| r.id == row.review_id) else { continue };
            let (mine, rest): (Vec<Ev>, Vec<Ev>) = events.into_iter().partition(|e| e.order_id == row.id);
            events = rest;
            out.insert(review.id.clone(), assemble(ctx, db, row, review, service, mine, None, p).await?);
        }
        Ok(out)
    }

    /// `GET /work-orders`: the caller's orders — an approver's department, a center admin's center, every
    /// order for the district admin — overdue first, then by deadline. `?state=` narrows it.
    pub async fn list(ctx: &Ctx) -> Answer<ep::ListWorkOrders> {
        let p = ctx.principal()?;
        let db = ctx.db()?;
        let state = ctx.query_pairs().into_iter().find(|(k, _)| k == "state").map(|(_, v)| v).filter(|v| !v.is_empty());
        if let Some(s) = &state {
            if OrderState::parse(s).is_none() {
                return Err(tongban_shared::FieldError::new(ErrorCode::UnknownFilter, "state").into());
            }
        }
        let scope = tongban_shared::authz::order_scope(p)?;
        let rows: Vec<OrderRow> = store::orders_in(&scope, state.as_deref()).prepare(&db)?.all().await?.results()?;
        let today = today(ctx);
        let mut awaiting = 0;
        let mut orders: Vec<OrderSummary> = rows
            .iter()
            .map(|r| {
                awaiting += u32::from(!r.order().actions(&r.caps(p)).is_empty());
                r.summary(today)
            })
            .collect();
        orders.sort_by_key(|o| (!o.overdue, o.state == OrderState::Closed || o.state == OrderState::Invalid, o.deadline.clone()));
        let overdue = orders.iter().filter(|o| o.overdue).count() as u32;
        ctx.reply(&OrderList { orders, overdue, awaiting_me: awaiting })
    }

    pub async fn get(ctx: &Ctx) -> Answer<ep::GetWorkOrder> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let db = ctx.db()?;
        let row = load(&db, &id).await?;
        if row.caps(p).is_empty() {
            return Err(ErrorCode::Forbidden.into());
        }
        ctx.reply(&detail(ctx, &db, &row, p).await?)
    }

    /// `POST /work-orders/{id}/actions`: one transition, applied by the core and written conditionally on
    /// the version read. The reviewer is told of the changes that concern them.
    /// Who asked for the exception `decision` answers (the latest such request on the order).
    async fn requester(db: &D1Database, order: &str, decision: tongban_shared::review::ActionKind) -> Result<Option<String>, ApiError> {
        let Some(request) = decision.answers() else { return Ok(None) };
        Ok(store::last_actor(order, request.as_str()).prepare(db)?.first::<String>(Some("actor_id")).await?)
    }

    pub async fn act(ctx: &Ctx, body: Body<ep::WorkOrderAction>) -> Answer<ep::WorkOrderAction> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let action = body.read(ctx)?;
        let db = ctx.db()?;
        let row = load(&db, &id).await?;
        let caps = row.caps(p);
        let cal = calendar_of(&db).await?;
        let before = row.order();
        let after = before.apply(&action, &caps, &cal)?;
        let kind = action.kind();
        if kind.answers().is_some() && requester(&db, &id, kind).await?.as_deref() == Some(p.account_id.as_str()) {
            return Err(ErrorCode::SameOfficer.into());
        }
        // The capacity the action was taken in, for the record.
        let capacity = kind.capacity().iter().find(|c| caps.contains(c)).copied().unwrap_or(Capacity::Responsible);
        let rectification = match &action {
            OrderAction::Rectify { note } => Some(note.trim().to_string()),
            _ => row.rectification.clone(),
        };
        let capacity_name = serde_json::to_value(capacity)?;
        let write = store::OrderWrite {
            id: &id,
            version: row.version,
            state: after.state.as_str(),
            valid: after.valid,
            deadline: &after.deadline.to_string(),
            extension_days: after.extension_days,
            extended: after.extended,
            appealed: after.appealed,
            reopened: after.reopened,
            outcome: after.outcome.map(|o| o.as_str()),
            rectification: rectification.as_deref(),
            actor_id: &p.account_id,
            capacity: capacity_name.as_str().unwrap_or("responsible"),
            action: kind.as_str(),
            from_state: before.state.as_str(),
            note: action.note().trim(),
            now: ctx.now,
        };
        let mut batch = store::write_order(&write).iter().map(|s| s.prepare(&db)).collect::<Result<Vec<_>, _>>()?;
        // The reviewer hears of what concerns them (not of their own actions).
        let tell =
            matches!(after.state, OrderState::Rectified | OrderState::Invalid | OrderState::Closed) || (kind == tongban_shared::review::ActionKind::Validate);
        if tell && capacity != Capacity::Reviewer {
            let ev = Event::OrderUpdate { order_id: id.clone(), state: after.state.as_str().into() };
            let nid = crate::crypto::hex(&crate::crypto::random::<16>().map_err(crate::error::js_err)?);
            batch.push(store::tell_reviewer_after(&nid, ev.kind().as_str(), &id, &ev.body_json(), &row.review_id, ctx.now).prepare(&db)?);
        }
        batch.push(store::bump_review_stats().prepare(&db)?);
        let r = db.batch(batch).await?;
        if !changed(&r[0]) {
            // Someone else changed it between our read and our write: their change stands.
            return Err(ErrorCode::InvalidTransition.into());
        }
        let row = load(&db, &id).await?;
        ctx.reply(&detail(ctx, &db, &row, p).await?)
    }
}
