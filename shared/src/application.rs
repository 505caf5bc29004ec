//! Applications (办件) for a bundle: one application with one case per item. The front desk accepts
//! (前台综合受理), asks for a correction (补正) or rejects; each department takes its case through its
//! item's approval chain (后台分类办理); when every case is decided the applicant is told once and the
//! results come out together (统一窗口出件). Pure rules here; the edge stores and enforces them.

pub use crate::chain::{CaseStep, Chain};
use crate::error::{ErrorCode, FieldError};
pub use crate::form::Issues;
use crate::form::{FieldProblem, Values};
use crate::lang::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    Submitted,
    /// The front desk asked for corrections (补正) to some fields.
    Correction,
    Accepted,
    Rejected,
    Withdrawn,
    /// Every case is decided: results ready to collect (待出件).
    Ready,
    /// Paper results handed out at the window (已出件).
    Collected,
}

impl AppState {
    pub const ALL: [AppState; 7] =
        [AppState::Submitted, AppState::Correction, AppState::Accepted, AppState::Rejected, AppState::Withdrawn, AppState::Ready, AppState::Collected];
    pub fn as_str(self) -> &'static str {
        match self {
            AppState::Submitted => "submitted",
            AppState::Correction => "correction",
            AppState::Accepted => "accepted",
            AppState::Rejected => "rejected",
            AppState::Withdrawn => "withdrawn",
            AppState::Ready => "ready",
            AppState::Collected => "collected",
        }
    }
    pub fn parse(s: &str) -> Option<AppState> {
        AppState::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            AppState::Submitted => Text::new("已提交，待受理", "Submitted, awaiting acceptance"),
            AppState::Correction => Text::new("需补正", "Corrections needed"),
            AppState::Accepted => Text::new("已受理，办理中", "Accepted, being handled"),
            AppState::Rejected => Text::new("不予受理", "Not accepted"),
            AppState::Withdrawn => Text::new("已撤回", "Withdrawn"),
            AppState::Ready => Text::new("已办结，待领取", "Decided, ready to collect"),
            AppState::Collected => Text::new("已出件", "Collected"),
        }
    }
    /// The applicant may still withdraw (before acceptance).
    pub fn withdrawable(self) -> bool {
        matches!(self, AppState::Submitted | AppState::Correction)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Until the front desk accepts the application.
    Waiting,
    Handling,
    Approved,
    Refused,
    Withdrawn,
}

impl CaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Waiting => "waiting",
            CaseState::Handling => "handling",
            CaseState::Approved => "approved",
            CaseState::Refused => "refused",
            CaseState::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<CaseState> {
        [CaseState::Waiting, CaseState::Handling, CaseState::Approved, CaseState::Refused, CaseState::Withdrawn].into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            CaseState::Waiting => Text::new("待受理", "Awaiting acceptance"),
            CaseState::Handling => Text::new("办理中", "Being handled"),
            CaseState::Approved => Text::new("准予许可", "Approved"),
            CaseState::Refused => Text::new("不予许可", "Refused"),
            CaseState::Withdrawn => Text::new("已撤回", "Withdrawn"),
        }
    }
    pub fn decided(self) -> bool {
        matches!(self, CaseState::Approved | CaseState::Refused)
    }
}

/// A department's step on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseAction {
    /// Finish the current step (承办 or 审核) and pass the case on.
    Pass { note: String },
    /// Send it back a step (审核 returns it to 承办).
    Return { note: String },
    /// The last step: approve or refuse, with the reason on record.
    Decide { approve: bool, note: String },
}

/// A case's place in its chain and what an action does to it. `Err` is `InvalidTransition` (wrong state
/// or step) or a note problem; who may act is the edge's concern (the case's department).
pub fn advance(state: CaseState, step: usize, chain: Chain, action: &CaseAction) -> Result<(CaseState, usize), FieldError> {
    if state != CaseState::Handling {
        return Err(FieldError { code: ErrorCode::InvalidTransition, field: None });
    }
    let steps = chain.steps();
    let here = steps.get(step).copied().ok_or(FieldError { code: ErrorCode::InvalidTransition, field: None })?;
    match action {
        CaseAction::Pass { .. } if here != CaseStep::Decide => Ok((CaseState::Handling, step + 1)),
        CaseAction::Return { note } if step > 0 => {
            need_note(note)?;
            Ok((CaseState::Handling, step - 1))
        }
        CaseAction::Decide { approve, note } if here == CaseStep::Decide => {
            if !approve {
                // A refusal must say why (依法说明理由).
                need_note(note)?;
            }
            Ok((if *approve { CaseState::Approved } else { CaseState::Refused }, step))
        }
        _ => Err(FieldError { code: ErrorCode::InvalidTransition, field: None }),
    }
}

