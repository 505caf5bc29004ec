//! `/api/v1/centers…`: service centers with hours, and one center with its windows.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use crate::rows::{CenterRow, CountRow, WindowRow};
    use tongban_shared::catalogue::{Center, CenterDetail};
    use tongban_shared::query::parse_center_kind;
    use tongban_shared::ErrorCode;
    use wasm_bindgen::JsValue;

    const COLUMNS: &str = "id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json, note_zh, note_en";

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListCenters> {
        let pairs = ctx.query_pairs();
        let kind = match pairs.iter().rev().find(|(k, _)| k == "kind") {
            Some((_, v)) => parse_center_kind(v)?,
            None => None,
        };
        let db = ctx.db()?;
        let stmt = match kind {
            Some(k) => db.prepare(format!("SELECT {COLUMNS} FROM centers WHERE kind = ?1 ORDER BY sort, id")).bind(&[JsValue::from_str(k.as_str())])?,
            None => db.prepare(format!("SELECT {COLUMNS} FROM centers ORDER BY sort, id")),
        };
        let centers: Vec<Center> = stmt.all().await?.results::<CenterRow>()?.into_iter().map(CenterRow::into_center).collect();
        ctx.reply(&centers)
    }

    pub async fn get(ctx: &Ctx) -> Answer<ep::GetCenter> {
        let id = JsValue::from_str(&ctx.slug("id")?);
        let db = ctx.db()?;
        let r = db
            .batch(vec![
                db.prepare(format!("SELECT {COLUMNS} FROM centers WHERE id = ?1")).bind(std::slice::from_ref(&id))?,
                db.prepare("SELECT id, center_id, number, class, label_zh, label_en FROM windows WHERE center_id = ?1 ORDER BY number")
                    .bind(std::slice::from_ref(&id))?,
                db.prepare("SELECT count(*) AS n FROM item_centers WHERE center_id = ?1").bind(&[id])?,
            ])
            .await?;
        let center = r[0].results::<CenterRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::CenterNotFound))?;
        let detail = CenterDetail {
            center: center.into_center(),
            windows: r[1].results::<WindowRow>()?.into_iter().map(Into::into).collect(),
            item_count: r[2].results::<CountRow>()?.first().map_or(0, |c| c.n.max(0) as u32),
        };
        ctx.reply(&detail)
    }
}
