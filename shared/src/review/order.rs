//! The rectification work order (差评工单): its states, actions, who may take them, and its transitions.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// 待核实: the responsible side checks the review.
    Verifying,
    /// The responsible side holds it invalid; a center admin must approve.
    InvalidPending,
    /// Approved as invalid (e.g. malicious); the reviewer may appeal once.
    Invalid,
    /// The reviewer appealed; the district admin decides.
    Appealed,
    /// 整改中.
    Rectifying,
    /// An extension was asked; a center admin decides.
    ExtensionPending,
    /// 已整改: waiting for the reviewer's callback rating.
    Rectified,
    Closed,
}

impl OrderState {
    pub const ALL: [OrderState; 8] = [
        OrderState::Verifying,
        OrderState::InvalidPending,
        OrderState::Invalid,
        OrderState::Appealed,
        OrderState::Rectifying,
        OrderState::ExtensionPending,
        OrderState::Rectified,
        OrderState::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Verifying => "verifying",
            OrderState::InvalidPending => "invalid_pending",
            OrderState::Invalid => "invalid",
            OrderState::Appealed => "appealed",
            OrderState::Rectifying => "rectifying",
            OrderState::ExtensionPending => "extension_pending",
            OrderState::Rectified => "rectified",
            OrderState::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            OrderState::Verifying => Text::new("待核实", "To verify"),
            OrderState::InvalidPending => Text::new("无效待审批", "Invalid, awaiting approval"),
            OrderState::Invalid => Text::new("已认定无效", "Ruled invalid"),
            OrderState::Appealed => Text::new("申诉中", "Under appeal"),
            OrderState::Rectifying => Text::new("整改中", "Being rectified"),
            OrderState::ExtensionPending => Text::new("延期待审批", "Extension awaiting approval"),
            OrderState::Rectified => Text::new("已整改，待回访", "Rectified, awaiting callback"),
            OrderState::Closed => Text::new("已办结", "Closed"),
        }
    }
    /// States in which the responsible side still owes work against the deadline.
    pub fn open(self) -> bool {
        matches!(self, OrderState::Verifying | OrderState::InvalidPending | OrderState::Rectifying | OrderState::ExtensionPending | OrderState::Appealed)
    }
}

/// How a closed order ended. "Not fixed" is a legal end and is counted as such, never as fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fixed,
    NotFixed,
    Invalid,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fixed => "fixed",
            Outcome::NotFixed => "not_fixed",
            Outcome::Invalid => "invalid",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Fixed, Outcome::NotFixed, Outcome::Invalid].into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            Outcome::Fixed => Text::new("已整改办结", "Closed, fixed"),
            Outcome::NotFixed => Text::new("未整改办结", "Closed, not fixed"),
            Outcome::Invalid => Text::new("无效差评", "Invalid review"),
        }
    }
}

/// In what capacity someone acts on an order. The edge derives these from the session and the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// The department approver of the order's department (the center admin where no department is
    /// responsible, e.g. a walk-in at a comprehensive window).
    Responsible,
    /// The center admin of the order's center (approvals).
    CenterAdmin,
    /// The district admin (appeals; sees everything).
    DistrictAdmin,
    /// The person who wrote the review.
    Reviewer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OrderAction {
    /// The review holds: rectify.
    Validate {
        note: String,
    },
    /// Ask that the review be ruled invalid (malicious, not about this service …).
    RequestInvalid {
        note: String,
    },
    ApproveInvalid {
        note: String,
    },
    RejectInvalid {
        note: String,
    },
    /// The reviewer contests an invalid ruling, once.
    Appeal {
        note: String,
    },
    UpholdAppeal {
        note: String,
    },
    DismissAppeal {
        note: String,
    },
    /// One extension of up to 15 working days.
    RequestExtension {
        days: u32,
        note: String,
    },
    ApproveExtension {
        note: String,
    },
    RejectExtension {
        note: String,
    },
    /// What was done.
    Rectify {
        note: String,
    },
    /// The reviewer rates the fix.
    Callback {
        satisfied: bool,
        #[serde(default)]
        note: String,
    },
    /// Close without a fix (it cannot be fixed, or is beyond the center's power); counted as not fixed.
    CloseUnfixed {
        note: String,
    },
}

