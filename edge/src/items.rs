//! `/api/v1/items…`: list, filter and search service items; an item with its current or a past guide.

use crate::rows::{ITEM_COLUMNS, ITEM_FROM};
use crate::sql::Arg;
use tongban_shared::query::ItemQuery;
use tongban_shared::search::SearchQuery;

/// The list query: filters in SQL, one `instr` per search term. Ranking and paging happen after, in
/// Rust ([`tongban_shared::search::rank`]), because relevance needs the names and keywords anyway and a
/// district catalogue is a few thousand rows at most.
pub fn list_sql(q: &ItemQuery, search: &SearchQuery) -> (String, Vec<Arg>) {
    let mut sql = format!("SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE 1 = 1");
    let mut args = Vec::new();
    let mut bind = |sql: &mut String, cond: &str, v: String| {
        args.push(Arg::Text(v));
        sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(d) = &q.dept {
        bind(&mut sql, " AND i.dept_id = ?", d.clone());
    }
    if let Some(c) = &q.center {
        bind(&mut sql, " AND EXISTS (SELECT 1 FROM item_centers ic WHERE ic.item_id = i.id AND ic.center_id = ?)", c.clone());
    }
    if let Some(k) = q.kind {
        bind(&mut sql, " AND i.kind = ?", k.as_str().to_string());
    }
    for f in &q.flags {
        // Column names come from a closed enum, never from input.
        sql.push_str(&format!(" AND i.{} = 1", f.as_str()));
    }
    for t in &search.terms {
        bind(&mut sql, " AND instr(i.search_text, ?) > 0", t.clone());
    }
    sql.push_str(" ORDER BY i.popularity DESC, i.id");
    (sql, args)
}

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use crate::rows::{CenterRefRow, GuideRow, ItemRow, NamedRow, VersionRow};
    use tongban_shared::catalogue::{Guide, GuideVersionInfo, ItemDetail, ItemPage};
    use tongban_shared::search::{rank, score};
    use tongban_shared::ErrorCode;
    use wasm_bindgen::JsValue;

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListItems> {
        let pairs = ctx.query_pairs();
        let q = ItemQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let search = q.search()?;
        let (sql, args) = list_sql(&q, &search);
        let rows: Vec<ItemRow> = ctx.db()?.prepare(sql).bind(&crate::sql::js(&args))?.all().await?.results()?;
        let mut scored: Vec<(u32, ItemRow)> =
            rows.into_iter().map(|r| (if search.is_empty() { 0 } else { score(&search, &r.name(), &r.keywords()) }, r)).collect();
        rank(&mut scored, |(s, r)| (*s, r.popularity.max(0) as u32, r.id.as_str()));
        let total = scored.len() as u32;
        let items = scored.into_iter().skip(q.offset() as usize).take(q.per_page as usize).map(|(_, r)| r.summary()).collect();
        ctx.reply(&ItemPage { items, total, page: q.page, per_page: q.per_page })
    }

    /// The item, the asked-for (or current) guide, all versions, centers and bundles in one D1 round trip.
    async fn detail(ctx: &Ctx, version: Option<u32>) -> Result<ItemDetail, ApiError> {
        let id = ctx.slug("id")?;
        let db = ctx.db()?;
        let idv = JsValue::from_str(&id);
        let guide_stmt = match version {
            Some(v) => {
                db.prepare("SELECT guide_json FROM guide_versions WHERE item_id = ?1 AND version = ?2").bind(&[idv.clone(), JsValue::from_f64(f64::from(v))])?
            }
            None => db
                .prepare("SELECT g.guide_json FROM guide_versions g JOIN items i ON i.id = g.item_id AND g.version = i.current_version WHERE g.item_id = ?1")
                .bind(std::slice::from_ref(&idv))?,
        };
        let results = db
            .batch(vec![
                db.prepare(format!("SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.id = ?1")).bind(std::slice::from_ref(&idv))?,
                guide_stmt,
                db.prepare("SELECT version, published_at, change_zh, change_en FROM guide_versions WHERE item_id = ?1 ORDER BY version")
                    .bind(std::slice::from_ref(&idv))?,
                db.prepare("SELECT c.id, c.name_zh, c.name_en, c.kind FROM item_centers ic JOIN centers c ON c.id = ic.center_id WHERE ic.item_id = ?1 ORDER BY c.sort, c.id")
                    .bind(std::slice::from_ref(&idv))?,
                db.prepare("SELECT b.id, b.name_zh, b.name_en FROM bundle_items bi JOIN bundles b ON b.id = bi.bundle_id WHERE bi.item_id = ?1 ORDER BY b.sort, b.id")
                    .bind(&[idv])?,
            ])
            .await?;
        let item = results[0].results::<ItemRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::ItemNotFound))?;
        let guide_row = results[1].results::<GuideRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::VersionNotFound))?;
        let guide: Guide = serde_json::from_str(&guide_row.guide_json)?;
        Ok(ItemDetail {
            keywords: item.keywords(),
            item: item.summary(),
            guide,
            versions: results[2].results::<VersionRow>()?.into_iter().map(GuideVersionInfo::from).collect(),
            centers: results[3].results::<CenterRefRow>()?.into_iter().map(Into::into).collect(),
            bundles: results[4].results::<NamedRow>()?.into_iter().map(Into::into).collect(),
        })
    }

    pub async fn get(ctx: &Ctx) -> Answer<ep::GetItem> {
        let d = detail(ctx, None).await?;
        ctx.reply(&d)
    }

    pub async fn get_version(ctx: &Ctx) -> Answer<ep::GetItemVersion> {
        let v = ctx.number("version")?;
        let d = detail(ctx, Some(v)).await?;
        ctx.reply(&d)
    }

    pub async fn versions(ctx: &Ctx) -> Answer<ep::ListItemVersions> {
        let id = ctx.slug("id")?;
        let db = ctx.db()?;
        let idv = JsValue::from_str(&id);
        let results = db
            .batch(vec![
                db.prepare("SELECT id, name_zh, name_en FROM items WHERE id = ?1").bind(std::slice::from_ref(&idv))?,
                db.prepare("SELECT version, published_at, change_zh, change_en FROM guide_versions WHERE item_id = ?1 ORDER BY version").bind(&[idv])?,
            ])
            .await?;
        if results[0].results::<NamedRow>()?.is_empty() {
            return Err(ErrorCode::ItemNotFound.into());
        }
        let v: Vec<GuideVersionInfo> = results[1].results::<VersionRow>()?.into_iter().map(Into::into).collect();
        ctx.reply(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_shared::catalogue::Flag;

    #[test]
    fn list_sql_binds_every_user_value() {
        let q = ItemQuery::from_pairs([("q", "营业执照 100%'"), ("dept", "scjg"), ("center", "wanli"), ("flag", "online,zero_trip")]).unwrap();
        let (sql, args) = list_sql(&q, &q.search().unwrap());
        assert!(!sql.contains("营业执照") && !sql.contains("100%") && !sql.contains("scjg"), "{sql}");
        assert_eq!(args, vec![Arg::Text("scjg".into()), Arg::Text("wanli".into()), Arg::Text("营业执照".into()), Arg::Text("100%'".into())]);
        assert!(sql.contains("i.dept_id = ?1") && sql.contains("center_id = ?2"));
        assert!(sql.contains("instr(i.search_text, ?3)") && sql.contains("instr(i.search_text, ?4)"));
        assert!(sql.contains("i.online = 1") && sql.contains("i.zero_trip = 1"));
        let _ = Flag::ALL;
    }

    #[test]
    fn empty_query_has_no_conditions() {
        let q = ItemQuery::default();
        let (sql, args) = list_sql(&q, &q.search().unwrap());
        assert!(args.is_empty());
        assert!(!sql.contains("instr"));
    }
}
