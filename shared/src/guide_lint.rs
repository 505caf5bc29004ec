//! The office guide's linter (policy 三.2, 二.4): what a 办事指南 may not say, run by the editor as one
//! types and by the edge when a request is submitted, and shown to the reviewer. Pure, so the browser and
//! the edge find the same things.
//!
//! - no catch-all or vague clause (杜绝模糊条款和兜底条款): "其他材料", "相关部门要求的其他材料", "视情况而定", a
//!   materials list ending in "等";
//! - every material named, with a count;
//! - the promised time limit within the statutory one;
//! - an item flagged 网上可办 asks for no material that cannot be given online (an original that no
//!   e-licence replaces), and for no paper (承诺在线收取规范化电子版材料的，不得无故要求纸质版);
//! - an item flagged 零跑动 has no step that needs a visit.

use crate::catalogue::{Flags, Guide, MaterialForm};
use crate::lang::Text;
use serde::{Deserialize, Serialize};

/// Which rule a finding breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LintRule {
    /// A catch-all or vague clause.
    CatchAll,
    /// A material without a name or with a count of 0.
    UnnamedMaterial,
    /// The promised time limit is longer than the statutory one.
    PromiseOverStatute,
    /// A 网上可办 item asks for something that cannot be given online, or for paper.
    NotOnline,
    /// A 零跑动 item has a step that needs a visit.
    NeedsVisit,
}

impl LintRule {
    pub fn text(self) -> Text {
        match self {
            LintRule::CatchAll => Text::new("含兜底或模糊条款，请写明具体内容", "A catch-all or vague clause: say exactly what is meant"),
            LintRule::UnnamedMaterial => Text::new("材料须写明名称和份数", "A material needs a name and a count"),
            LintRule::PromiseOverStatute => Text::new("承诺时限不得长于法定时限", "The promised time limit may not exceed the statutory one"),
            LintRule::NotOnline => Text::new(
                "网上可办事项不得要求无法在线提交的材料或纸质材料",
                "An item done online may not ask for materials that cannot be sent online, or for paper",
            ),
            LintRule::NeedsVisit => Text::new("零跑动事项的办理流程不得要求到现场", "A zero-trip item's steps may not need a visit"),
        }
    }
}

/// One thing the guide may not say, and where (`materials[2].name`, `process[0]`, `promised_days`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    pub rule: LintRule,
    pub field: String,
}

/// Phrases that leave the applicant guessing what else may be asked (兜底条款) or how it is decided.
pub const CATCH_ALL: &[&str] =
    &["其他材料", "其它材料", "其他相关材料", "其它相关材料", "要求的其他", "视情况而定", "根据实际情况", "根据需要提供", "等材料", "等相关材料"];

/// Words in a step that mean going somewhere in person.
pub const VISIT: &[&str] = &["窗口", "现场", "到场", "前往", "当面", "携带"];

/// Words that offer a way without the visit in the same step ("网上提交或窗口递交").
pub const REMOTE: &[&str] = &["网上", "在线", "线上", "邮寄", "掌上"];

fn catch_all(t: &Text) -> bool {
    CATCH_ALL.iter().any(|p| t.zh.contains(p))
        || ["other materials", "as the case may be", "as required by the relevant"].iter().any(|p| t.en.to_lowercase().contains(p))
}

