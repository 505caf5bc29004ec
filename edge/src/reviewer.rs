//! `/api/v1/reviews/mine`: a reviewer's side of 好差评 — the services waiting for their review and the
//! reviews they wrote, each with the work order it opened. It reads [`crate::reviews`]' rows and
//! [`crate::work_orders`]' orders; neither of those needs it, so they do not need each other.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::reviews::{store, ReviewRow, ServiceRow};
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
        let me = p.account_id.as_str();
        let since = ctx.now - REVIEW_WINDOW_SECS;
        let pending: Vec<ServiceRow> = store::pending_visits(me, since).prepare(&db)?.all().await?.results()?;
        let cases: Vec<ServiceRow> = store::pending_cases(me, since).prepare(&db)?.all().await?.results()?;
        let pending: Vec<ServiceRow> = pending.into_iter().chain(cases).collect();
        let rows: Vec<ReviewRow> = store::reviews_of(me).prepare(&db)?.all().await?.results()?;
        // The services of all of them in two queries (tickets, cases), whatever their number.
        let ids = |kind: &str| serde_json::to_string(&rows.iter().filter(|r| r.event_kind == kind).map(|r| r.event_id.as_str()).collect::<Vec<_>>());
        let mut services: Vec<ServiceRow> = store::services_of(false, &ids("ticket")?).prepare(&db)?.all().await?.results()?;
        services.extend(store::services_of(true, &ids("case")?).prepare(&db)?.all().await?.results::<ServiceRow>()?);
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