/// The action names, for "what may I do here" lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Validate,
    RequestInvalid,
    ApproveInvalid,
    RejectInvalid,
    Appeal,
    UpholdAppeal,
    DismissAppeal,
    RequestExtension,
    ApproveExtension,
    RejectExtension,
    Rectify,
    Callback,
    CloseUnfixed,
}

impl ActionKind {
    /// The request a decision answers: approving or rejecting "invalid" answers the request for it, an
    /// extension's approval or rejection its request. Whoever asked for an exception does not decide it
    /// (a center admin is both the responsible party and the approver of an order without a department).
    pub fn answers(self) -> Option<ActionKind> {
        match self {
            ActionKind::ApproveInvalid | ActionKind::RejectInvalid => Some(ActionKind::RequestInvalid),
            ActionKind::ApproveExtension | ActionKind::RejectExtension => Some(ActionKind::RequestExtension),
            _ => None,
        }
    }

    pub const ALL: [ActionKind; 13] = [
        ActionKind::Validate,
        ActionKind::RequestInvalid,
        ActionKind::ApproveInvalid,
        ActionKind::RejectInvalid,
        ActionKind::Appeal,
        ActionKind::UpholdAppeal,
        ActionKind::DismissAppeal,
        ActionKind::RequestExtension,
        ActionKind::ApproveExtension,
        ActionKind::RejectExtension,
        ActionKind::Rectify,
        ActionKind::Callback,
        ActionKind::CloseUnfixed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Validate => "validate",
            ActionKind::RequestInvalid => "request_invalid",
            ActionKind::ApproveInvalid => "approve_invalid",
            ActionKind::RejectInvalid => "reject_invalid",
            ActionKind::Appeal => "appeal",
            ActionKind::UpholdAppeal => "uphold_appeal",
            ActionKind::DismissAppeal => "dismiss_appeal",
            ActionKind::RequestExtension => "request_extension",
            ActionKind::ApproveExtension => "approve_extension",
            ActionKind::RejectExtension => "reject_extension",
            ActionKind::Rectify => "rectify",
            ActionKind::Callback => "callback",
            ActionKind::CloseUnfixed => "close_unfixed",
        }
    }
    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            ActionKind::Validate => Text::new("核实有效，开始整改", "Valid: start rectifying"),
            ActionKind::RequestInvalid => Text::new("申请认定无效", "Ask to rule it invalid"),
            ActionKind::ApproveInvalid => Text::new("批准认定无效", "Approve: invalid"),
            ActionKind::RejectInvalid => Text::new("驳回，须整改", "Reject: must rectify"),
            ActionKind::Appeal => Text::new("申诉", "Appeal"),
            ActionKind::UpholdAppeal => Text::new("申诉成立，须整改", "Uphold the appeal: rectify"),
            ActionKind::DismissAppeal => Text::new("驳回申诉", "Dismiss the appeal"),
            ActionKind::RequestExtension => Text::new("申请延期", "Ask for an extension"),
            ActionKind::ApproveExtension => Text::new("批准延期", "Approve the extension"),
            ActionKind::RejectExtension => Text::new("驳回延期", "Reject the extension"),
            ActionKind::Rectify => Text::new("提交整改结果", "Report the rectification"),
            ActionKind::Callback => Text::new("评价整改结果", "Rate the fix"),
            ActionKind::CloseUnfixed => Text::new("未整改办结", "Close, not fixed"),
        }
    }
    /// Who may take this action.
    pub fn capacity(self) -> &'static [Capacity] {
        use Capacity::*;
        match self {
            ActionKind::Validate | ActionKind::RequestInvalid | ActionKind::RequestExtension | ActionKind::Rectify => &[Responsible],
            ActionKind::ApproveInvalid | ActionKind::RejectInvalid | ActionKind::ApproveExtension | ActionKind::RejectExtension | ActionKind::CloseUnfixed => {
                &[CenterAdmin, DistrictAdmin]
            }
            ActionKind::UpholdAppeal | ActionKind::DismissAppeal => &[DistrictAdmin],
            ActionKind::Appeal | ActionKind::Callback => &[Reviewer],
        }
    }
}

