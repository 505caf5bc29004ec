//! Uploads: a form's materials, typed by their bytes, sealed into R2; their owner, the front desk of an
//! application pointing to one, or a department with a case in it may read them back.

use super::*;

/// Where an upload's sealed bytes are in R2: this prefix and its id.
pub const OBJECT_PREFIX: &str = "uploads/";
pub fn object_key(id: &str) -> String {
    format!("{OBJECT_PREFIX}{id}")
}

/// Every upload's facts (not its bytes), for the export.
pub async fn uploads_value(ctx: &Ctx) -> Result<Vec<tongban_shared::application::Upload>, ApiError> {
    let p = ctx.principal()?;
    let rows: Vec<store_files::UploadRow> = store_files::uploads_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
    Ok(rows.into_iter().map(|u| tongban_shared::application::Upload { id: u.id, name: u.name, media_type: u.media_type, size: u.size as u64 }).collect())
}

/// `POST /uploads?name=`: a material for a form, the file itself as the body. The type is what the
/// bytes are (PDF, JPEG, PNG), whatever the name says. The bytes are sealed with the data keys
/// (AES-256-GCM, like every other personal datum: these are ID-card scans and licences) and go to R2,
/// the facts to D1.
pub async fn upload(ctx: &Ctx) -> Answer<ep::CreateUpload> {
    use tongban_shared::application::{sniff, upload_name, Upload};
    let p = ctx.principal()?;
    let bytes = ctx.raw.as_deref().ok_or(ApiError::from(ErrorCode::FileTooLarge))?;
    let media_type = sniff(bytes).ok_or(ApiError::from(ErrorCode::UnsupportedFile))?;
    let raw_name = ctx.query_pairs().into_iter().find(|(k, _)| k == "name").map(|(_, v)| v).unwrap_or_default();
    let name = upload_name(&raw_name).map_err(|c| ApiError::from(FieldError::new(c, "name")))?;
    let id = hex(&random::<16>().map_err(js_err)?);
    let sealed = ctx.keyring()?.seal_bytes(bytes, random::<12>().map_err(js_err)?);
    let bucket = ctx.env.bucket("FILES")?;
    bucket.put(object_key(&id), sealed).execute().await?;
    // The quota is counted in the same write that records the file, so parallel uploads cannot pass it together.
    let row = store_files::record_upload(&store_files::NewUpload {
        id: &id,
        account_id: &p.account_id,
        name: &name,
        media_type,
        size: bytes.len() as i64,
        now: ctx.now,
    })
    .prepare(&ctx.db()?)?
    .run()
    .await;
    let refused = match row {
        Ok(r) if crate::http::changed(&r) => None,
        Ok(_) => Some(ApiError::from(ErrorCode::UploadQuota)),
        Err(e) => Some(e.into()),
    };
    if let Some(e) = refused {
        // Without its row nobody can reach the object: take it back rather than leave sealed data behind.
        let _ = bucket.delete(object_key(&id)).await;
        return Err(e);
    }
    Ok(ctx.reply(&Upload { id, name, media_type: media_type.into(), size: bytes.len() as u64 })?.with_status(201))
}

/// `GET /uploads/{id}`: the file, to its owner, to the front desk of an application's center that
/// points to it, or to a department with a case in that application (audited for staff). Served as a
/// download with its sniffed type, never rendered in the app's origin.
pub async fn get_upload(ctx: &Ctx) -> Answer<ep::GetUpload> {
    let p = ctx.principal()?;
    let id = ctx.hex_id("id")?;
    let db = ctx.db()?;
    let u: store_files::UploadOwnerRow = store_files::upload(&id).prepare(&db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::UploadNotFound))?;
    if u.account_id != p.account_id {
        let apps: Vec<store_files::UploadAppRow> = store_files::applications_with(&id, p.dept_id.as_deref()).prepare(&db)?.all().await?.results()?;
        let in_department = apps.iter().any(|a| a.dept_case > 0.0);
        if !tongban_shared::authz::may_open_upload(p, apps.iter().map(|a| a.center_id.as_str()), in_department) {
            return Err(ErrorCode::Forbidden.into());
        }
        audit(ctx, &db, &u.account_id, "view_upload")?.run().await?;
    }
    let object = ctx.env.bucket("FILES")?.get(object_key(&id)).execute().await?.ok_or(ApiError::from(ErrorCode::UploadNotFound))?;
    let sealed = object.body().ok_or(ApiError::from(ErrorCode::UploadNotFound))?.bytes().await?;
    let bytes = ctx.keyring()?.open_bytes(&sealed).ok_or_else(|| ApiError::Internal(format!("upload {id} does not open with the data keys")))?;
    let headers = worker::Headers::new();
    headers.set("Content-Type", &u.media_type)?;
    headers.set("Content-Disposition", &format!("attachment; filename=\"upload\"; filename*=UTF-8''{}", urlencode(&u.name)))?;
    headers.set("Cache-Control", "private, no-store")?;
    Ok(crate::http::Reply::raw(Response::from_bytes(bytes)?.with_headers(headers)))
}

pub(super) fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
