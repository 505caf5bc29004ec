//! Cases (办件的事项): a department's list, a case's task for the approver whose step it is, the steps
//! of its approval chain, and the unified output once every case of an application is decided.

use super::*;

/// A department's cases (approvers see only their department's).
pub async fn cases(ctx: &Ctx) -> Answer<ep::ListCases> {
    let p = ctx.principal()?;
    let db = ctx.db()?;
    let rows: Vec<CaseRow> = store_cases::department_cases(p.dept_id.as_deref()).prepare(&db)?.all().await?.results()?;
    let today = beijing(ctx.now).date();
    let out: Vec<CaseView> = rows.iter().map(|c| c.view(today)).collect();
    ctx.reply(&out)
}

pub(super) async fn load_case(db: &D1Database, id: &str) -> Result<CaseRow, ApiError> {
    store_cases::case(id).prepare(db)?.first::<CaseRow>(None).await?.ok_or(ApiError::from(ErrorCode::CaseNotFound))
}

pub(super) async fn task(ctx: &Ctx, db: &D1Database, c: &CaseRow) -> Result<CaseTask, ApiError> {
    let a = load(db, &c.application_id).await?;
    let (_, _, m) = merged(db, &a.bundle_id).await?;
    let values: Values = open(ctx, &a.values_enc)?;
    let part = m.part(&c.item_id, &values);
    let consent: Vec<String> = serde_json::from_str(&a.consent_json).unwrap_or_default();
    let keys = ctx.keyring()?;
    let mut licences = Vec::new();
    // Only licences of this part's e-licence fields that were consented to, and only the applicant's
    // own: an application stored before consent was checked this way still shows nobody else's.
    for lid in m.shared_licences(&part, &consent) {
        if let Some(l) = store_files::licence_of(&lid, &a.account_id).prepare(db)?.first::<LicenceRow>(None).await? {
            licences.push(l.view(&keys)?);
        }
    }
    let chain = c.chain();
    let p = ctx.principal()?;
    let keys = ctx.keyring()?;
    let mut steps = Vec::new();
    for (step, actor, at, for_id) in step_events(db, &c.id).await? {
        // The latest time each step was done, in the order the latest ones happened.
        steps.retain(|s: &StepDone| s.step != step);
        let mut names = Vec::new();
        for who in std::iter::once(&actor).chain(for_id.as_ref()) {
            let n: Option<String> = store_cases::name_of(who).prepare(db)?.first(Some("name_enc")).await?;
            names.push(n.and_then(|n| keys.open(&n)).unwrap_or_default());
        }
        steps.push(StepDone { step, by: names[0].clone(), for_whom: names.get(1).cloned(), me: actor == p.account_id, at });
    }
    let (may, why_not) = if c.state == CaseState::Handling {
        match may_act(db, p, c).await? {
            Ok(_) => (true, None),
            Err(e) => (false, Some(e)),
        }
    } else {
        (false, None)
    };
    Ok(CaseTask {
        steps_done: steps,
        may_act: may,
        why_not,
        case: c.view(beijing(ctx.now).date()),
        application_id: a.id.clone(),
        application_number: a.number.clone(),
        bundle: Text::new(a.b_zh.clone(), a.b_en.clone()),
        chain,
        part,
        licences,
    })
}

pub(super) fn own_case(p: &tongban_shared::authz::Principal, c: &CaseRow) -> Result<(), ApiError> {
    if tongban_shared::authz::approves_for(p, &c.dept_id) {
        Ok(())
    } else {
        Err(ErrorCode::Forbidden.into())
    }
}

/// One case with its department's part of the answers (audited).
pub async fn get_case(ctx: &Ctx) -> Answer<ep::GetCase> {
    let p = ctx.principal()?;
    let id = ctx.hex_id("id")?;
    let db = ctx.db()?;
    let c = load_case(&db, &id).await?;
    own_case(p, &c)?;
    let t = task(ctx, &db, &c).await?;
    let owner: Option<String> = store_cases::owner_of(&c.application_id).prepare(&db)?.first(Some("account_id")).await?;
    audit(ctx, &db, owner.as_deref().unwrap_or(""), "view_case")?.run().await?;
    ctx.reply(&t)
}