impl OrderAction {
    pub fn kind(&self) -> ActionKind {
        match self {
            OrderAction::Validate { .. } => ActionKind::Validate,
            OrderAction::RequestInvalid { .. } => ActionKind::RequestInvalid,
            OrderAction::ApproveInvalid { .. } => ActionKind::ApproveInvalid,
            OrderAction::RejectInvalid { .. } => ActionKind::RejectInvalid,
            OrderAction::Appeal { .. } => ActionKind::Appeal,
            OrderAction::UpholdAppeal { .. } => ActionKind::UpholdAppeal,
            OrderAction::DismissAppeal { .. } => ActionKind::DismissAppeal,
            OrderAction::RequestExtension { .. } => ActionKind::RequestExtension,
            OrderAction::ApproveExtension { .. } => ActionKind::ApproveExtension,
            OrderAction::RejectExtension { .. } => ActionKind::RejectExtension,
            OrderAction::Rectify { .. } => ActionKind::Rectify,
            OrderAction::Callback { .. } => ActionKind::Callback,
            OrderAction::CloseUnfixed { .. } => ActionKind::CloseUnfixed,
        }
    }
    pub fn note(&self) -> &str {
        match self {
            OrderAction::Validate { note }
            | OrderAction::RequestInvalid { note }
            | OrderAction::ApproveInvalid { note }
            | OrderAction::RejectInvalid { note }
            | OrderAction::Appeal { note }
            | OrderAction::UpholdAppeal { note }
            | OrderAction::DismissAppeal { note }
            | OrderAction::RequestExtension { note, .. }
            | OrderAction::ApproveExtension { note }
            | OrderAction::RejectExtension { note }
            | OrderAction::Rectify { note }
            | OrderAction::Callback { note, .. }
            | OrderAction::CloseUnfixed { note } => note,
        }
    }
    /// Notes are required where a decision needs its reason on the record; a callback's note is optional.
    fn check_note(&self) -> Result<(), FieldError> {
        let n = self.note().trim();
        let len = n.chars().count();
        let required = !matches!(self, OrderAction::Callback { .. } | OrderAction::Validate { .. } | OrderAction::ApproveExtension { .. });
        if len > NOTE_MAX || !text_ok(n) || (required && len < NOTE_MIN) {
            return Err(FieldError::new(ErrorCode::NoteRequired, "note"));
        }
        if let OrderAction::RequestExtension { days, .. } = self {
            if !(1..=DEADLINE_WORKING_DAYS).contains(days) {
                return Err(FieldError::new(ErrorCode::ExtensionTooLong, "days"));
            }
        }
        Ok(())
    }
}

/// The order's state and the facts its transitions depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Order {
    pub state: OrderState,
    /// Real-name reviews are called back; anonymous ones cannot be.
    pub real_name: bool,
    /// `Some(true)` once verified as valid, `Some(false)` once ruled invalid.
    pub valid: Option<bool>,
    /// The rectification deadline.
    pub deadline: NaiveDate,
    /// Working days asked for or granted as an extension (only one may ever be granted).
    pub extension_days: Option<u32>,
    pub extended: bool,
    pub appealed: bool,
    /// A "not satisfied" callback already reopened it once.
    pub reopened: bool,
    pub outcome: Option<Outcome>,
}

impl Order {
    /// A new order for a bad review given on `opened` (its deadline counts from there).
    pub fn open(opened: NaiveDate, real_name: bool, cal: &Calendar) -> Order {
        Order {
            state: OrderState::Verifying,
            real_name,
            valid: None,
            deadline: cal.add_working_days(opened, DEADLINE_WORKING_DAYS),
            extension_days: None,
            extended: false,
            appealed: false,
            reopened: false,
            outcome: None,
        }
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.state.open() && today > self.deadline
    }

    /// Whether `kind` fits the current state (ignoring who asks).
    pub fn permits(&self, kind: ActionKind) -> bool {
        use OrderState::*;
        match kind {
            ActionKind::Validate | ActionKind::RequestInvalid => self.state == Verifying,
            ActionKind::ApproveInvalid | ActionKind::RejectInvalid => self.state == InvalidPending,
            ActionKind::Appeal => self.state == Invalid && !self.appealed,
            ActionKind::UpholdAppeal | ActionKind::DismissAppeal => self.state == Appealed,
            ActionKind::RequestExtension => self.state == Rectifying && !self.extended,
            ActionKind::ApproveExtension | ActionKind::RejectExtension => self.state == ExtensionPending,
            ActionKind::Rectify => self.state == Rectifying,
            ActionKind::Callback => self.state == Rectified && self.real_name,
            ActionKind::CloseUnfixed => matches!(self.state, Rectifying | ExtensionPending),
        }
    }

