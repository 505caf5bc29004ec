//! `/api/v1/me`: the signed-in person's own record, masked. Registration and sign-in answer with it too, so
//! it is its own module that both `accounts` and `sessions` use (they used each other through it).

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::account::Role;

/// An account with its post (staff) or its registry row (a business).
#[derive(Deserialize)]
pub struct MeRow {
    pub id: String,
    pub role: Role,
    pub name_enc: String,
    pub id_enc: Option<String>,
    pub mobile_enc: Option<String>,
    pub center_id: Option<String>,
    pub dept_id: Option<String>,
    pub uscc: Option<String>,
    pub company_name: Option<String>,
    pub must_change_password: i64,
}

pub fn me(account: &str) -> Stmt {
    Stmt::named(
        "SELECT a.id, a.role, a.name_enc, a.id_enc, a.mobile_enc, st.center_id, st.dept_id, b.uscc, b.company_name, a.must_change_password \
         FROM accounts a LEFT JOIN staff st ON st.account_id = a.id LEFT JOIN businesses b ON b.account_id = a.id WHERE a.id = :id",
        vec![("id", account.into())],
    )
}

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::MeRow;
    use crate::crypto::Keyring;
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use tongban_shared::account::{Me, Role};
    use tongban_shared::ids::{mask_id, mask_mobile, mask_name};
    use tongban_shared::ErrorCode;

    /// The caller's own record, masked (a business's credit code and name are public registry data).
    pub async fn me_of(ctx: &Ctx, keys: &Keyring, account_id: &str) -> Result<Me, ApiError> {
        let row: MeRow = super::me(account_id).prepare(&ctx.db()?)?.first(None).await?.ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    /// A staff account reads with its post, a business with its registry row, each role decoded.
    #[test]
    fn an_account_reads_with_its_post_or_its_registry_row() {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO accounts (id, role, login_lookup, name_enc, password, created_at, password_changed_at, must_change_password) VALUES
               ('clerk', 'window_staff', 'l1', 'N', 'p', 1, 1, 1), ('biz', 'business', 'l2', 'B', 'p', 1, 1, 0);
             INSERT INTO staff (account_id, login, center_id, dept_id, created_by, created_at) VALUES ('clerk', 'window.x', 'ctr', 'dep', 'a', 1);
             INSERT INTO businesses (account_id, uscc, company_name, legal_rep_name_enc, legal_rep_id_enc) VALUES ('biz', 'U1', 'Alpha Co', 'n', 'i');",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let c: Vec<MeRow> = decode(&conn, &me("clerk"));
        assert_eq!(
            (c[0].role, c[0].center_id.as_deref(), c[0].dept_id.as_deref(), c[0].must_change_password, c[0].uscc.as_deref()),
            (Role::WindowStaff, Some("ctr"), Some("dep"), 1, None)
        );
        let b: Vec<MeRow> = decode(&conn, &me("biz"));
        assert_eq!((b[0].role, b[0].uscc.as_deref(), b[0].company_name.as_deref()), (Role::Business, Some("U1"), Some("Alpha Co")));
        assert!(decode::<MeRow>(&conn, &me("nobody")).is_empty());
    }
}