/// Each step with who last did it (account, at), in the order they were done.
pub(super) async fn steps_done(db: &D1Database, case: &str) -> Result<Vec<(CaseStep, String, i64)>, ApiError> {
    Ok(step_events(db, case).await?.into_iter().map(|(s, a, at, _)| (s, a, at)).collect())
}

/// The case's step events: (step, actor, at, the away post acted for).
pub(super) async fn step_events(db: &D1Database, case: &str) -> Result<Vec<(CaseStep, String, i64, Option<String>)>, ApiError> {
    let rows: Vec<store_cases::StepEventRow> = store_cases::step_events_of(case).prepare(db)?.all().await?.results()?;
    Ok(rows.into_iter().filter_map(|e| Some((CaseStep::parse(&e.step)?, e.actor_id, e.at, e.for_id))).collect())
}

/// The caller's duties in their department's chains (`staff.duties`), and those of each away post
/// whose backup (岗位AB角) the caller is: (duty, the away post it comes from, if not their own).
pub(super) async fn duties_of(db: &D1Database, account: &str) -> Result<Vec<(CaseStep, Option<String>)>, ApiError> {
    let rows: Vec<store_cases::DutiesRow> = store_cases::duties_of(account).prepare(db)?.all().await?.results()?;
    let mut out: Vec<(CaseStep, Option<String>)> = Vec::new();
    for r in rows {
        let for_whom = (r.account_id != account).then(|| r.account_id.clone());
        for d in tongban_shared::application::parse_duties(r.duties.as_deref()) {
            if !out.iter().any(|(k, _)| *k == d) {
                out.push((d, for_whom.clone()));
            }
        }
    }
    Ok(out)
}

/// Whether `p` may act on case `c` at its current step now (separation of duties), with the away post
/// they would act for when the step's duty is only that post's.
pub(super) async fn may_act(
    db: &D1Database,
    p: &tongban_shared::authz::Principal,
    c: &CaseRow,
) -> Result<Result<(CaseStep, Option<String>), ErrorCode>, ApiError> {
    let Some(step) = tongban_shared::application::current_step(c.chain(), c.step.max(0) as usize) else { return Ok(Err(ErrorCode::InvalidTransition)) };
    let done: Vec<(CaseStep, String)> = steps_done(db, &c.id).await?.into_iter().map(|(s, a, _)| (s, a)).collect();
    let duties = duties_of(db, &p.account_id).await?;
    let held: Vec<CaseStep> = duties.iter().map(|(d, _)| *d).collect();
    let for_whom = duties.into_iter().find(|(d, _)| *d == step).and_then(|(_, w)| w);
    Ok(tongban_shared::application::check_separation(step, &p.account_id, &held, &done).map(|()| (step, for_whom)))
}

