//! Statements of applications and cases built as data from typed fields with named values
//! (`sql::Stmt::named`): pure, so the host SQL stage runs them on SQLite against `migrations/`.

use crate::sql::Stmt;

/// One step taken on a case, for its history (`case_events`).
pub struct CaseStepEvent<'a> {
    pub application_id: &'a str,
    pub case_id: &'a str,
    pub at: i64,
    pub actor_id: &'a str,
    /// What was done (`handled`, `approved`, `refused`, …).
    pub action: &'a str,
    pub note: &'a str,
    /// The step it was (`shared::application::CaseStep`).
    pub step: &'a str,
    /// The post it was done for, when a backup (岗位AB角) acted.
    pub for_id: Option<&'a str>,
}

/// The event of a step, written only when the guarded update of the case just before it in the same batch
/// changed the case (`changes() > 0`): a step that lost a race leaves no event.
pub fn case_step_event(e: &CaseStepEvent) -> Stmt {
    Stmt::named(
        "INSERT INTO case_events (application_id, case_id, at, actor_id, action, note, step, for_id) \
         SELECT :application, :case, :at, :actor, :action, :note, :step, :for_id WHERE changes() > 0",
        vec![
            ("application", e.application_id.into()),
            ("case", e.case_id.into()),
            ("at", e.at.into()),
            ("actor", e.actor_id.into()),
            ("action", e.action.into()),
            ("note", e.note.into()),
            ("step", e.step.into()),
            ("for_id", e.for_id.into()),
        ],
    )
}