/// The step an action is taken at: Pass, Return and Decide all act on the case's current step.
pub fn current_step(chain: Chain, step: usize) -> Option<CaseStep> {
    chain.steps().get(step).copied()
}

/// Separation of duties (一审一核, 承办→审核→决定): the person acting at `step` must hold that step's duty,
/// and must not be who last did any *other* step of this case. `done` is each step with who last did it,
/// in order (a case sent back is handled again, by the same handler or another, and the rule still holds
/// for what follows). The three-step chain therefore needs three people, 一审一核 two.
pub fn check_separation(step: CaseStep, actor: &str, duties: &[CaseStep], done: &[(CaseStep, String)]) -> Result<(), ErrorCode> {
    if !duties.contains(&step) {
        return Err(ErrorCode::DutyNotHeld);
    }
    let mut last: Vec<(CaseStep, &str)> = Vec::new();
    for (s, who) in done {
        last.retain(|(k, _)| k != s);
        last.push((*s, who));
    }
    if last.iter().any(|(s, who)| *s != step && *who == actor) {
        return Err(ErrorCode::SameOfficer);
    }
    Ok(())
}

/// A staff post's duties, stored as `handle,review,decide`. None (an older post) is every duty: the
/// different-person rule still applies to it.
pub fn parse_duties(stored: Option<&str>) -> Vec<CaseStep> {
    match stored {
        None => vec![CaseStep::Handle, CaseStep::Review, CaseStep::Decide],
        Some(s) => s.split(',').filter_map(|d| CaseStep::parse(d.trim())).collect(),
    }
}

pub fn duties_string(duties: &[CaseStep]) -> String {
    [CaseStep::Handle, CaseStep::Review, CaseStep::Decide].iter().filter(|d| duties.contains(d)).map(|d| d.as_str()).collect::<Vec<_>>().join(",")
}

fn need_note(note: &str) -> Result<(), FieldError> {
    let n = note.trim().chars().count();
    if (2..=500).contains(&n) {
        Ok(())
    } else {
        Err(FieldError::new(ErrorCode::NoteRequired, "note"))
    }
}

/// The application's state once its cases changed: ready when every case is decided.
pub fn settle(app: AppState, cases: &[CaseState]) -> AppState {
    if app == AppState::Accepted && !cases.is_empty() && cases.iter().all(|c| c.decided()) {
        AppState::Ready
    } else {
        app
    }
}

/// `TB` + the date + 6 characters of an unambiguous alphabet: short, and not guessable from another.
pub fn application_number(date_yyyymmdd: &str, random: &[u8; 6]) -> String {
    let code: String = random.iter().map(|b| crate::review::CODE_ALPHABET[*b as usize % crate::review::CODE_ALPHABET.len()] as char).collect();
    format!("TB{date_yyyymmdd}{code}")
}

/// A submission of the one form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewApplication {
    pub bundle_id: String,
    /// The center whose front desk accepts it.
    pub center_id: String,
    pub values: Values,
    /// E-licences the applicant agreed to share (after seeing what each department will read).
    #[serde(default)]
    pub consent: Vec<String>,
    /// Keep the confirmed basic information for next time.
    #[serde(default)]
    pub save_profile: bool,
    /// 代办: the front desk enters it for a resident at the window, with their consent recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf: Option<OnBehalf>,
}

/// Whom a front-desk entry is for, and that they agreed at the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OnBehalf {
    pub id_number: String,
    /// The applicant agreed that staff enter the application for them (and share their e-licences).
    pub consent: bool,
}

/// Answers to a correction request: only the fields asked may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Correction {
    pub values: Values,
}

/// The front desk's decision on a submitted application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DeskAction {
    Accept,
    /// Ask for corrections: field key → what to fix.
    Correct {
        fields: BTreeMap<String, String>,
    },
    Reject {
        reason: String,
    },
    /// Results handed out at the window (出件).
    Collect,
}