/// A step of the case's chain. When it decides the last open case, the application is ready: the
/// applicant is told once, and approved items that issue a licence put it in their library.
pub async fn act_case(ctx: &Ctx, body: Body<ep::ActCase>) -> Answer<ep::ActCase> {
    let p = ctx.principal()?;
    let id = ctx.hex_id("id")?;
    let action = body.read(ctx)?;
    let db = ctx.db()?;
    let c = load_case(&db, &id).await?;
    own_case(p, &c)?;
    let chain = c.chain();
    let state = c.state;
    let (next, step) = advance(state, c.step.max(0) as usize, chain, &action)?;
    // 一审一核 / 承办→审核→决定: the step's duty, and nobody does two steps of one case. Read at the
    // case's version: the UPDATE below changes nothing if anyone acted since.
    let (at, for_whom) = may_act(&db, p, &c).await?.map_err(ApiError::from)?;
    let (name, note) = match &action {
        CaseAction::Pass { note } => ("pass", note),
        CaseAction::Return { note } => ("return", note),
        CaseAction::Decide { approve: true, note } => ("approved", note),
        CaseAction::Decide { approve: false, note } => ("refused", note),
    };
    let r = db
        .batch(
            vec![
                store_cases::advance_case(&store_cases::CaseAdvance { id: &id, version: c.version, state: next, step: step as i64, now: ctx.now })
                    .prepare(&db)?,
                store_cases::case_step_event(&store_cases::CaseStepEvent {
                    application_id: &c.application_id,
                    case_id: &id,
                    at: ctx.now,
                    actor_id: &p.account_id,
                    action: name,
                    note: note.trim(),
                    step: at.as_str(),
                    for_id: for_whom.as_deref(),
                })
                .prepare(&db)?,
            ]
            .into_iter()
            // Acting for an away post is in the audit log with whom it was for, in the same transaction, and only
            // if the step was taken (it follows the step's event, written only then).
            .chain(for_whom.as_deref().map(|w| crate::audit::record_after(ctx, &db, w, "act_for", "岗位AB角：代为办理 / acting for an away post")).transpose()?)
            .collect(),
        )
        .await?;
    if !changed(&r[0]) {
        return Err(ErrorCode::InvalidTransition.into());
    }
    if next.decided() {
        unify(ctx, &db, &c.application_id).await?;
    }
    let c = load_case(&db, &id).await?;
    ctx.reply(&task(ctx, &db, &c).await?)
}

/// 统一出件: once every case is decided, in one batch guarded by the application's state (so two
/// departments deciding at once do it once): the application becomes ready, each approved case that
/// issues a licence adds it to the holder's library, and the applicant gets one notification.
pub(super) async fn unify(ctx: &Ctx, db: &D1Database, app: &str) -> Result<(), ApiError> {
    let a = load(db, app).await?;
    let cases: Vec<CaseRow> = store_cases::cases_of(app).prepare(db)?.all().await?.results()?;
    let states: Vec<CaseState> = cases.iter().map(|c| c.state).collect();
    let st = a.state;
    if settle(st, &states) != AppState::Ready {
        return Ok(());
    }
    let values: Values = open(ctx, &a.values_enc)?;
    let keys = ctx.keyring()?;
    let today = beijing(ctx.now).date();
    let mut batch = vec![store_cases::ready(app, ctx.now).prepare(db)?];
    for c in cases.iter().filter(|c| c.state == CaseState::Approved) {
        let form: Option<String> = store_cases::latest_form(&c.item_id).prepare(db)?.first(Some("form_json")).await?;
        let Some(issues) = form.and_then(|j| serde_json::from_str::<ItemForm>(&j).ok()).and_then(|f| f.issues) else { continue };
        let fields: BTreeMap<&str, &String> = ["company_name", "uscc", "legal_rep", "premises_address", "applicant_name", "baby_name"]
            .iter()
            .filter_map(|k| values.get(*k).map(|v| (*k, v)))
            .collect();
        let licence = store_files::NewLicence {
            id: &hex(&random::<16>().map_err(js_err)?),
            holder_id: &a.account_id,
            licence: &issues.licence,
            name_zh: &issues.name.zh,
            name_en: &issues.name.en,
            number_sealed: &keys.seal(&c.number, random::<12>().map_err(js_err)?),
            issuer_zh: &c.d_zh,
            issuer_en: &c.d_en,
            issued_on: &today.to_string(),
            fields_sealed: &keys.seal(&serde_json::to_string(&fields)?, random::<12>().map_err(js_err)?),
            case_id: &c.id,
            now: ctx.now,
        };
        batch.push(store_files::issue_licence_after(&licence).prepare(db)?);
    }
    batch.push(event(db, app, "system", "ready", "", ctx.now)?);
    batch.push(notify(db, app, &Event::ApplicationReady { application_id: app.to_string(), number: a.number.clone() }, ctx.now)?);
    db.batch(batch).await?;
    Ok(())
}
