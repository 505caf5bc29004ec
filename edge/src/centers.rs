//! `/api/v1/centers…`: service centers with hours, and one center with its windows.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::catalogue::{self as store, CenterRow, CountRow, WindowRow};
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use tongban_shared::catalogue::{Center, CenterDetail};
    use tongban_shared::query::parse_center_kind;
    use tongban_shared::ErrorCode;

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListCenters> {
        let pairs = ctx.query_pairs();
        let kind = match pairs.iter().rev().find(|(k, _)| k == "kind") {
            Some((_, v)) => parse_center_kind(v)?,
            None => None,
        };
        let db = ctx.db()?;
        let stmt = store::centers(kind.map(|k| k.as_str())).prepare(&db)?;
        let centers: Vec<Center> = stmt.all().await?.results::<CenterRow>()?.into_iter().map(CenterRow::into_center).collect();
        ctx.reply(&centers)
    }

    pub async fn get(ctx: &Ctx) -> Answer<ep::GetCenter> {
        let id = ctx.slug("id")?;
        let db = ctx.db()?;
        let r = db.batch(vec![store::center(&id).prepare(&db)?, store::windows_of(&id).prepare(&db)?, store::items_at(&id).prepare(&db)?]).await?;
        let center = r[0].results::<CenterRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::CenterNotFound))?;
        let detail = CenterDetail {
            center: center.into_center(),
            windows: r[1].results::<WindowRow>()?.into_iter().map(Into::into).collect(),
            item_count: r[2].results::<CountRow>()?.first().map_or(0, |c| c.n.max(0) as u32),
        };
        ctx.reply(&detail)
    }
}
