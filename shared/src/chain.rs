//! An item's approval chain (一审一核, 承办 → 审核 → 决定, 当场办结) and its steps: what an item's form
//! declares and what its cases go through. A leaf, so `form` (which declares it) and `application` (which
//! runs it) do not use each other.

use crate::lang::Text;
use serde::{Deserialize, Serialize};

/// An item's approval chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// 一审一核: handle, then check (and decide).
    #[default]
    OneCheck,
    /// 承办 → 审核 → 决定.
    ThreeStep,
    /// 当场办结: the item allows deciding at once, in one step.
    OnTheSpot,
}

impl Chain {
    pub fn steps(self) -> &'static [CaseStep] {
        match self {
            Chain::OneCheck => &[CaseStep::Handle, CaseStep::Decide],
            Chain::ThreeStep => &[CaseStep::Handle, CaseStep::Review, CaseStep::Decide],
            Chain::OnTheSpot => &[CaseStep::Decide],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStep {
    /// 承办 / 审: examine the part and propose.
    Handle,
    /// 审核.
    Review,
    /// 核 / 决定: approve or refuse.
    Decide,
}

impl CaseStep {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStep::Handle => "handle",
            CaseStep::Review => "review",
            CaseStep::Decide => "decide",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStep> {
        [CaseStep::Handle, CaseStep::Review, CaseStep::Decide].into_iter().find(|d| d.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            CaseStep::Handle => Text::new("承办", "Handle"),
            CaseStep::Review => Text::new("审核", "Review"),
            CaseStep::Decide => Text::new("决定", "Decide"),
        }
    }
}