/// Everything `guide` may not say for an item with `flags`, in the order of the guide's fields.
pub fn lint(guide: &Guide, flags: &Flags) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut found = |rule, field: String| out.push(Finding { rule, field });
    for (i, c) in guide.conditions.iter().enumerate() {
        if catch_all(c) {
            found(LintRule::CatchAll, format!("conditions[{i}]"));
        }
    }
    for (i, m) in guide.materials.iter().enumerate() {
        if m.name.zh.trim().is_empty() || m.count == 0 {
            found(LintRule::UnnamedMaterial, format!("materials[{i}].name"));
        }
        if catch_all(&m.name) {
            found(LintRule::CatchAll, format!("materials[{i}].name"));
        } else if catch_all(&m.note) {
            found(LintRule::CatchAll, format!("materials[{i}].note"));
        }
        if flags.online {
            let paper_only = matches!(m.form, MaterialForm::Original | MaterialForm::OriginalAndCopy) && !m.e_licence;
            if paper_only || m.note.zh.contains("纸质") {
                found(LintRule::NotOnline, format!("materials[{i}].form"));
            }
        }
    }
    // "身份证、户口簿等": a list that ends in 等 leaves the rest open.
    if let Some((i, m)) = guide.materials.iter().enumerate().next_back() {
        if m.name.zh.trim_end().ends_with('等') {
            found(LintRule::CatchAll, format!("materials[{i}].name"));
        }
    }
    if let (Some(p), Some(s)) = (guide.promised_days, guide.statutory_days) {
        if p > s {
            found(LintRule::PromiseOverStatute, "promised_days".into());
        }
    }
    for (i, step) in guide.process.iter().enumerate() {
        if catch_all(step) {
            found(LintRule::CatchAll, format!("process[{i}]"));
        }
        if flags.zero_trip && VISIT.iter().any(|w| step.zh.contains(w)) && !REMOTE.iter().any(|w| step.zh.contains(w)) {
            found(LintRule::NeedsVisit, format!("process[{i}]"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Faq, Material};

    fn material(zh: &str, form: MaterialForm, e_licence: bool) -> Material {
        Material { name: Text::new(zh, "x"), form, count: 1, e_licence, required: true, template_url: None, sample_url: None, note: Text::default() }
    }

    fn guide() -> Guide {
        Guide {
            version: 1,
            published_at: "2026-12-01".into(),
            change_note: Text::default(),
            summary: Text::new("办理社保卡", "Social security card"),
            conditions: vec![Text::new("本区户籍居民", "Residents of the district")],
            materials: vec![material("居民身份证", MaterialForm::Original, true), material("申请表", MaterialForm::Electronic, false)],
            legal_basis: vec![],
            statutory_days: Some(20),
            promised_days: Some(5),
            fees: Text::new("不收费", "Free"),
            process: vec![Text::new("网上提交申请", "Apply online"), Text::new("审核通过后邮寄", "Posted once approved")],
            where_note: Text::default(),
            faq: vec![Faq { q: Text::new("?", "?"), a: Text::new("!", "!") }],
        }
    }

    const ONLINE_ZERO: Flags = Flags { online: true, zero_trip: true, on_the_spot: false, one_trip: true };

    fn rules(g: &Guide, f: &Flags) -> Vec<(LintRule, String)> {
        lint(g, f).into_iter().map(|x| (x.rule, x.field)).collect()
    }

    #[test]
    fn a_clean_guide_has_no_findings() {
        assert!(lint(&guide(), &ONLINE_ZERO).is_empty(), "{:?}", lint(&guide(), &ONLINE_ZERO));
    }

    #[test]
    fn catch_all_clauses_are_found_wherever_they_are() {
        let mut g = guide();
        g.materials.push(material("相关部门要求的其他材料", MaterialForm::Copy, false));
        assert!(rules(&g, &Flags::default()).contains(&(LintRule::CatchAll, "materials[2].name".into())));
        let mut g = guide();
        g.conditions.push(Text::new("视情况而定", "As the case may be"));
        assert_eq!(rules(&g, &Flags::default()), [(LintRule::CatchAll, "conditions[1]".into())]);
        let mut g = guide();
        g.materials[1].name = Text::new("户口簿等", "Household register etc.");
        assert_eq!(rules(&g, &Flags::default()), [(LintRule::CatchAll, "materials[1].name".into())], "a list ending in 等");
        let mut g = guide();
        g.materials[0].name = Text::new("户口簿等", "x");
        assert!(rules(&g, &Flags::default()).is_empty(), "等 only at the end of the list");
        let mut g = guide();
        g.materials[0].note = Text::new("根据需要提供其他材料", "x");
        assert_eq!(rules(&g, &Flags::default()), [(LintRule::CatchAll, "materials[0].note".into())]);
    }

    #[test]
    fn a_material_needs_a_name_and_a_count() {
        let mut g = guide();
        g.materials[1].name.zh = " ".into();
        g.materials[0].count = 0;
        assert_eq!(
            rules(&g, &Flags::default()),
            [(LintRule::UnnamedMaterial, "materials[0].name".into()), (LintRule::UnnamedMaterial, "materials[1].name".into())]
        );
    }

    #[test]
    fn the_promise_stays_within_the_statute() {
        let mut g = guide();
        g.promised_days = Some(21);
        assert_eq!(rules(&g, &Flags::default()), [(LintRule::PromiseOverStatute, "promised_days".into())]);
        g.promised_days = Some(20);
        assert!(rules(&g, &Flags::default()).is_empty(), "equal is within");
        g.statutory_days = None;
        g.promised_days = Some(99);
        assert!(rules(&g, &Flags::default()).is_empty(), "no statute, nothing to exceed");
    }

    #[test]
    fn an_online_item_asks_for_nothing_that_cannot_go_online() {
        let mut g = guide();
        g.materials[0].e_licence = false;
        assert_eq!(rules(&g, &ONLINE_ZERO), [(LintRule::NotOnline, "materials[0].form".into())], "an original no e-licence replaces");
        assert!(rules(&g, &Flags::default()).is_empty(), "fine for an item done at the window");
        let mut g = guide();
        g.materials[1].note = Text::new("另需提交纸质版", "Paper too");
        assert_eq!(rules(&g, &ONLINE_ZERO), [(LintRule::NotOnline, "materials[1].form".into())]);
        let mut g = guide();
        g.materials[1].form = MaterialForm::Copy;
        assert!(rules(&g, &ONLINE_ZERO).is_empty(), "a copy can be uploaded");
    }

    #[test]
    fn a_zero_trip_item_needs_no_visit() {
        let mut g = guide();
        g.process.push(Text::new("携带原件到窗口核验", "Bring the original to the window"));
        assert_eq!(rules(&g, &ONLINE_ZERO), [(LintRule::NeedsVisit, "process[2]".into())]);
        assert!(rules(&g, &Flags { zero_trip: false, ..ONLINE_ZERO }).is_empty());
        let mut g = guide();
        g.process[0] = Text::new("申请：网上提交或窗口递交", "Apply online or at the window");
        assert!(rules(&g, &ONLINE_ZERO).is_empty(), "the window offered beside an online way is no required visit");
    }
}
