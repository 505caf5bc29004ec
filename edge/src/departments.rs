//! `/api/v1/departments`.

#[cfg(target_arch = "wasm32")]
pub async fn list(ctx: &crate::http::Ctx) -> crate::http::Answer<crate::routes::ep::ListDepartments> {
    use crate::rows::DepartmentRow;
    use tongban_shared::catalogue::Department;
    let rows: Vec<DepartmentRow> = ctx.db()?.prepare("SELECT id, name_zh, name_en, phone FROM departments ORDER BY sort, id").all().await?.results()?;
    let v: Vec<Department> = rows.into_iter().map(Into::into).collect();
    ctx.reply(&v)
}
