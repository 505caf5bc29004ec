//! `/api/v1/bundles…`: "一件事" bundles with their items, in bundle order.

use crate::catalogue::{BundleRow, ItemRow};
use tongban_shared::catalogue::Bundle;
use tongban_shared::Text;

/// Attaches item rows (tagged with `bundle_id`, already in bundle order) to their bundles.
pub fn assemble(bundles: Vec<BundleRow>, items: &[ItemRow]) -> Vec<Bundle> {
    bundles
        .into_iter()
        .map(|b| Bundle {
            items: items.iter().filter(|i| i.bundle_id.as_deref() == Some(b.id.as_str())).map(ItemRow::summary).collect(),
            name: Text::new(b.name_zh, b.name_en),
            summary: Text::new(b.summary_zh, b.summary_en),
            id: b.id,
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use tongban_shared::ErrorCode;

    async fn load(ctx: &Ctx, id: Option<&str>) -> Result<Vec<Bundle>, ApiError> {
        let db = ctx.db()?;
        let [bundles, items] = crate::catalogue::bundles(id);
        let r = db.batch(vec![bundles.prepare(&db)?, items.prepare(&db)?]).await?;
        Ok(assemble(r[0].results::<BundleRow>()?, &r[1].results::<ItemRow>()?))
    }

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListBundles> {
        let b = load(ctx, None).await?;
        ctx.reply(&b)
    }

    pub async fn get(ctx: &Ctx) -> Answer<ep::GetBundle> {
        let id = ctx.slug("id")?;
        let b = load(ctx, Some(&id)).await?.into_iter().next().ok_or(ApiError::from(ErrorCode::BundleNotFound))?;
        ctx.reply(&b)
    }
}
