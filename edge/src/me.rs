//! `/api/v1/me`: the signed-in person's own record, masked. Registration and sign-in answer with it too, so
//! it is its own module that both `accounts` and `sessions` use (they used each other through it).

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::crypto::Keyring;
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::account::{Me, Role};
    use tongban_shared::ids::{mask_id, mask_mobile, mask_name};
    use tongban_shared::ErrorCode;
    use wasm_bindgen::JsValue;

    #[derive(Deserialize)]
    struct Row {
        id: String,
        role: Role,
        name_enc: String,
        id_enc: Option<String>,
        mobile_enc: Option<String>,
        center_id: Option<String>,
        dept_id: Option<String>,
        uscc: Option<String>,
        company_name: Option<String>,
        must_change_password: i64,
    }

    /// The caller's own record, masked (a business's credit code and name are public registry data).
    pub async fn me_of(ctx: &Ctx, keys: &Keyring, account_id: &str) -> Result<Me, ApiError> {
        let row: Row = ctx
            .db()?
            .prepare("SELECT a.id, a.role, a.name_enc, a.id_enc, a.mobile_enc, st.center_id, st.dept_id, b.uscc, b.company_name, a.must_change_password FROM accounts a LEFT JOIN staff st ON st.account_id = a.id LEFT JOIN businesses b ON b.account_id = a.id WHERE a.id = ?1")
            .bind(&[JsValue::from_str(account_id)])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
        let open = |v: &Option<String>| v.as_deref().and_then(|s| keys.open(s)).unwrap_or_default();
        if let (Some(uscc), Some(company)) = (row.uscc, row.company_name) {
            return Ok(Me {
                id: row.id,
                role: Role::Business,
                name: company,
                id_number: uscc,
                mobile: mask_mobile(&open(&row.mobile_enc)),
                center_id: None,
                dept_id: None,
                must_change_password: false,
            });
        }
        Ok(Me {
            id: row.id,
            role: row.role,
            name: mask_name(&keys.open(&row.name_enc).unwrap_or_default()),
            id_number: mask_id(&open(&row.id_enc)),
            mobile: mask_mobile(&open(&row.mobile_enc)),
            center_id: row.center_id,
            dept_id: row.dept_id,
            must_change_password: row.must_change_password != 0,
        })
    }

    pub async fn get(ctx: &Ctx) -> Answer<ep::GetMe> {
        let p = ctx.principal()?;
        let keys = ctx.keyring()?;
        let me = me_of(ctx, &keys, &p.account_id).await?;
        ctx.reply(&me)
    }
}
