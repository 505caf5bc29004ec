//! `/api/v1/reviews…`: 好差评 of finished window services. A review is written with its work order (for a
//! bad review), the order's first history line and the statistics generation bump in one D1 batch, and
//! the `UNIQUE (event_kind, event_id)` constraint makes a second review of the same service a 409 even
//! when two arrive at once.

/// `YYYY-MM` (Beijing) of an epoch second: the month a service counts in.
pub fn month_of(epoch: i64) -> String {
    tongban_shared::time::month(epoch)
}

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
    use wasm_bindgen::JsValue;
    use worker::D1Database;

    use crate::http::{changed, num, opt, text};

    /// A finished (or not) window service with what a review records about it.
    #[derive(Deserialize)]
    pub(crate) struct ServiceRow {
        pub id: String,
        pub number: String,
        pub center_id: String,
        pub window_no: Option<i64>,
        pub state: String,
        pub finished_at: Option<i64>,
        pub staff_id: Option<String>,
        pub item_id: Option<String>,
        pub dept_id: Option<String>,
        pub owner: Option<String>,
        pub c_zh: String,
        pub c_en: String,
        pub i_zh: Option<String>,
        pub i_en: Option<String>,
        pub reviewed: i64,
        /// `ticket` or `case`.
        pub kind: String,
    }

    pub(crate) const SERVICE_SELECT: &str = "SELECT t.id, t.number, t.center_id, t.window_no, t.state, t.finished_at, t.called_by AS staff_id, \
         coalesce(t.item_id, b.item_id) AS item_id, i.dept_id, b.account_id AS owner, c.name_zh AS c_zh, c.name_en AS c_en, i.name_zh AS i_zh, i.name_en AS i_en, \
         EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'ticket' AND r.event_id = t.id) AS reviewed, 'ticket' AS kind \
         FROM tickets t JOIN centers c ON c.id = t.center_id LEFT JOIN bookings b ON b.id = t.booking_id LEFT JOIN items i ON i.id = coalesce(t.item_id, b.item_id)";

    /// A case of an application in the same shape: "finished" once decided, served by its department.
    pub(crate) const CASE_SERVICE_SELECT: &str = "SELECT k.id, k.number, a.center_id, NULL AS window_no, \
         CASE WHEN k.state IN ('approved', 'refused') THEN 'done' ELSE k.state END AS state, k.decided_at AS finished_at, NULL AS staff_id, \
         k.item_id, k.dept_id, a.account_id AS owner, c.name_zh AS c_zh, c.name_en AS c_en, i.name_zh AS i_zh, i.name_en AS i_en, \
         EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'case' AND r.event_id = k.id) AS reviewed, 'case' AS kind \
         FROM cases k JOIN applications a ON a.id = k.application_id JOIN centers c ON c.id = a.center_id JOIN items i ON i.id = k.item_id";

    /// The service a review rated.
    pub(crate) async fn service_of(db: &D1Database, kind: &str, id: &str) -> Result<Option<ServiceRow>, ApiError> {
        let sql = if kind == "case" { format!("{CASE_SERVICE_SELECT} WHERE k.id = ?1") } else { format!("{SERVICE_SELECT} WHERE t.id = ?1") };
        Ok(db.prepare(sql).bind(&[text(id)])?.first::<ServiceRow>(None).await?)
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
                let client = text(&token_digest(&format!("review-code-client:{}", ctx.client())));
                let since = num((ctx.now - tongban_shared::account::THROTTLE_WINDOW_SECS) as f64);
                let fails: Option<f64> = db
                    .prepare("SELECT count(*) AS n FROM review_code_failures WHERE client = ?1 AND at > ?2")
                    .bind(&[client.clone(), since])?
                    .first(Some("n"))
                    .await?;
                if fails.unwrap_or(0.0) >= f64::from(tongban_shared::review::CODE_FAILS_PER_CLIENT) {
                    return Err(ErrorCode::TooManyAttempts.into());
                }
                let found = db.prepare(format!("{SERVICE_SELECT} WHERE t.review_code = ?1")).bind(&[text(&c)])?.first::<ServiceRow>(None).await?;
                if found.is_none() {
                    db.prepare("INSERT INTO review_code_failures (client, at) VALUES (?1, ?2)").bind(&[client, num(ctx.now as f64)])?.run().await?;
                }
                found
            }
            (None, Some(t)) => {
                if t.len() != 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(tongban_shared::FieldError::new(ErrorCode::BadId, "ticket").into());
                }
                db.prepare(format!("{SERVICE_SELECT} WHERE t.id = ?1")).bind(&[text(t)])?.first::<ServiceRow>(None).await?
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
        let since = num((ctx.now - RATE_WINDOW_SECS) as f64);
        let recent: Recent = db
            .prepare("SELECT (SELECT count(*) FROM reviews WHERE account_id = ?1 AND created_at > ?3) AS mine, (SELECT count(*) FROM reviews WHERE client = ?2 AND created_at > ?3) AS theirs")
            .bind(&[opt(account.as_deref()), text(&client), since])?
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
        let score = |v: Option<u8>| v.map_or(JsValue::NULL, num);
        let mut batch = vec![db
            .prepare(
                "INSERT OR IGNORE INTO reviews (id, event_kind, event_id, account_id, anonymous, level, s_efficiency, s_competence, s_attitude, s_guide, s_convenience, s_ease, \
                 reason, text, channel, client, center_id, dept_id, window_id, item_id, staff_id, month, finished_at, created_at) \
                 VALUES (?1, ?24, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
            )
            .bind(&[
                text(&id),
                text(&row.id),
                opt(account.as_deref()),
                num(u8::from(anonymous)),
                num(req.level),
                score(s.efficiency),
                score(s.competence),
                score(s.attitude),
                score(s.guide_accuracy),
                score(s.convenience),
                score(s.ease_of_use),
                opt(req.reason.map(|r| r.as_str())),
                text(req.text.trim()),
                text(req.channel.as_str()),
                text(&client),
                text(&row.center_id),
                opt(row.dept_id.as_deref()),
                opt(row.window_id().as_deref()),
                opt(row.item_id.as_deref()),
                opt(row.staff_id.as_deref()),
                text(&month_of(finished)),
                num(finished as f64),
                num(ctx.now as f64),
                text(&row.kind),
            ])?];
        let order_id = if tongban_shared::review::is_bad(req.level) {
            let oid = hex(&random::<16>().map_err(js_err)?);
            let cal = calendar_of(&db).await?;
            let order = Order::open(beijing(ctx.now).date(), !anonymous, &cal);
            batch.push(
                db.prepare(
                    "INSERT INTO work_orders (id, review_id, center_id, dept_id, window_id, staff_id, state, real_name, deadline, created_at, updated_at) \
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, 'verifying', ?7, ?8, ?9, ?9 WHERE changes() = 1",
                )
                .bind(&[
                    text(&oid),
                    text(&id),
                    text(&row.center_id),
                    opt(row.dept_id.as_deref()),
                    opt(row.window_id().as_deref()),
                    opt(row.staff_id.as_deref()),
                    num(u8::from(order.real_name)),
                    text(&order.deadline.to_string()),
                    num(ctx.now as f64),
                ])?,
            );
            batch.push(
                db.prepare("INSERT INTO work_order_events (order_id, at, actor_id, capacity, action, from_state, to_state, note) SELECT ?1, ?2, NULL, 'system', 'opened', NULL, 'verifying', '' WHERE changes() = 1")
                    .bind(&[text(&oid), num(ctx.now as f64)])?,
            );
            Some(oid)
        } else {
            None
        };
        batch.push(db.prepare("UPDATE stats_gen SET n = n + 1 WHERE name = 'reviews'"));
        let r = db.batch(batch).await?;
        if !changed(&r[0]) {
            // The other of two simultaneous submissions won.
            return Err(ErrorCode::AlreadyReviewed.into());
        }
        Ok(ctx.reply(&ReviewCreated { id, work_order: order_id })?.with_status(201))
    }

    #[derive(Deserialize)]
    pub(crate) struct ReviewRow {
        pub id: String,
        pub event_kind: String,
        pub event_id: String,
        pub account_id: Option<String>,
        pub anonymous: i64,
        pub level: i64,
        pub s_efficiency: Option<i64>,
        pub s_competence: Option<i64>,
        pub s_attitude: Option<i64>,
        pub s_guide: Option<i64>,
        pub s_convenience: Option<i64>,
        pub s_ease: Option<i64>,
        pub reason: Option<tongban_shared::review::Reason>,
        pub text: String,
        pub channel: tongban_shared::review::Channel,
        pub created_at: i64,
    }

    pub(crate) const REVIEW_COLUMNS: &str =
        "r.id, r.event_kind, r.event_id, r.account_id, r.anonymous, r.level, r.s_efficiency, r.s_competence, r.s_attitude, r.s_guide, r.s_convenience, r.s_ease, r.reason, r.text, r.channel, r.created_at";

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
