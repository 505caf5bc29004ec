//! `/api/v1/reviews/mine`: a reviewer's side of 好差评 — the services waiting for their review and the
//! reviews they wrote, each with the work order it opened. It reads [`crate::reviews`]' rows and
//! [`crate::work_orders`]' orders; neither of those needs it, so they do not need each other.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::error::ApiError;
    use crate::http::{num, text, Answer, Ctx};
    use crate::reviews::{ReviewRow, ServiceRow, CASE_SERVICE_SELECT, REVIEW_COLUMNS, SERVICE_SELECT};
    use crate::routes::ep;
    use tongban_shared::review::{MyReview, MyReviews, REVIEW_WINDOW_SECS};

    /// `GET /reviews/mine`: services I may still review, and my reviews with their work orders.
    pub async fn mine(ctx: &Ctx) -> Answer<ep::MyReviews> {
        ctx.reply(&mine_value(ctx).await?)
    }

    /// What `mine` answers, also for the data export.
    pub async fn mine_value(ctx: &Ctx) -> Result<MyReviews, ApiError> {
        let p = ctx.principal()?;
        let db = ctx.db()?;
        let me = text(&p.account_id);
        let pending: Vec<ServiceRow> = db
            .prepare(format!(
                "{SERVICE_SELECT} WHERE b.account_id = ?1 AND t.state = 'done' AND t.finished_at > ?2 \
                 AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'ticket' AND r.event_id = t.id) ORDER BY t.finished_at DESC LIMIT 20"
            ))
            .bind(&[me.clone(), num((ctx.now - REVIEW_WINDOW_SECS) as f64)])?
            .all()
            .await?
            .results()?;
        let cases: Vec<ServiceRow> = db
            .prepare(format!(
                "{CASE_SERVICE_SELECT} WHERE a.account_id = ?1 AND k.state IN ('approved', 'refused') AND k.decided_at > ?2 \
                 AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'case' AND r.event_id = k.id) ORDER BY k.decided_at DESC LIMIT 20"
            ))
            .bind(&[text(&p.account_id), num((ctx.now - REVIEW_WINDOW_SECS) as f64)])?
            .all()
            .await?
            .results()?;
        let pending: Vec<ServiceRow> = pending.into_iter().chain(cases).collect();
        let rows: Vec<ReviewRow> = db
            .prepare(format!("SELECT {REVIEW_COLUMNS} FROM reviews r WHERE r.account_id = ?1 ORDER BY r.created_at DESC LIMIT 50"))
            .bind(&[me])?
            .all()
            .await?
            .results()?;
        // The services of all of them in two queries (tickets, cases), whatever their number.
        let ids = |kind: &str| serde_json::to_string(&rows.iter().filter(|r| r.event_kind == kind).map(|r| r.event_id.as_str()).collect::<Vec<_>>());
        let mut services: Vec<ServiceRow> =
            db.prepare(format!("{SERVICE_SELECT} WHERE t.id IN (SELECT value FROM json_each(?1))")).bind(&[text(&ids("ticket")?)])?.all().await?.results()?;
        services.extend(
            db.prepare(format!("{CASE_SERVICE_SELECT} WHERE k.id IN (SELECT value FROM json_each(?1))"))
                .bind(&[text(&ids("case")?)])?
                .all()
                .await?
                .results::<ServiceRow>()?,
        );
        let rated: Vec<(ReviewRow, ServiceRow)> = rows
            .into_iter()
            .filter_map(|r| {
                let i = services.iter().position(|s| s.kind == r.event_kind && s.id == r.event_id)?;
                Some((r, services.swap_remove(i)))
            })
            .collect();
        let mut orders = crate::work_orders::details_for_reviews(ctx, &db, &rated, p).await?;
        let reviews =
            rated.iter().map(|(r, svc)| MyReview { id: r.id.clone(), service: svc.target(), review: r.body(), order: orders.remove(&r.id) }).collect();
        Ok(MyReviews { pending: pending.iter().map(ServiceRow::target).collect(), reviews })
    }
}
