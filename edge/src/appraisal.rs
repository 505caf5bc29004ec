//! `/api/v1/dashboard`, `/api/v1/open-data/…`, `/api/v1/staff/{id}/appraisal`: the public appraisal.
//! Two `GROUP BY` queries (services from finished tickets, reviews with their work orders) produce
//! `shared::appraisal::Fact`s; the core does every roll-up. Answers are cached in KV under a key that
//! carries the `stats_gen` counter, which every review and work-order change bumps in its own batch: a
//! change shows at once, and otherwise a cached answer lives [`CACHE_SECS`].

/// How long a cached dashboard may be served (services are counted as tickets finish, which does not
/// bump the counter, so the figures refresh at least this often).
pub const CACHE_SECS: u64 = 300;

/// The first second (epoch, Beijing midnight) of a `YYYY-MM` month.
pub fn month_start(month: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| tongban_shared::time::epoch_of(d.and_hms_opt(0, 0, 0).unwrap_or_default()))
        .unwrap_or(0)
}

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{month_start, CACHE_SECS};
    use crate::error::ApiError;
    use crate::http::{num, opt, text};
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::appraisal::{appraisal, build, months_ending, open_data, to_csv, DashFilter, Dimension, Fact, ItemCounts, Names, TREND_MONTHS};
    use tongban_shared::review::Tally;
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, FieldError, Text};
    use worker::{D1Database, Headers, Response};

    fn this_month(ctx: &Ctx) -> String {
        beijing(ctx.now).format("%Y-%m").to_string()
    }

    #[derive(Deserialize)]
    struct FactRow {
        month: String,
        center: String,
        dept: Option<String>,
        window: Option<String>,
        item: Option<String>,
        staff: Option<String>,
        services: Option<f64>,
        on_the_spot: Option<f64>,
        waited: Option<f64>,
        wait_secs: Option<f64>,
        reviews: Option<f64>,
        good: Option<f64>,
        bad: Option<f64>,
        valid_bad: Option<f64>,
        rectified: Option<f64>,
        not_fixed: Option<f64>,
        real_name_bad: Option<f64>,
        called_back: Option<f64>,
        overdue: Option<f64>,
        s0: Option<f64>,
        n0: Option<f64>,
        s1: Option<f64>,
        n1: Option<f64>,
        s2: Option<f64>,
        n2: Option<f64>,
        s3: Option<f64>,
        n3: Option<f64>,
        s4: Option<f64>,
        n4: Option<f64>,
        s5: Option<f64>,
        n5: Option<f64>,
        s6: Option<f64>,
        n6: Option<f64>,
    }

    impl FactRow {
        fn fact(self) -> Fact {
            let u = |v: Option<f64>| v.unwrap_or(0.0).max(0.0) as u64;
            Fact {
                tally: Tally {
                    services: u(self.services),
                    on_the_spot: u(self.on_the_spot),
                    waited: u(self.waited),
                    wait_secs: u(self.wait_secs),
                    reviews: u(self.reviews),
                    good: u(self.good),
                    bad: u(self.bad),
                    valid_bad: u(self.valid_bad),
                    rectified: u(self.rectified),
                    not_fixed: u(self.not_fixed),
                    real_name_bad: u(self.real_name_bad),
                    called_back: u(self.called_back),
                    overdue: u(self.overdue),
                    score_sum: [u(self.s0), u(self.s1), u(self.s2), u(self.s3), u(self.s4), u(self.s5), u(self.s6)],
                    score_n: [u(self.n0), u(self.n1), u(self.n2), u(self.n3), u(self.n4), u(self.n5), u(self.n6)],
                },
                month: self.month,
                center: self.center,
                dept: self.dept,
                window: self.window,
                item: self.item,
                staff: self.staff,
            }
        }
    }

    /// Services: finished tickets, by the month they finished in (a booking's ticket counts for its item),
    /// and decided cases of applications (一事一评 rates them too).
    const SERVICES_SQL: &str = "SELECT strftime('%Y-%m', t.finished_at + 28800, 'unixepoch') AS month, t.center_id AS center, i.dept_id AS dept, \
         CASE WHEN t.window_no IS NULL THEN NULL ELSE t.center_id || '-w' || t.window_no END AS window, i.id AS item, t.called_by AS staff, \
         count(*) AS services, sum(t.outcome = 'on_the_spot') AS on_the_spot, sum(t.called_at IS NOT NULL) AS waited, \
         sum(CASE WHEN t.called_at IS NULL THEN 0 ELSE t.called_at - t.created_at END) AS wait_secs \
         FROM tickets t LEFT JOIN bookings b ON b.id = t.booking_id LEFT JOIN items i ON i.id = coalesce(t.item_id, b.item_id) \
         WHERE t.state = 'done' AND t.finished_at >= ?1 AND (?2 IS NULL OR t.center_id = ?2) GROUP BY 1, 2, 3, 4, 5, 6 \
         UNION ALL \
         SELECT strftime('%Y-%m', k.decided_at + 28800, 'unixepoch'), a.center_id, k.dept_id, NULL, k.item_id, NULL, count(*), 0, 0, 0 \
         FROM cases k JOIN applications a ON a.id = k.application_id \
         WHERE k.state IN ('approved', 'refused') AND k.decided_at >= ?1 AND (?2 IS NULL OR a.center_id = ?2) GROUP BY 1, 2, 3, 4, 5, 6";

    /// Reviews with their orders, by the month of the service. The sums follow `Tally::count_review`.
    const REVIEWS_SQL: &str = "SELECT r.month, r.center_id AS center, r.dept_id AS dept, r.window_id AS window, r.item_id AS item, r.staff_id AS staff, \
         count(*) AS reviews, sum(r.level >= 4) AS good, sum(r.level <= 2) AS bad, \
         sum(o.valid = 1) AS valid_bad, \
         sum(o.valid = 1 AND (o.state = 'rectified' OR o.outcome = 'fixed')) AS rectified, \
         sum(o.outcome = 'not_fixed') AS not_fixed, \
         sum(o.valid = 1 AND o.real_name = 1) AS real_name_bad, \
         sum(o.valid = 1 AND o.real_name = 1 AND (o.reopened = 1 OR o.outcome = 'fixed')) AS called_back, \
         sum(o.state IN ('verifying', 'invalid_pending', 'rectifying', 'extension_pending', 'appealed') AND o.deadline < ?3) AS overdue, \
         sum(r.level) AS s0, count(*) AS n0, sum(r.s_efficiency) AS s1, count(r.s_efficiency) AS n1, sum(r.s_competence) AS s2, count(r.s_competence) AS n2, \
         sum(r.s_attitude) AS s3, count(r.s_attitude) AS n3, sum(r.s_guide) AS s4, count(r.s_guide) AS n4, sum(r.s_convenience) AS s5, count(r.s_convenience) AS n5, \
         sum(r.s_ease) AS s6, count(r.s_ease) AS n6 \
         FROM reviews r LEFT JOIN work_orders o ON o.review_id = r.id \
         WHERE r.month >= ?1 AND (?2 IS NULL OR r.center_id = ?2) GROUP BY 1, 2, 3, 4, 5, 6";

    #[derive(Deserialize)]
    struct NameRow {
        kind: String,
        id: String,
        zh: String,
        en: String,
    }

    const NAMES_SQL: &str = "SELECT 'c' AS kind, id, name_zh AS zh, name_en AS en FROM centers \
         UNION ALL SELECT 'd', id, name_zh, name_en FROM departments \
         UNION ALL SELECT 'i', id, name_zh, name_en FROM items \
         UNION ALL SELECT 'w', w.id, c.name_zh || ' ' || w.number || ' 号窗口', c.name_en || ' window ' || w.number FROM windows w JOIN centers c ON c.id = w.center_id";

    struct Data {
        facts: Vec<Fact>,
        names: Names,
        items: ItemCounts,
    }

    /// Everything the appraisal needs, in one round trip.
    async fn data(ctx: &Ctx, db: &D1Database, end: &str, center: Option<&str>) -> Result<Data, ApiError> {
        let first = months_ending(end, TREND_MONTHS).into_iter().next().unwrap_or_default();
        let today = beijing(ctx.now).date().to_string();
        let r = db
            .batch(vec![
                db.prepare(SERVICES_SQL).bind(&[num(month_start(&first) as f64), opt(center)])?,
                db.prepare(REVIEWS_SQL).bind(&[text(&first), opt(center), text(&today)])?,
                db.prepare(NAMES_SQL),
                db.prepare("SELECT count(*) AS total, coalesce(sum(online), 0) AS online, coalesce(sum(zero_trip), 0) AS zero_trip, coalesce(sum(on_the_spot), 0) AS on_the_spot FROM items"),
            ])
            .await?;
        let mut facts: Vec<Fact> = r[0].results::<FactRow>()?.into_iter().map(FactRow::fact).collect();
        facts.extend(r[1].results::<FactRow>()?.into_iter().map(FactRow::fact));
        let mut names = Names::default();
        for n in r[2].results::<NameRow>()? {
            let t = Text::new(n.zh, n.en);
            let _ = match n.kind.as_str() {
                "c" => names.centers.insert(n.id, t),
                "d" => names.depts.insert(n.id, t),
                "i" => names.items.insert(n.id, t),
                _ => names.windows.insert(n.id, t),
            };
        }
        #[derive(Deserialize)]
        struct I {
            total: f64,
            online: f64,
            zero_trip: f64,
            on_the_spot: f64,
        }
        let items = r[3].results::<I>()?.into_iter().next().map_or(ItemCounts::default(), |i| ItemCounts {
            total: i.total as u64,
            online: i.online as u64,
            zero_trip: i.zero_trip as u64,
            on_the_spot: i.on_the_spot as u64,
        });
        Ok(Data { facts, names, items })
    }

    /// The filter, with every id it names known to D1 (else 404) and its month within the years the
    /// figures cover: every cache key is then one a real page can ask for, so random filters cannot
    /// bypass the cache and put each request's aggregation on D1.
    async fn filter(ctx: &Ctx) -> Result<DashFilter, ApiError> {
        let q = ctx.query_pairs();
        let f = DashFilter::from_pairs(q.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        f.check_month(&this_month(ctx))?;
        if f.center.is_none() && f.dept.is_none() && f.window.is_none() && f.item.is_none() {
            return Ok(f);
        }
        #[derive(Deserialize)]
        struct Known {
            center: i64,
            dept: i64,
            window: i64,
            item: i64,
        }
        let k: Known = ctx
            .db()?
            .prepare(
                "SELECT (?1 IS NULL OR EXISTS (SELECT 1 FROM centers WHERE id = ?1)) AS center, (?2 IS NULL OR EXISTS (SELECT 1 FROM departments WHERE id = ?2)) AS dept, \
                 (?3 IS NULL OR EXISTS (SELECT 1 FROM windows WHERE id = ?3)) AS window, (?4 IS NULL OR EXISTS (SELECT 1 FROM items WHERE id = ?4)) AS item",
            )
            .bind(&[opt(f.center.as_deref()), opt(f.dept.as_deref()), opt(f.window.as_deref()), opt(f.item.as_deref())])?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("existence check returned no row".into()))?;
        for (known, code, field) in [
            (k.center, ErrorCode::CenterNotFound, "center"),
            (k.dept, ErrorCode::DepartmentNotFound, "dept"),
            (k.window, ErrorCode::WindowNotFound, "window"),
            (k.item, ErrorCode::ItemNotFound, "item"),
        ] {
            if known == 0 {
                return Err(FieldError::new(code, field).into());
            }
        }
        Ok(f)
    }

    async fn generation(db: &D1Database) -> Result<i64, ApiError> {
        #[derive(Deserialize)]
        struct G {
            n: i64,
        }
        Ok(db.prepare("SELECT n FROM stats_gen WHERE name = 'reviews'").first::<G>(None).await?.map_or(0, |g| g.n))
    }

    /// The cached JSON for `key`, or `make`'s, stored for next time. `X-Cache` says which it was.
    async fn cached<F, Fut>(ctx: &Ctx, key: &str, make: F) -> Result<(String, bool), ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, ApiError>>,
    {
        let db = ctx.db()?;
        let full = format!("appraisal:v1:{}:{key}", generation(&db).await?);
        let kv = ctx.env.kv("KV")?;
        if let Ok(Some(hit)) = kv.get(&full).text().await {
            return Ok((hit, true));
        }
        let body = make().await?;
        // A failed cache write only costs the next caller a recomputation.
        if let Ok(put) = kv.put(&full, body.clone()) {
            let _ = put.expiration_ttl(CACHE_SECS).execute().await;
        }
        Ok((body, false))
    }

    /// The cached body as the route's answer: `T` is what `cached` serialised it from (or `Raw` for the CSV).
    fn respond<T>(ctx: &Ctx, body: String, hit: bool, content_type: &str) -> Result<crate::http::Reply<T>, ApiError> {
        let inm = ctx.req.headers().get("If-None-Match")?;
        let (status, etag) = crate::http::conditional(body.as_bytes(), inm.as_deref());
        let headers = Headers::new();
        headers.set("Cache-Control", &ctx.route.cache.header())?;
        headers.set("ETag", &etag)?;
        headers.set("X-Cache", if hit { "hit" } else { "miss" })?;
        if status == 304 {
            return Ok(crate::http::Reply::serialized(Response::empty()?.with_status(304).with_headers(headers)));
        }
        headers.set("Content-Type", content_type)?;
        Ok(crate::http::Reply::serialized(Response::from_bytes(body.into_bytes())?.with_headers(headers)))
    }

    pub async fn dashboard(ctx: &Ctx) -> Answer<ep::Dashboard> {
        let f = filter(ctx).await?;
        let month = this_month(ctx);
        let (body, hit) = cached(ctx, &format!("dash:{month}:{}", f.key()), || async {
            let db = ctx.db()?;
            let end = f.month.clone().unwrap_or_else(|| month.clone());
            let d = data(ctx, &db, &end, f.center.as_deref()).await?;
            Ok(serde_json::to_string(&build(&d.facts, &d.names, d.items, &f, &month, ctx.now))?)
        })
        .await?;
        respond(ctx, body, hit, "application/json; charset=utf-8")
    }

    fn dimension(ctx: &Ctx) -> Result<Dimension, ApiError> {
        let by = ctx.query_pairs().into_iter().find(|(k, _)| k == "by").map(|(_, v)| v).unwrap_or_default();
        Dimension::parse(&by).ok_or_else(|| FieldError::new(ErrorCode::UnknownFilter, "by").into())
    }

    async fn open<T>(ctx: &Ctx, csv: bool) -> Result<crate::http::Reply<T>, ApiError> {
        let f = filter(ctx).await?;
        let dim = dimension(ctx)?;
        let month = this_month(ctx);
        let key = format!("open:{}:{month}:{}:{}", if csv { "csv" } else { "json" }, dim.as_str(), f.key());
        let (body, hit) = cached(ctx, &key, || async {
            let db = ctx.db()?;
            let end = f.month.clone().unwrap_or_else(|| month.clone());
            let d = data(ctx, &db, &end, f.center.as_deref()).await?;
            let od = open_data(&d.facts, &d.names, &f, dim, &month, ctx.now);
            if csv {
                Ok(to_csv(&od))
            } else {
                Ok(serde_json::to_string(&od)?)
            }
        })
        .await?;
        let mut resp = respond(ctx, body, hit, if csv { "text/csv; charset=utf-8" } else { "application/json; charset=utf-8" })?;
        if csv {
            // The metadata the rows no longer carry: the licence, and the JSON twin with the generation time.
            let json = ctx.url.as_str().replacen("/reviews.csv", "/reviews.json", 1);
            resp.headers_mut().set("Link", &format!("<{}>; rel=\"license\", <{json}>; rel=\"describedby\"", tongban_shared::appraisal::LICENCE_URL))?;
            resp.headers_mut().set("Content-Disposition", &format!("attachment; filename=\"tongban-reviews-{}-{month}.csv\"", dim.as_str()))?;
        }
        Ok(resp)
    }

    pub async fn open_json(ctx: &Ctx) -> Answer<ep::OpenDataJson> {
        open(ctx, false).await
    }

    pub async fn open_csv(ctx: &Ctx) -> Answer<ep::OpenDataCsv> {
        open(ctx, true).await
    }

    /// `GET /staff/{id}/appraisal`: one staff member's review results by month — for admins of their
    /// scope and for the staff member themself.
    pub async fn staff(ctx: &Ctx) -> Answer<ep::StaffAppraisal> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let db = ctx.db()?;
        #[derive(Deserialize)]
        struct S {
            center_id: Option<String>,
            name_enc: String,
        }
        let s: S = db
            .prepare("SELECT st.center_id, a.name_enc FROM staff st JOIN accounts a ON a.id = st.account_id WHERE st.account_id = ?1")
            .bind(&[text(&id)])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::StaffNotFound))?;
        if !tongban_shared::authz::may_see_staff_appraisal(p, &id, s.center_id.as_deref()) {
            return Err(ErrorCode::Forbidden.into());
        }
        let month = this_month(ctx);
        let d = data(ctx, &db, &month, s.center_id.as_deref()).await?;
        let name = ctx.keyring()?.open(&s.name_enc).unwrap_or_default();
        ctx.reply(&appraisal(&id, &name, &d.facts, &month))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_start_at_beijing_midnight() {
        // 2026-11-01 00:00 Beijing = 2026-10-31 16:00 UTC.
        assert_eq!(super::month_start("2026-11"), 1_793_462_400);
    }
}