/// Keeps only the answers to the fields a correction asked for; anything else stays as it was.
pub fn apply_correction(current: &Values, asked: &BTreeMap<String, String>, answers: &Values) -> Values {
    let mut out = current.clone();
    for key in asked.keys() {
        match answers.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            Some(v) => {
                out.insert(key.clone(), v.to_string());
            }
            None => {
                out.remove(key);
            }
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaseView {
    pub id: String,
    pub number: String,
    pub item_id: String,
    pub item: Text,
    pub department: Text,
    pub state: CaseState,
    /// The chain's current step while handling.
    pub step: Option<CaseStep>,
    pub due: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimelineEntry {
    pub at: i64,
    pub case_id: Option<String>,
    pub action: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApplicationView {
    pub id: String,
    pub number: String,
    pub bundle_id: String,
    pub bundle: Text,
    pub center_id: String,
    pub state: AppState,
    pub cases: Vec<CaseView>,
    /// The answers (for the applicant; staff see the part their role needs).
    pub values: Values,
    /// While a correction is asked: field → what to fix.
    pub correction: BTreeMap<String, String>,
    pub note: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub created_at: i64,
}

/// Why a submission was refused: every field at fault, for the form to mark them all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Problems {
    pub problems: Vec<FieldProblem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_is_a_different_person_holding_its_duty() {
        use CaseStep::*;
        let all = [Handle, Review, Decide];
        let done = |v: &[(CaseStep, &str)]| v.iter().map(|(s, w)| (*s, w.to_string())).collect::<Vec<_>>();
        // 一审一核: whoever handled cannot decide.
        assert_eq!(check_separation(Decide, "zhao", &all, &done(&[(Handle, "zhao")])), Err(ErrorCode::SameOfficer));
        assert_eq!(check_separation(Decide, "sun", &all, &done(&[(Handle, "zhao")])), Ok(()));
        // 承办→审核→决定 needs three people.
        assert_eq!(check_separation(Decide, "li", &all, &done(&[(Handle, "zhao"), (Review, "li")])), Err(ErrorCode::SameOfficer));
        assert_eq!(check_separation(Review, "zhao", &all, &done(&[(Handle, "zhao")])), Err(ErrorCode::SameOfficer));
        assert_eq!(check_separation(Decide, "wang", &all, &done(&[(Handle, "zhao"), (Review, "li")])), Ok(()));
        // Sent back and handled again by someone else: the first handler may now review.
        assert_eq!(check_separation(Review, "zhao", &all, &done(&[(Handle, "zhao"), (Review, "li"), (Handle, "chen")])), Ok(()));
        // Handling again after a return is the handler's own step.
        assert_eq!(check_separation(Handle, "zhao", &all, &done(&[(Handle, "zhao")])), Ok(()));
        // The decider holds the decision duty.
        assert_eq!(check_separation(Decide, "sun", &[Handle, Review], &done(&[(Handle, "zhao")])), Err(ErrorCode::DutyNotHeld));
        assert_eq!(parse_duties(None), all.to_vec());
        assert_eq!(parse_duties(Some("handle, decide,bogus")), vec![Handle, Decide]);
        assert_eq!(duties_string(&[Decide, Handle]), "handle,decide");
    }

    #[test]
    fn chains() {
        let pass = CaseAction::Pass { note: String::new() };
        let ok = CaseAction::Decide { approve: true, note: String::new() };
        let no = CaseAction::Decide { approve: false, note: String::new() };
        // 一审一核: handle, then decide.
        assert_eq!(advance(CaseState::Handling, 0, Chain::OneCheck, &pass), Ok((CaseState::Handling, 1)));
        assert_eq!(
            advance(CaseState::Handling, 0, Chain::OneCheck, &ok).unwrap_err().code,
            ErrorCode::InvalidTransition,
            "nobody decides before it was handled"
        );
        assert_eq!(advance(CaseState::Handling, 1, Chain::OneCheck, &ok), Ok((CaseState::Approved, 1)));
        assert_eq!(advance(CaseState::Handling, 1, Chain::OneCheck, &no).unwrap_err().code, ErrorCode::NoteRequired, "a refusal gives its reason");
        assert_eq!(
            advance(CaseState::Handling, 1, Chain::OneCheck, &CaseAction::Decide { approve: false, note: "材料不符".into() }),
            Ok((CaseState::Refused, 1))
        );
        // 承办 → 审核 → 决定, with a return.
        assert_eq!(advance(CaseState::Handling, 1, Chain::ThreeStep, &pass), Ok((CaseState::Handling, 2)));
        assert_eq!(advance(CaseState::Handling, 1, Chain::ThreeStep, &CaseAction::Return { note: "补充说明".into() }), Ok((CaseState::Handling, 0)));
        assert_eq!(advance(CaseState::Handling, 2, Chain::ThreeStep, &pass).unwrap_err().code, ErrorCode::InvalidTransition);
        // 当场办结: decided in its one step.
        assert_eq!(advance(CaseState::Handling, 0, Chain::OnTheSpot, &ok), Ok((CaseState::Approved, 0)));
        assert!(advance(CaseState::Handling, 0, Chain::OnTheSpot, &pass).is_err());
        // Not before acceptance, not after the decision.
        assert!(advance(CaseState::Waiting, 0, Chain::OneCheck, &pass).is_err());
        assert!(advance(CaseState::Approved, 1, Chain::OneCheck, &ok).is_err());
    }

    #[test]
    fn ready_when_every_case_is_decided() {
        use CaseState::*;
        assert_eq!(settle(AppState::Accepted, &[Approved, Handling]), AppState::Accepted);
        assert_eq!(settle(AppState::Accepted, &[Approved, Refused]), AppState::Ready);
        assert_eq!(settle(AppState::Submitted, &[Approved]), AppState::Submitted);
    }

    #[test]
    fn a_correction_changes_only_the_fields_asked() {
        let cur: Values = [("a", "1"), ("b", "2")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let asked: BTreeMap<String, String> = [("b".to_string(), "面积有误".to_string())].into();
        let answers: Values = [("a", "X"), ("b", "3")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let out = apply_correction(&cur, &asked, &answers);
        assert_eq!((out["a"].as_str(), out["b"].as_str()), ("1", "3"));
    }

    #[test]
    fn numbers() {
        let n = application_number("20261125", &[0, 1, 2, 3, 4, 255]);
        assert!(n.starts_with("TB20261125") && n.len() == 16, "{n}");
        assert!(!n[10..].contains(['0', 'O', '1', 'I', 'L']));
    }
}

/// An e-licence in the holder's library, with exactly the fields a department would read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ELicence {
    pub id: String,
    pub licence: String,
    pub name: Text,
    pub number: String,
    pub issuer: Text,
    pub issued_on: String,
    pub fields: BTreeMap<String, String>,
    /// The application that issued it, if it came out of one (统一窗口出件).
    pub from_case: Option<String>,
}

/// The front desk asking for a resident's e-licences (代办): the ID number in a body, never a URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LicenceLookup {
    pub id_number: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Draft {
    pub values: Values,
    pub updated_at: Option<i64>,
}

/// A person's saved basic information (profile key → value), pre-filling every form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Profile {
    pub values: Values,
}

/// The front desk's queue and the applicant's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApplicationSummary {
    pub id: String,
    pub number: String,
    pub bundle: Text,
    pub center_id: String,
    pub state: AppState,
    pub cases: u32,
    pub decided: u32,
    pub created_at: i64,
}

/// A case as its department works it: the department's part of the answers only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaseTask {
    pub case: CaseView,
    /// Who did each step of the chain so far (the latest time each was done), in order.
    #[serde(default)]
    pub steps_done: Vec<StepDone>,
    /// Whether the caller may act at the current step now, and if not, why (`duty_not_held`,
    /// `same_officer`): the console says so instead of offering buttons that would be refused.
    #[serde(default)]
    pub may_act: bool,
    #[serde(default)]
    pub why_not: Option<ErrorCode>,
    pub application_id: String,
    pub application_number: String,
    pub bundle: Text,
    pub chain: Chain,
    pub part: Values,
    /// E-licences the applicant consented to share, with the fields this department reads.
    pub licences: Vec<ELicence>,
}

/// One step of a case's chain as it was done: by whom (the staff member's name) and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StepDone {
    pub step: CaseStep,
    pub by: String,
    /// The away post the step was done for by its backup (岗位AB角), by name.
    #[serde(default)]
    pub for_whom: Option<String>,
    /// Whether it was the signed-in caller.
    pub me: bool,
    pub at: i64,
}

