//! `/api/v1/applications…`, `/api/v1/cases…`, the bundle's one form, profiles, drafts and the e-licence
//! library: 一表申请 from submission to unified output. The form rules are `shared::form`, the states
//! `shared::application`; here are the reads, the sealed answers, and the batches that keep an
//! application and its cases whole (one application per idempotency key, every case or none).
//!
//! Layout: this file — forms, profiles, drafts, submission, the front desk, withdrawal and corrections;
//! `wasm/cases.rs` — departments' cases and their approval steps, the unified output; `wasm/licences.rs`
//! — e-licences; `wasm/uploads.rs` — materials in R2. The parts share this file's helpers. Every statement
//! is built as pure data (typed fields, named values) and run on host SQLite too: `store.rs` those of
//! applications, `store_cases.rs` of cases, `store_files.rs` of uploads and e-licences, with their rows.

pub mod store;
pub mod store_cases;
pub mod store_files;
#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    mod cases;
    mod licences;
    mod uploads;
    pub use cases::*;
    pub use licences::*;
    pub use uploads::*;

    use super::store_cases::CaseRow;
    use super::store_files::LicenceRow;
    use super::{store, store_cases, store_files};
    use crate::bookings::calendar_of;
    use crate::crypto::{hex, random};
    use crate::error::{js_err, ApiError};
    use crate::http::{changed, Answer, Body, Ctx};
    use crate::routes::ep;
    use std::collections::BTreeMap;
    use tongban_shared::account::Role;
    use tongban_shared::application::{
        advance, application_number, apply_correction, settle, AppState, ApplicationSummary, ApplicationView, CaseAction, CaseState, CaseStep, CaseTask,
        CaseView, DeskAction, Draft, ELicence, Profile, StepDone, TimelineEntry,
    };
    use tongban_shared::authz::{at_front_desk_of, works_at};
    use tongban_shared::form::{merge, FieldKind, ItemForm, MergedForm, Values};
    use tongban_shared::notify::Event;
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, FieldError, Text};
    use worker::{D1Database, Response};

    /// The profile keys a saved profile may hold (basic information, never item answers).
    const PROFILE_KEYS: &[&str] = &["name", "id_number", "mobile", "company_name", "uscc", "legal_rep", "address"];

    fn seal(ctx: &Ctx, v: &impl serde::Serialize) -> Result<String, ApiError> {
        Ok(ctx.keyring()?.seal(&serde_json::to_string(v)?, random::<12>().map_err(js_err)?))
    }

    fn open<T: serde::de::DeserializeOwned + Default>(ctx: &Ctx, sealed: &str) -> Result<T, ApiError> {
        let plain = ctx.keyring()?.open(sealed).ok_or_else(|| ApiError::Internal("sealed value does not open".into()))?;
        Ok(serde_json::from_str(&plain).unwrap_or_default())
    }

    /// The bundle's items' current forms, in the bundle's order.
    async fn forms_of(db: &D1Database, bundle: &str) -> Result<(Text, Vec<ItemForm>), ApiError> {
        let rows: Vec<store::BundleFormRow> = store::bundle_forms(bundle).prepare(db)?.all().await?.results()?;
        let name = rows.first().map(|r| Text::new(r.name_zh.clone(), r.name_en.clone())).ok_or(ApiError::from(ErrorCode::BundleNotFound))?;
        let forms = rows
            .into_iter()
            .map(|r| {
                r.form_json
                    .as_deref()
                    .and_then(|j| serde_json::from_str::<ItemForm>(j).ok())
                    .ok_or_else(|| ApiError::Internal(format!("{bundle}: an item has no form")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((name, forms))
    }

    async fn merged(db: &D1Database, bundle: &str) -> Result<(Text, Vec<ItemForm>, MergedForm), ApiError> {
        let (name, forms) = forms_of(db, bundle).await?;
        let m = merge(bundle, &forms).map_err(|c| ApiError::Internal(format!("{bundle}: forms conflict on {}", c.key)))?;
        Ok((name, forms, m))
    }

    pub async fn form(ctx: &Ctx) -> Answer<ep::GetBundleForm> {
        let id = ctx.slug("id")?;
        let (_, _, m) = merged(&ctx.db()?, &id).await?;
        ctx.reply(&m)
    }

    /// Basic information for pre-filling: the account's own (decrypted for its owner only) under what the
    /// person saved.
    pub async fn profile(ctx: &Ctx) -> Answer<ep::GetProfile> {
        ctx.reply(&Profile { values: profile_values(ctx).await? })
    }

    async fn profile_values(ctx: &Ctx) -> Result<Values, ApiError> {
        let p = ctx.principal()?;
        let a: store::ProfileRow =
            store::profile_of(&p.account_id).prepare(&ctx.db()?)?.first(None).await?.ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
        let keys = ctx.keyring()?;
        let mut v = Values::new();
        let name = keys.open(&a.name_enc).unwrap_or_default();
        if a.role == Role::Business {
            v.insert("company_name".into(), name);
        } else {
            v.insert("name".into(), name);
        }
        if let Some(id) = a.id_enc.as_deref().and_then(|s| keys.open(s)) {
            v.insert("id_number".into(), id);
        }
        if let Some(m) = a.mobile_enc.as_deref().and_then(|s| keys.open(s)) {
            v.insert("mobile".into(), m);
        }
        if let Some(s) = a.saved {
            let saved: Values = open(ctx, &s)?;
            v.extend(saved);
        }
        Ok(v)
    }

    pub async fn get_draft(ctx: &Ctx) -> Answer<ep::GetDraft> {
        let p = ctx.principal()?;
        let id = ctx.slug("id")?;
        let d: Option<store::DraftRow> = store::draft(&p.account_id, &id).prepare(&ctx.db()?)?.first(None).await?;
        let draft = match d {
            Some(d) => Draft { values: open(ctx, &d.values_enc)?, updated_at: Some(d.updated_at) },
            None => Draft::default(),
        };
        ctx.reply(&draft)
    }

    /// Saves a draft (any device can resume it). Only the form's own fields are kept.
    pub async fn put_draft(ctx: &Ctx, body: Body<ep::PutDraft>) -> Answer<ep::PutDraft> {
        let p = ctx.principal()?;
        let id = ctx.slug("id")?;
        let d = body.read(ctx)?;
        let db = ctx.db()?;
        let (_, _, m) = merged(&db, &id).await?;
        let values: Values = d.values.into_iter().filter(|(k, v)| m.fields.iter().any(|f| &f.field.key == k) && v.chars().count() <= 2000).collect();
        store::save_draft(&p.account_id, &id, &seal(ctx, &values)?, ctx.now).prepare(&db)?.run().await?;
        ctx.reply(&Draft { values, updated_at: Some(ctx.now) })
    }

    /// The resident account of an ID number, for 代办.
    async fn applicant_of(ctx: &Ctx, db: &D1Database, id_number: &str) -> Result<String, ApiError> {
        let id = tongban_shared::ids::resident_id(id_number).map_err(|c| ApiError::from(FieldError::new(c, "on_behalf.id_number")))?;
        let lookup = ctx.keyring()?.lookup_digest(&id);
        store::resident_by_lookup(&lookup).prepare(db)?.first::<String>(Some("id")).await?.ok_or(ApiError::from(ErrorCode::NotAResident))
    }

    /// The saved profile (only what the person saved, not the account's own columns), for the export.
    pub async fn saved_profile_value(ctx: &Ctx) -> Result<Values, ApiError> {
        let p = ctx.principal()?;
        let saved: Option<String> = store::saved_profile(&p.account_id).prepare(&ctx.db()?)?.first(Some("values_enc")).await?;
        saved.map_or(Ok(Values::new()), |s| open(ctx, &s))
    }

    /// Every saved draft, for the export.
    pub async fn drafts_value(ctx: &Ctx) -> Result<Vec<tongban_shared::privacy::BundleDraft>, ApiError> {
        let p = ctx.principal()?;
        let rows: Vec<store::DraftRow> = store::drafts_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
        rows.into_iter()
            .map(|d| Ok(tongban_shared::privacy::BundleDraft { bundle_id: d.bundle_id, values: open(ctx, &d.values_enc)?, updated_at: d.updated_at }))
            .collect()
    }

    /// A 400 naming every field at fault: `{"error": {…, "field": <first>}, "problems": [{key, code}…]}`.
    fn problems_response<T>(ctx: &Ctx, problems: Vec<tongban_shared::form::FieldProblem>) -> Result<crate::http::Reply<T>, ApiError> {
        let first = problems.first().map(|p| p.key.clone());
        let mut body = serde_json::to_value(tongban_shared::error::ErrorBody::new(ErrorCode::InvalidForm, first.as_deref(), ctx.lang))?;
        body["problems"] = serde_json::to_value(&problems)?;
        Ok(crate::http::Reply::failure(Response::from_json(&body)?.with_status(400)))
    }

    /// The attachments and e-licences the answers point to must be the applicant's own, and each shared
    /// e-licence must be of the field's type and consented to.
    async fn check_references(
        db: &D1Database,
        m: &MergedForm,
        values: &Values,
        consent: &[String],
        account: &str,
        staff: Option<&str>,
    ) -> Result<Vec<tongban_shared::form::FieldProblem>, ApiError> {
        let mut problems = Vec::new();
        for f in &m.fields {
            let Some(v) = values.get(&f.field.key) else { continue };
            let ok = match &f.field.kind {
                FieldKind::ELicence { licence, .. } => {
                    let n: Option<f64> = store_files::licence_count(v, account, licence).prepare(db)?.first(Some("n")).await?;
                    n.unwrap_or(0.0) > 0.0 && consent.contains(v)
                }
                FieldKind::File { .. } => {
                    // At the window, staff may scan the applicant's papers for them.
                    let n: Option<f64> = store_files::upload_count(v, account, staff).prepare(db)?.first(Some("n")).await?;
                    n.unwrap_or(0.0) > 0.0
                }
                _ => true,
            };
            if !ok {
                problems.push(tongban_shared::form::FieldProblem { key: f.field.key.clone(), code: ErrorCode::InvalidAttachment });
            }
        }
        Ok(problems)
    }

    pub async fn create(ctx: &Ctx, body: Body<ep::CreateApplication>) -> Answer<ep::CreateApplication> {
        let p = ctx.principal()?;
        let key =
            crate::bookings::idempotency_key(ctx.req.headers().get("Idempotency-Key")?.as_deref()).ok_or(ApiError::from(ErrorCode::IdempotencyKeyRequired))?;
        let req = body.read(ctx)?;
        if !tongban_shared::catalogue::is_valid_slug(&req.bundle_id) {
            return Err(FieldError::new(ErrorCode::BadId, "bundle_id").into());
        }
        if !tongban_shared::catalogue::is_valid_slug(&req.center_id) {
            return Err(FieldError::new(ErrorCode::BadId, "center_id").into());
        }
        let db = ctx.db()?;
        // 代办: the front desk enters it for a resident who is at the window and agreed; the application is
        // theirs, and the consent is on record.
        let applicant = match &req.on_behalf {
            None => p.account_id.clone(),
            Some(b) => {
                if !at_front_desk_of(p, &req.center_id) {
                    return Err(ErrorCode::Forbidden.into());
                }
                if !b.consent {
                    return Err(FieldError::new(ErrorCode::ConsentRequired, "on_behalf.consent").into());
                }
                applicant_of(ctx, &db, &b.id_number).await?
            }
        };
        let desk = p;
        let p = &tongban_shared::authz::Principal { account_id: applicant.clone(), ..p.clone() };
        // A retry of a submission that went through answers with what it made. For the front desk that is
        // a look at a resident's application like any other: only of its own center, and audited.
        if let Some(prior) = store::by_key(&p.account_id, &key).prepare(&db)?.first::<store::PriorRow>(None).await? {
            if req.on_behalf.is_some() {
                if !works_at(desk, &prior.center_id) {
                    return Err(ErrorCode::Forbidden.into());
                }
                audit(ctx, &db, &applicant, "view_application")?.run().await?;
            }
            return ctx.reply(&view(ctx, &db, &prior.id).await?);
        }
        let center: Option<f64> = store::center_count(&req.center_id).prepare(&db)?.first(Some("n")).await?;
        if center.unwrap_or(0.0) == 0.0 {
            return Err(FieldError::new(ErrorCode::CenterNotFound, "center_id").into());
        }
        let (_, forms, m) = merged(&db, &req.bundle_id).await?;
        let values = m.clean(&req.values);
        let mut problems = m.validate(&values);
        let staff = req.on_behalf.is_some().then(|| ctx.principal().map(|s| s.account_id.clone())).transpose()?;
        problems.extend(check_references(&db, &m, &values, &req.consent, &p.account_id, staff.as_deref()).await?);
        if !problems.is_empty() {
            return problems_response(ctx, problems);
        }
        let id = hex(&random::<16>().map_err(js_err)?);
        let today = beijing(ctx.now).date();
        let number = application_number(&today.format("%Y%m%d").to_string(), &random::<6>().map_err(js_err)?);
        let forms_json = serde_json::to_string(&m.items)?;
        let consent = m.shared_licences(&values, &req.consent);
        let row = store::NewApplicationRow {
            id: &id,
            number: &number,
            bundle_id: &req.bundle_id,
            account_id: &p.account_id,
            center_id: &req.center_id,
            values_enc: &seal(ctx, &values)?,
            forms_json: &forms_json,
            consent_json: &serde_json::to_string(&consent)?,
            idem_key: &key,
            now: ctx.now,
        };
        let mut batch = vec![store::insert_application(&row).prepare(&db)?];
        // Every case or none: each insert runs only if the one before it wrote its row.
        for (i, f) in forms.iter().enumerate() {
            let case = store::NewCaseRow {
                id: &hex(&random::<16>().map_err(js_err)?),
                application_id: &id,
                number: &format!("{number}-{}", i + 1),
                item_id: &f.item_id,
                now: ctx.now,
            };
            batch.push(store::insert_case_after(&case).prepare(&db)?);
        }
        batch.push(store::submitted_event(&id, &p.account_id, ctx.now).prepare(&db)?);
        if let Some(s) = &staff {
            batch.push(event(
                &db,
                &id,
                s,
                "entered_by_front_desk",
                "代办：申请人在窗口同意由工作人员录入并共享其电子证照 / entered at the window with the applicant's consent",
                ctx.now,
            )?);
            batch.push(audit_after(ctx, &db, &p.account_id, "proxy_application")?);
        }
        // The uploads it points to, so staff of this application (and only they) may open them.
        for f in m.fields.iter().filter(|f| matches!(f.field.kind, FieldKind::File { .. })) {
            if let Some(u) = values.get(&f.field.key) {
                batch.push(store::attach_file(&id, u, &f.field.key, &key).prepare(&db)?);
            }
        }
        batch.push(store::drop_draft(&p.account_id, &req.bundle_id).prepare(&db)?);
        if req.save_profile && staff.is_none() {
            // 一次收齐、反复使用: the basic answers, by their profile keys, with the person's consent.
            let mut saved: Values = profile_values(ctx).await?;
            for f in &m.fields {
                if let (Some(k), Some(v)) = (&f.field.profile, values.get(&f.field.key)) {
                    if PROFILE_KEYS.contains(&k.as_str()) {
                        saved.insert(k.clone(), v.clone());
                    }
                }
            }
            batch.push(store::save_profile(&p.account_id, &seal(ctx, &saved)?, ctx.now).prepare(&db)?);
        }
        let r = db.batch(batch).await?;
        if !changed(&r[0]) {
            // The same key won a moment ago on another request.
            if let Some(other) = store::by_key(&p.account_id, &key).prepare(&db)?.first::<String>(Some("id")).await? {
                return ctx.reply(&view(ctx, &db, &other).await?);
            }
            return Err(ApiError::Internal("application insert changed nothing".into()));
        }
        Ok(ctx.reply(&view(ctx, &db, &id).await?)?.with_status(201))
    }

    async fn load(db: &D1Database, id: &str) -> Result<store::AppRow, ApiError> {
        store::application(id).prepare(db)?.first::<store::AppRow>(None).await?.ok_or(ApiError::from(ErrorCode::ApplicationNotFound))
    }

    impl CaseRow {
        fn chain(&self) -> tongban_shared::application::Chain {
            self.chain.as_deref().and_then(|c| serde_json::from_value(serde_json::Value::String(c.into())).ok()).unwrap_or_default()
        }

        fn view(&self, today: chrono::NaiveDate) -> CaseView {
            let chain = self.chain();
            let state = self.state;
            CaseView {
                id: self.id.clone(),
                number: self.number.clone(),
                item_id: self.item_id.clone(),
                item: Text::new(self.i_zh.clone(), self.i_en.clone()),
                department: Text::new(self.d_zh.clone(), self.d_en.clone()),
                state,
                step: (state == CaseState::Handling).then(|| chain.steps().get(self.step.max(0) as usize).copied()).flatten(),
                due: self.due.clone(),
                overdue: state == CaseState::Handling && self.due.as_deref().is_some_and(|d| d < today.to_string().as_str()),
            }
        }
    }

    async fn view(ctx: &Ctx, db: &D1Database, id: &str) -> Result<ApplicationView, ApiError> {
        let a = load(db, id).await?;
        let cases: Vec<CaseRow> = store_cases::cases_of(id).prepare(db)?.all().await?.results()?;
        let events: Vec<store::EventRow> = store::events_of(id).prepare(db)?.all().await?.results()?;
        let today = beijing(ctx.now).date();
        let views = cases.iter().map(|c| c.view(today)).collect();
        Ok(ApplicationView {
            id: a.id.clone(),
            number: a.number.clone(),
            bundle_id: a.bundle_id.clone(),
            bundle: Text::new(a.b_zh.clone(), a.b_en.clone()),
            center_id: a.center_id.clone(),
            state: a.state,
            cases: views,
            values: open(ctx, &a.values_enc)?,
            correction: a.correction_json.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default(),
            note: a.note.clone(),
            timeline: events.into_iter().map(|e| TimelineEntry { at: e.at, case_id: e.case_id, action: e.action, note: e.note }).collect(),
            created_at: a.created_at,
        })
    }

    /// Staff reading an application's answers leave an audit record, like a person look-up.
    fn audit(ctx: &Ctx, db: &D1Database, subject: &str, action: &str) -> Result<worker::D1PreparedStatement, ApiError> {
        crate::audit::record(ctx, db, subject, action, "办件办理 / handling the application")
    }

    /// The audit record of what staff did to an application, right after its timeline line: it exists
    /// exactly when the line does (a transition that lost its race writes neither).
    fn audit_after(ctx: &Ctx, db: &D1Database, subject: &str, action: &str) -> Result<worker::D1PreparedStatement, ApiError> {
        crate::audit::record_after(ctx, db, subject, action, "办件办理 / handling the application")
    }

    /// The applicant's view, or a front-desk view of their own center (audited).
    pub async fn get(ctx: &Ctx) -> Answer<ep::GetApplication> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let db = ctx.db()?;
        let a = load(&db, &id).await?;
        if a.account_id != p.account_id {
            if !at_front_desk_of(p, &a.center_id) {
                return Err(ErrorCode::Forbidden.into());
            }
            audit(ctx, &db, &a.account_id, "view_application")?.run().await?;
        }
        ctx.reply(&view(ctx, &db, &id).await?)
    }

    fn summaries(rows: Vec<store::SummaryRow>) -> Vec<ApplicationSummary> {
        rows.into_iter()
            .map(|r| ApplicationSummary {
                id: r.id,
                number: r.number,
                bundle: Text::new(r.b_zh, r.b_en),
                center_id: r.center_id,
                state: r.state,
                cases: r.cases as u32,
                decided: r.decided as u32,
                created_at: r.created_at,
            })
            .collect()
    }

    pub async fn mine(ctx: &Ctx) -> Answer<ep::ListMyApplications> {
        ctx.reply(&mine_value(ctx).await?)
    }

    /// What `mine` answers, also for the data export.
    pub async fn mine_value(ctx: &Ctx) -> Result<Vec<ApplicationSummary>, ApiError> {
        let p = ctx.principal()?;
        let rows: Vec<store::SummaryRow> = store::summaries_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
        Ok(summaries(rows))
    }

    /// The front desk's queue: its center's applications waiting for acceptance or collection.
    pub async fn desk_queue(ctx: &Ctx) -> Answer<ep::DeskQueue> {
        let p = ctx.principal()?;
        let rows: Vec<store::SummaryRow> = store::desk_queue(tongban_shared::authz::desk_scope(p)?).prepare(&ctx.db()?)?.all().await?.results()?;
        ctx.reply(&summaries(rows))
    }

    /// The timeline's line of a transition, after it in the batch (`store::application_event`).
    fn event(db: &D1Database, app: &str, actor: &str, action: &str, note: &str, now: i64) -> Result<worker::D1PreparedStatement, ApiError> {
        store::application_event(&store::AppEvent { application_id: app, actor_id: actor, action, note, at: now }).prepare(db)
    }

    fn notify(db: &D1Database, app: &str, ev: &Event, now: i64) -> Result<worker::D1PreparedStatement, ApiError> {
        store::notify_applicant(app, &hex(&random::<16>().map_err(js_err)?), ev, now).prepare(db)
    }

    /// The front desk: accept (cases go to their departments with their deadlines), ask for corrections,
    /// reject with the reason, or hand out the results.
    pub async fn desk_act(ctx: &Ctx, body: Body<ep::DeskAct>) -> Answer<ep::DeskAct> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let action = body.read(ctx)?;
        let db = ctx.db()?;
        let a = load(&db, &id).await?;
        if !works_at(p, &a.center_id) {
            return Err(ErrorCode::Forbidden.into());
        }
        let now = ctx.now;
        let mut batch = Vec::new();
        let (from, action_name, note) = match &action {
            DeskAction::Accept => {
                batch.push(store::accept(&id, now).prepare(&db)?);
                // Each case's deadline counts its item's promised working days from today.
                let cal = calendar_of(&db).await?;
                let today = beijing(now).date();
                let cases: Vec<store::AcceptedCaseRow> = store::cases_to_accept(&id).prepare(&db)?.all().await?.results()?;
                for c in cases {
                    let due = cal.add_working_days(today, c.promised_days.unwrap_or(20.0).max(0.0) as u32);
                    // The first case update follows the application's; the next ones follow each other.
                    batch.push(store::start_case_after(&c.id, &due.to_string(), now).prepare(&db)?);
                }
                ("submitted", "accepted", String::new())
            }
            DeskAction::Correct { fields } => {
                let (_, _, m) = merged(&db, &a.bundle_id).await?;
                if fields.is_empty()
                    || fields.keys().any(|k| !m.fields.iter().any(|f| &f.field.key == k))
                    || fields.values().any(|n| n.trim().chars().count() < 2)
                {
                    return Err(FieldError::new(ErrorCode::NoteRequired, "fields").into());
                }
                batch.push(store::ask_correction(&id, &serde_json::to_string(fields)?, now).prepare(&db)?);
                ("submitted", "correction_requested", fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; "))
            }
            DeskAction::Reject { reason } => {
                if reason.trim().chars().count() < 2 {
                    return Err(FieldError::new(ErrorCode::NoteRequired, "reason").into());
                }
                for s in store::reject(&id, reason.trim(), now) {
                    batch.push(s.prepare(&db)?);
                }
                ("submitted", "rejected", reason.trim().to_string())
            }
            DeskAction::Collect => {
                batch.push(store::collect(&id, now).prepare(&db)?);
                ("ready", "collected", String::new())
            }
        };
        if a.state.as_str() != from {
            return Err(ErrorCode::InvalidTransition.into());
        }
        batch.push(event(&db, &id, &p.account_id, action_name, &note, now)?);
        batch.push(audit_after(ctx, &db, &a.account_id, "handle_application")?);
        let r = db.batch(batch).await?;
        if !changed(&r[0]) {
            return Err(ErrorCode::InvalidTransition.into());
        }
        ctx.reply(&view(ctx, &db, &id).await?)
    }

    /// The applicant withdraws before acceptance.
    pub async fn withdraw(ctx: &Ctx) -> Answer<ep::WithdrawApplication> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let db = ctx.db()?;
        let a = load(&db, &id).await?;
        if a.account_id != p.account_id {
            return Err(ErrorCode::Forbidden.into());
        }
        let [app, cases] = store::withdraw(&id, ctx.now);
        let r = db.batch(vec![app.prepare(&db)?, cases.prepare(&db)?, event(&db, &id, &p.account_id, "withdrawn", "", ctx.now)?]).await?;
        if !changed(&r[0]) {
            return Err(ErrorCode::InvalidTransition.into());
        }
        ctx.reply(&view(ctx, &db, &id).await?)
    }

    /// The applicant answers a correction: only the fields asked change; the whole form is checked again.
    pub async fn correct(ctx: &Ctx, body: Body<ep::CorrectApplication>) -> Answer<ep::CorrectApplication> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let c = body.read(ctx)?;
        let db = ctx.db()?;
        let a = load(&db, &id).await?;
        if a.account_id != p.account_id {
            return Err(ErrorCode::Forbidden.into());
        }
        if a.state != AppState::Correction {
            return Err(ErrorCode::InvalidTransition.into());
        }
        let asked: BTreeMap<String, String> = a.correction_json.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        let current: Values = open(ctx, &a.values_enc)?;
        let (_, _, m) = merged(&db, &a.bundle_id).await?;
        let values = m.clean(&apply_correction(&current, &asked, &c.values));
        let consent: Vec<String> = serde_json::from_str(&a.consent_json).unwrap_or_default();
        let mut problems = m.validate(&values);
        problems.extend(check_references(&db, &m, &values, &consent, &p.account_id, None).await?);
        if !problems.is_empty() {
            return problems_response(ctx, problems);
        }
        let r = db
            .batch(vec![
                store::resubmit(&id, &seal(ctx, &values)?, ctx.now).prepare(&db)?,
                event(&db, &id, &p.account_id, "corrected", &asked.keys().cloned().collect::<Vec<_>>().join(", "), ctx.now)?,
            ])
            .await?;
        if !changed(&r[0]) {
            return Err(ErrorCode::InvalidTransition.into());
        }
        ctx.reply(&view(ctx, &db, &id).await?)
    }
}