    /// What someone holding `caps` may do now.
    pub fn actions(&self, caps: &[Capacity]) -> Vec<ActionKind> {
        ActionKind::ALL.into_iter().filter(|k| self.permits(*k) && k.capacity().iter().any(|c| caps.contains(c))).collect()
    }

    /// Applies `action` taken by someone holding `caps`. Errors: `Forbidden` when the caller may not
    /// take it at all, `InvalidTransition` when the state does not allow it, a field error for a bad note.
    pub fn apply(&self, action: &OrderAction, caps: &[Capacity], cal: &Calendar) -> Result<Order, FieldError> {
        let kind = action.kind();
        if !kind.capacity().iter().any(|c| caps.contains(c)) {
            return Err(FieldError { code: ErrorCode::Forbidden, field: None });
        }
        if !self.permits(kind) {
            return Err(FieldError { code: ErrorCode::InvalidTransition, field: None });
        }
        action.check_note()?;
        let mut o = self.clone();
        use OrderState::*;
        match action {
            OrderAction::Validate { .. } | OrderAction::RejectInvalid { .. } | OrderAction::UpholdAppeal { .. } => {
                o.valid = Some(true);
                o.state = Rectifying;
            }
            OrderAction::RequestInvalid { .. } => o.state = InvalidPending,
            OrderAction::ApproveInvalid { .. } => {
                o.valid = Some(false);
                o.state = Invalid;
                o.outcome = Some(Outcome::Invalid);
            }
            OrderAction::Appeal { .. } => {
                o.appealed = true;
                o.state = Appealed;
                o.outcome = None;
            }
            OrderAction::DismissAppeal { .. } => {
                o.state = Closed;
                o.outcome = Some(Outcome::Invalid);
            }
            OrderAction::RequestExtension { days, .. } => {
                o.extension_days = Some(*days);
                o.state = ExtensionPending;
            }
            OrderAction::ApproveExtension { .. } => {
                o.extended = true;
                o.deadline = cal.add_working_days(o.deadline, o.extension_days.unwrap_or(0));
                o.state = Rectifying;
            }
            OrderAction::RejectExtension { .. } => {
                o.extension_days = None;
                o.state = Rectifying;
            }
            OrderAction::Rectify { .. } => {
                if o.real_name {
                    o.state = Rectified;
                } else {
                    // Nobody to call back: the fix stands on the department's report.
                    o.state = Closed;
                    o.outcome = Some(Outcome::Fixed);
                }
            }
            OrderAction::Callback { satisfied: true, .. } => {
                o.state = Closed;
                o.outcome = Some(Outcome::Fixed);
            }
            OrderAction::Callback { satisfied: false, .. } => {
                if o.reopened {
                    o.state = Closed;
                    o.outcome = Some(Outcome::NotFixed);
                } else {
                    o.reopened = true;
                    o.state = Rectifying;
                }
            }
            OrderAction::CloseUnfixed { .. } => {
                o.state = Closed;
                o.outcome = Some(Outcome::NotFixed);
            }
        }
        Ok(o)
    }

    /// Counted as rectified: the department reported a fix the reviewer has not (yet) rejected, or the
    /// order closed fixed.
    pub fn rectified(&self) -> bool {
        self.state == OrderState::Rectified || self.outcome == Some(Outcome::Fixed)
    }
}

/// The capacities `p` holds for an order of `center` and (responsible) `dept`, reviewed by `reviewer`.
/// Nobody else holds any: an approver of another department, a center admin of another center, a
/// stranger — they get 403 on every action and do not see the order.
pub fn capacities(p: &crate::authz::Principal, center: &str, dept: Option<&str>, reviewer: Option<&str>) -> Vec<Capacity> {
    use crate::account::Role;
    let mut caps = Vec::new();
    let own_center = p.role == Role::CenterAdmin && p.center_id.as_deref() == Some(center);
    let responsible = match dept {
        Some(d) => p.role == Role::Approver && p.dept_id.as_deref() == Some(d),
        None => own_center,
    };
    if responsible {
        caps.push(Capacity::Responsible);
    }
    if own_center {
        caps.push(Capacity::CenterAdmin);
    }
    if p.role == Role::DistrictAdmin {
        caps.push(Capacity::DistrictAdmin);
    }
    if reviewer.is_some_and(|r| r == p.account_id) {
        caps.push(Capacity::Reviewer);
    }
    caps
}
