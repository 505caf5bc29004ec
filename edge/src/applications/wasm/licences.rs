//! E-licences (电子证照): the holder's list, the front desk's look-up for 代办, and the cron's sealing of
//! licences written before licences were sealed.

use super::*;

impl LicenceRow {
    /// The licence as its holder and a consenting department read it: number and fields are sealed
    /// at rest (a row from before sealing, `sealed = 0`, is read as it is until the cron seals it).
    pub(super) fn view(self, keys: &crate::crypto::Keyring) -> Result<ELicence, ApiError> {
        let open = |v: String| if self.sealed != 0 { keys.open(&v).ok_or_else(|| ApiError::Internal("sealed licence does not open".into())) } else { Ok(v) };
        Ok(ELicence {
            id: self.id.clone(),
            licence: self.licence.clone(),
            name: Text::new(self.name_zh.clone(), self.name_en.clone()),
            number: open(self.number.clone())?,
            issuer: Text::new(self.issuer_zh.clone(), self.issuer_en.clone()),
            issued_on: self.issued_on.clone(),
            fields: serde_json::from_str(&open(self.fields_json.clone())?).unwrap_or_default(),
            from_case: self.case_id.clone(),
        })
    }
}

pub(super) fn views(rows: Vec<LicenceRow>, keys: &crate::crypto::Keyring) -> Result<Vec<ELicence>, ApiError> {
    rows.into_iter().map(|r| r.view(keys)).collect()
}

/// Seals up to 20 licences written before licences were sealed (one read, one batch a run).
pub async fn seal_legacy_licences(env: &worker::Env) -> Result<(), ApiError> {
    let db = env.d1("DB")?;
    let rows: Vec<store_files::LegacyLicenceRow> = store_files::legacy_licences().prepare(&db)?.all().await?.results()?;
    if rows.is_empty() {
        return Ok(());
    }
    let data = env.secret("DATA_KEYS").map_err(|_| ApiError::Internal("secret DATA_KEYS is not set".into()))?.to_string();
    let lookup = env.secret("LOOKUP_KEY").map_err(|_| ApiError::Internal("secret LOOKUP_KEY is not set".into()))?.to_string();
    let keys = crate::crypto::Keyring::parse(&data, &lookup).ok_or_else(|| ApiError::Internal("secrets DATA_KEYS / LOOKUP_KEY are malformed".into()))?;
    let mut batch = Vec::with_capacity(rows.len());
    for l in rows {
        let number = keys.seal(&l.number, random::<12>().map_err(js_err)?);
        let fields = keys.seal(&l.fields_json, random::<12>().map_err(js_err)?);
        batch.push(store_files::seal_licence(&l.id, &number, &fields).prepare(&db)?);
    }
    db.batch(batch).await?;
    Ok(())
}

pub async fn licences(ctx: &Ctx) -> Answer<ep::ListLicences> {
    ctx.reply(&licences_value(ctx).await?)
}

/// What `licences` answers, also for the data export.
pub async fn licences_value(ctx: &Ctx) -> Result<Vec<ELicence>, ApiError> {
    let p = ctx.principal()?;
    let rows: Vec<LicenceRow> = store_files::licences_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
    views(rows, &ctx.keyring()?)
}

/// `GET /desk/licences?id_number=`: a resident's e-licences, for the front desk entering an application
/// for them (audited).
/// `POST /desk/licences`: the ID number travels in the body, never in a URL (URLs end up in logs and
/// browser history), and a POST cannot be set off by a cross-site link.
pub async fn desk_licences(ctx: &Ctx, body: Body<ep::DeskLicences>) -> Answer<ep::DeskLicences> {
    let id_number = body.read(ctx)?.id_number;
    let db = ctx.db()?;
    let applicant = applicant_of(ctx, &db, &id_number).await?;
    audit(ctx, &db, &applicant, "view_licences")?.run().await?;
    let rows: Vec<LicenceRow> = store_files::licences_of(&applicant).prepare(&db)?.all().await?.results()?;
    ctx.reply(&views(rows, &ctx.keyring()?)?)
}
