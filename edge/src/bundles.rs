//! `/api/v1/bundles…`: "一件事" bundles with their items, in bundle order.

use crate::rows::ItemRow;
use tongban_shared::catalogue::Bundle;
use tongban_shared::Text;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct BundleRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub summary_zh: String,
    pub summary_en: String,
}

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
    use crate::rows::ITEM_COLUMNS;

    const BUNDLE_ITEMS: &str = "bundle_items bi JOIN items i ON i.id = bi.item_id JOIN departments d ON d.id = i.dept_id";
    use tongban_shared::ErrorCode;
    use wasm_bindgen::JsValue;

    async fn load(ctx: &Ctx, id: Option<&str>) -> Result<Vec<Bundle>, ApiError> {
        let db = ctx.db()?;
        let (bundles, items) = match id {
            Some(id) => {
                let v = JsValue::from_str(id);
                (
                    db.prepare("SELECT id, name_zh, name_en, summary_zh, summary_en FROM bundles WHERE id = ?1").bind(std::slice::from_ref(&v))?,
                    db.prepare(format!("SELECT {ITEM_COLUMNS}, bi.bundle_id FROM {BUNDLE_ITEMS} WHERE bi.bundle_id = ?1 ORDER BY bi.ord")).bind(&[v])?,
                )
            }
            None => (
                db.prepare("SELECT id, name_zh, name_en, summary_zh, summary_en FROM bundles ORDER BY sort, id"),
                db.prepare(format!("SELECT {ITEM_COLUMNS}, bi.bundle_id FROM {BUNDLE_ITEMS} ORDER BY bi.bundle_id, bi.ord")),
            ),
        };
        let r = db.batch(vec![bundles, items]).await?;
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
