//! `/api/v1/departments`.

#[cfg(target_arch = "wasm32")]
pub async fn list(ctx: &crate::http::Ctx) -> crate::http::Answer<crate::routes::ep::ListDepartments> {
    use crate::catalogue::DepartmentRow;
    use tongban_shared::catalogue::Department;
    let rows: Vec<DepartmentRow> = crate::catalogue::departments().prepare(&ctx.db()?)?.all().await?.results()?;
    let v: Vec<Department> = rows.into_iter().map(Into::into).collect();
    ctx.reply(&v)
}
