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

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, FactRow, GenerationRow, ItemCountsRow, KnownRow, NameRow, StaffRow};
    use super::{month_start, CACHE_SECS};
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use tongban_shared::appraisal::{appraisal, build, months_ending, open_data, to_csv, DashFilter, Dimension, Fact, ItemCounts, Names, TREND_MONTHS};
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, FieldError, Text};
    use worker::{D1Database, Headers, Response};

    fn this_month(ctx: &Ctx) -> String {
        beijing(ctx.now).format("%Y-%m").to_string()
    }

    struct Data {
        facts: Vec<Fact>,
        names: Names,
        items: ItemCounts,
    }

    /// Everything the appraisal needs, in one round trip.
    async fn data(ctx: &Ctx, db: &D1Database, end: &str, center: Option<&str>) -> Result<Data, ApiError> {
        let first = months_ending(end, TREND_MONTHS).into_iter().next().unwrap_or_default();
        let today = beijing(ctx.now).date().to_string();
        let batch = store::facts(month_start(&first), &first, center, &today).iter().map(|s| s.prepare(db)).collect::<Result<Vec<_>, _>>()?;
        let r = db.batch(batch).await?;
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
        let items = r[3].results::<ItemCountsRow>()?.into_iter().next().map_or(ItemCounts::default(), |i| ItemCounts {
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
        let k: KnownRow = store::known(f.center.as_deref(), f.dept.as_deref(), f.window.as_deref(), f.item.as_deref())
            .prepare(&ctx.db()?)?
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
        Ok(store::generation().prepare(db)?.first::<GenerationRow>(None).await?.map_or(0, |g| g.n))
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
        let s: StaffRow = store::staff(&id).prepare(&db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::StaffNotFound))?;
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
