//! `/api/v1/reviews…`: 好差评 of finished window services. A review is written with its work order (for a
//! bad review), the order's first history line and the statistics generation bump in one D1 batch, and
//! the `UNIQUE (event_kind, event_id)` constraint makes a second review of the same service a 409 even
//! when two arrive at once.

/// `YYYY-MM` (Beijing) of an epoch second: the month a service counts in.
pub fn month_of(epoch: i64) -> String {
    tongban_shared::time::month(epoch)
}

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::month_of;
    use crate::bookings::calendar_of;
    use crate::crypto::{hex, random, token_digest};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::review::{
        check_open, normalize_code, EventKind, Order, ReviewBody, ReviewCreated, ReviewTarget, Scores, ACCOUNT_LIMIT, CLIENT_LIMIT, RATE_WINDOW_SECS,
        REVIEW_WINDOW_SECS,
    };
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, Text};

    use worker::D1Database;

    use super::store::{self, NewOrderRow, NewReviewRow, ServiceKey};
    pub(crate) use super::store::{ReviewRow, ServiceRow};
    use crate::http::changed;

    /// The service a review rated.
    pub(crate) async fn service_of(db: &D1Database, kind: &str, id: &str) -> Result<Option<ServiceRow>, ApiError> {
        let key = if kind == "case" { ServiceKey::Case(id) } else { ServiceKey::Ticket(id) };
        Ok(store::service(key).prepare(db)?.first::<ServiceRow>(None).await?)
    }

    impl ServiceRow {
        fn finished(&self) -> Option<i64> {
            if self.state == "done" {
                self.finished_at
            } else {
                None
            }
        }
        pub(crate) fn target(&self) -> ReviewTarget {
            let finished = self.finished();
            ReviewTarget {
                kind: if self.kind == "case" { EventKind::Case } else { EventKind::Ticket },
                id: self.id.clone(),
                number: self.number.clone(),
                center: Text::new(self.c_zh.clone(), self.c_en.clone()),
                window_no: self.window_no.map(|w| w.max(0) as u32),
                item: self.i_zh.clone().map(|zh| Text::new(zh, self.i_en.clone().unwrap_or_default())),
                finished_at: finished,
                closes_at: finished.map(|f| f + REVIEW_WINDOW_SECS),
                reviewed: self.reviewed != 0,
            }
        }
        fn window_id(&self) -> Option<String> {
            self.window_no.map(|w| format!("{}-w{w}", self.center_id))
        }
    }

    /// The service named by a review code, a ticket id, or a case id. A code that names nothing counts
    /// against the caller's address, and past `CODE_FAILS_PER_CLIENT` failures in 15 minutes every code
    /// look-up is refused (429), so codes cannot be found by trying.
    async fn service(ctx: &Ctx, db: &D1Database, ticket: Option<&str>, code: Option<&str>, case: Option<&str>) -> Result<ServiceRow, ApiError> {
        if let Some(k) = case {
            if k.len() != 32 || !k.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(tongban_shared::FieldError::new(ErrorCode::BadId, "case").into());
            }
            return service_of(db, "case", k).await?.ok_or(ApiError::from(ErrorCode::ReviewNotFound));
        }
        let row = match (code, ticket) {
            (Some(c), _) => {
                let c = normalize_code(c).ok_or(ApiError::from(tongban_shared::FieldError::new(ErrorCode::InvalidReviewCode, "code")))?;
                let client = token_digest(&format!("review-code-client:{}", ctx.client()));
                let since = ctx.now - tongban_shared::account::THROTTLE_WINDOW_SECS;
                let fails: Option<f64> = store::code_failures(&client, since).prepare(db)?.first(Some("n")).await?;
                if fails.unwrap_or(0.0) >= f64::from(tongban_shared::review::CODE_FAILS_PER_CLIENT) {
                    return Err(ErrorCode::TooManyAttempts.into());
                }
                let found = store::service(ServiceKey::Code(&c)).prepare(db)?.first::<ServiceRow>(None).await?;
                if found.is_none() {
                    store::record_code_failure(&client, ctx.now).prepare(db)?.run().await?;
                }
                found
            }
            (None, Some(t)) => {
                if t.len() != 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(tongban_shared::FieldError::new(ErrorCode::BadId, "ticket").into());
                }
                store::service(ServiceKey::Ticket(t)).prepare(db)?.first::<ServiceRow>(None).await?
            }
            (None, None) => return Err(tongban_shared::FieldError::new(ErrorCode::InvalidReview, "ticket").into()),
        };
        let row = row.ok_or(ApiError::from(ErrorCode::ReviewNotFound))?;
        // A code and a ticket id that disagree name no service.
        if let (Some(_), Some(t)) = (code, ticket) {
            if row.id != t {
                return Err(ErrorCode::ReviewNotFound.into());
            }
        }
        Ok(row)
    }

    /// May the caller review this service? A walk-in ticket (no account behind it): whoever holds its
    /// code, printed on the paper slip. A booked visit or a case: only the signed-in person it was for,
    /// whatever code or id they send — so a code read anywhere else (a clerk's screen, a leaked slip) can
    /// never rate someone else's booked service.
    fn check_reviewer(row: &ServiceRow, by_code: bool, account: Option<&str>) -> Result<(), ApiError> {
        if by_code && row.kind == "ticket" && row.owner.is_none() {
            return Ok(());
        }
        match account {
            None => Err(ErrorCode::Unauthenticated.into()),
            Some(a) if row.owner.as_deref() == Some(a) => Ok(()),
            Some(_) => Err(ErrorCode::NotYourService.into()),
        }
    }

    /// `GET /reviews/target?ticket=|code=`: what the review form shows before anything is written.
    pub async fn target(ctx: &Ctx) -> Answer<ep::ReviewTarget> {
        let q = ctx.query_pairs();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        let (ticket, code, case) = (get("ticket"), get("code"), get("case"));
        let db = ctx.db()?;
        let row = service(ctx, &db, ticket.as_deref(), code.as_deref(), case.as_deref()).await?;
        let who = crate::sessions::current(ctx).await?;
        check_reviewer(&row, code.is_some() && case.is_none(), who.as_ref().map(|p| p.account_id.as_str()))?;
        ctx.reply(&row.target())
    }

    pub async fn create(ctx: &Ctx, body: Body<ep::CreateReview>) -> Answer<ep::CreateReview> {
        let req = body.read(ctx)?;
        // A case is an online service, rated on the online indicators; a window visit on the offline ones.
        req.validate(req.case.is_some())?;
        let db = ctx.db()?;
        let row = service(ctx, &db, req.ticket.as_deref(), req.code.as_deref(), req.case.as_deref()).await?;
        let who = crate::sessions::current(ctx).await?;
        let account = who.as_ref().map(|p| p.account_id.clone());
        check_reviewer(&row, req.code.is_some() && req.case.is_none(), account.as_deref())?;
        check_open(row.finished(), ctx.now)?;
        if row.reviewed != 0 {
            return Err(ErrorCode::AlreadyReviewed.into());
        }
        // Staff never review on anyone's behalf (nobody may fill in a review for the user).
        if who.as_ref().is_some_and(|p| p.role.is_staff()) {
            return Err(ErrorCode::Forbidden.into());
        }
        let client = token_digest(&format!("review-client:{}", ctx.client()));
        #[derive(Deserialize)]
        struct Recent {
            mine: i64,
            theirs: i64,
        }
        let recent: Recent = store::recent_reviews(account.as_deref(), &client, ctx.now - RATE_WINDOW_SECS)
            .prepare(&db)?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("count returned no row".into()))?;
        // Signed-in reviewers are limited per account; code-only reviews per client address (a hall's
        // kiosks share one, so that limit is higher).
        if recent.mine >= i64::from(ACCOUNT_LIMIT) || (account.is_none() && recent.theirs >= i64::from(CLIENT_LIMIT)) {
            return Err(ErrorCode::TooManyReviews.into());
        }
        let anonymous = req.anonymous || account.is_none();
        let id = hex(&random::<16>().map_err(js_err)?);
        let finished = row.finished().unwrap_or(ctx.now);
        let s = req.scores;
        let window_id = row.window_id();
        let mut batch = vec![store::insert_review(&NewReviewRow {
            id: &id,
            event_kind: &row.kind,
            event_id: &row.id,
            account_id: account.as_deref(),
            anonymous,
            level: req.level,
            scores: [s.efficiency, s.competence, s.attitude, s.guide_accuracy, s.convenience, s.ease_of_use],
            reason: req.reason.map(|r| r.as_str()),
            text: req.text.trim(),
            channel: req.channel.as_str(),
            client: &client,
            center_id: &row.center_id,
            dept_id: row.dept_id.as_deref(),
            window_id: window_id.as_deref(),
            item_id: row.item_id.as_deref(),
            staff_id: row.staff_id.as_deref(),
            month: &month_of(finished),
            finished_at: finished,
            now: ctx.now,
        })
        .prepare(&db)?];
        let order_id = if tongban_shared::review::is_bad(req.level) {
            let oid = hex(&random::<16>().map_err(js_err)?);
            let cal = calendar_of(&db).await?;
            let order = Order::open(beijing(ctx.now).date(), !anonymous, &cal);
            let new = NewOrderRow {
                id: &oid,
                review_id: &id,
                center_id: &row.center_id,
                dept_id: row.dept_id.as_deref(),
                window_id: window_id.as_deref(),
                staff_id: row.staff_id.as_deref(),
                real_name: order.real_name,
                deadline: &order.deadline.to_string(),
                now: ctx.now,
            };
            for stmt in store::open_order_after_review(&new) {
                batch.push(stmt.prepare(&db)?);
            }
            Some(oid)
        } else {
            None
        };
        batch.push(store::bump_review_stats().prepare(&db)?);
        let r = db.batch(batch).await?;
        if !changed(&r[0]) {
            // The other of two simultaneous submissions won.
            return Err(ErrorCode::AlreadyReviewed.into());
        }
        Ok(ctx.reply(&ReviewCreated { id, work_order: order_id })?.with_status(201))
    }

    impl ReviewRow {
        pub(crate) fn body(&self) -> ReviewBody {
            let s = |v: Option<i64>| v.map(|v| v.clamp(1, 5) as u8);
            ReviewBody {
                level: self.level.clamp(1, 5) as u8,
                scores: Scores {
                    efficiency: s(self.s_efficiency),
                    competence: s(self.s_competence),
                    attitude: s(self.s_attitude),
                    guide_accuracy: s(self.s_guide),
                    convenience: s(self.s_convenience),
                    ease_of_use: s(self.s_ease),
                },
                reason: self.reason,
                text: self.text.clone(),
                channel: self.channel,
                anonymous: self.anonymous != 0,
                created_at: self.created_at,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_are_beijing_months() {
        // 2026-11-30 16:30 UTC is 1 December 00:30 in Beijing.
        assert_eq!(super::month_of(1_796_056_200), "2026-12");
        assert_eq!(super::month_of(1_796_052_600), "2026-11");
    }
}
