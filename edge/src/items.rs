//! `/api/v1/items…`: list, filter and search service items; an item with its current or a past guide.
//! Statements in [`crate::catalogue`].

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::catalogue as store;
    use crate::catalogue::{CenterRefRow, GuideRow, ItemRow, NamedRow, VersionRow};
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use tongban_shared::catalogue::{Guide, GuideVersionInfo, ItemDetail, ItemPage};
    use tongban_shared::query::ItemQuery;
    use tongban_shared::search::{rank, score};
    use tongban_shared::ErrorCode;

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListItems> {
        let pairs = ctx.query_pairs();
        let q = ItemQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let search = q.search()?;
        let rows: Vec<ItemRow> = store::item_list(&q, &search).prepare(&ctx.db()?)?.all().await?.results()?;
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
        let results = db
            .batch(vec![
                store::item(&id).prepare(&db)?,
                store::guide(&id, version).prepare(&db)?,
                store::versions(&id).prepare(&db)?,
                store::item_centers(&id).prepare(&db)?,
                store::item_bundles(&id).prepare(&db)?,
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
        let results = db.batch(vec![store::item_name(&id).prepare(&db)?, store::versions(&id).prepare(&db)?]).await?;
        if results[0].results::<NamedRow>()?.is_empty() {
            return Err(ErrorCode::ItemNotFound.into());
        }
        let v: Vec<GuideVersionInfo> = results[1].results::<VersionRow>()?.into_iter().map(Into::into).collect();
        ctx.reply(&v)
    }
}