/// Largest upload, in bytes.
pub const UPLOAD_MAX: usize = 5 * 1024 * 1024;

/// Longest file name kept, in characters (the name is shown, never trusted: the type is the bytes').
pub const UPLOAD_NAME_MAX: usize = 100;
/// Longest file name accepted, in characters (what file systems allow); longer is refused, not cut.
pub const UPLOAD_NAME_INPUT_MAX: usize = 255;

/// The file name as shown: control characters dropped, trimmed, at most [`UPLOAD_NAME_MAX`] characters.
/// `UnsupportedFile` if nothing is left, `FieldTooLong` past [`UPLOAD_NAME_INPUT_MAX`].
pub fn upload_name(raw: &str) -> Result<String, ErrorCode> {
    if raw.chars().count() > UPLOAD_NAME_INPUT_MAX {
        return Err(ErrorCode::FieldTooLong);
    }
    let name: String = raw.trim().chars().filter(|c| !c.is_control()).take(UPLOAD_NAME_MAX).collect();
    let name = name.trim().to_string();
    if name.is_empty() {
        Err(ErrorCode::UnsupportedFile)
    } else {
        Ok(name)
    }
}

/// What an upload may be, by its bytes ([`sniff`]); the media types a download answers with.
/// Per-account upload quota: files and bytes not yet part of a submitted application (a bundle needs a
/// dozen materials at most; this stops one account from filling storage). Files an application holds
/// belong to its record and do not count.
pub const UPLOADS_PER_ACCOUNT: u32 = 50;
pub const UPLOAD_BYTES_PER_ACCOUNT: u64 = 100 * 1024 * 1024;

pub const UPLOAD_MEDIA_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Upload {
    pub id: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
}

/// What a file really is, from its first bytes: PDF, JPEG and PNG are the only materials accepted.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

#[cfg(test)]
mod upload_tests {
    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(super::sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(super::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(super::sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(super::sniff(b"<html><script>"), None);
        assert_eq!(super::sniff(b"MZ\x90\x00"), None);
    }
}
