//! 一表申请: application forms as data. Each item declares the fields and materials it needs
//! ([`ItemForm`]); a bundle's one form is computed by [`merge`]: a field several items need is asked
//! once, fields are grouped in steps, and conditional fields show only when they apply. The same
//! [`check_value`] runs in the browser (per field, as the person types) and at the edge (authoritative).
//!
//! Values are strings (what a form control holds); uploads and e-licences are referenced by id.
//! Materials are never invented here: a file or e-licence field names a material of the item's office
//! guide, and [`materials_outside_guide`] is how the seed and tests prove it.

use crate::catalogue::Material;
use crate::error::ErrorCode;
use crate::lang::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What an item's case produces when approved, as a new e-licence in the holder's library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Issues {
    pub licence: String,
    pub name: Text,
}

/// The steps of a form, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Applicant,
    Business,
    Premises,
    Item,
    Materials,
}

impl Step {
    pub const ALL: [Step; 5] = [Step::Applicant, Step::Business, Step::Premises, Step::Item, Step::Materials];
    pub fn label(self) -> Text {
        match self {
            Step::Applicant => Text::new("申请人信息", "Applicant"),
            Step::Business => Text::new("企业信息", "Business"),
            Step::Premises => Text::new("经营场所", "Premises"),
            Step::Item => Text::new("事项信息", "About the application"),
            Step::Materials => Text::new("材料", "Materials"),
        }
    }
}

/// Show a field only when another field has one of these values ("outdoor sign? → its size").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Condition {
    pub field: String,
    pub equals: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldKind {
    Text {
        max_chars: u32,
    },
    Number {
        min: i64,
        max: i64,
    },
    /// `YYYY-MM-DD`, a real date.
    Date,
    Choice {
        options: Vec<ChoiceOption>,
    },
    /// A street address in the district: 5–120 characters.
    Address,
    /// Resident ID number (GB 11643).
    IdNumber,
    /// Unified social credit code (GB 32100).
    Uscc,
    Mobile,
    /// An upload of the guide material named `material` (its Chinese name in the guide).
    File {
        material: String,
    },
    /// An e-licence (电子证照) standing for the guide material `material`; `licence` is its type.
    ELicence {
        licence: String,
        material: String,
    },
}

impl FieldKind {
    /// The kind's name, for "the same field in two items must be the same kind".
    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::Text { .. } => "text",
            FieldKind::Number { .. } => "number",
            FieldKind::Date => "date",
            FieldKind::Choice { .. } => "choice",
            FieldKind::Address => "address",
            FieldKind::IdNumber => "id_number",
            FieldKind::Uscc => "uscc",
            FieldKind::Mobile => "mobile",
            FieldKind::File { .. } => "file",
            FieldKind::ELicence { .. } => "e_licence",
        }
    }
    pub fn material(&self) -> Option<&str> {
        match self {
            FieldKind::File { material } | FieldKind::ELicence { material, .. } => Some(material),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldDef {
    /// Stable key; the same key in several items is the same question.
    pub key: String,
    pub label: Text,
    #[serde(flatten)]
    pub kind: FieldKind,
    pub step: Step,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    #[serde(default)]
    pub hint: Text,
    /// The saved-profile entry that pre-fills it (一次收齐、反复使用), e.g. `name`, `mobile`, `company_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// One item's form, versioned: a submission records the versions it was checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemForm {
    pub item_id: String,
    pub version: u32,
    pub fields: Vec<FieldDef>,
    /// The department's approval chain for this item.
    #[serde(default)]
    pub chain: crate::chain::Chain,
    /// The e-licence an approved case issues into the holder's library, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<Issues>,
}

/// A field of the merged form with the items that need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MergedField {
    pub field: FieldDef,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MergedForm {
    pub bundle_id: String,
    /// `(item, form version)` in the bundle's order.
    pub items: Vec<(String, u32)>,
    /// In step order, then in the order they first appear.
    pub fields: Vec<MergedField>,
    /// Questions asked by the one form, and by the items' own forms added up: the saving is the point.
    pub asked: u32,
    pub sum_of_items: u32,
}

pub type Values = BTreeMap<String, String>;

/// Why two items' forms cannot be merged (a configuration error, found by the seed's tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeConflict {
    pub key: String,
    pub items: (String, String),
}

/// The one form of a bundle: a field needed by several items is asked once (required if any item
/// requires it), in step order.
pub fn merge(bundle_id: &str, forms: &[ItemForm]) -> Result<MergedForm, MergeConflict> {
    let mut merged: Vec<MergedField> = Vec::new();
    for f in forms {
        for field in &f.fields {
            match merged.iter_mut().find(|m| m.field.key == field.key) {
                Some(m) => {
                    if m.field.kind != field.kind || m.field.when != field.when || m.field.step != field.step {
                        return Err(MergeConflict { key: field.key.clone(), items: (m.items[0].clone(), f.item_id.clone()) });
                    }
                    m.field.required |= field.required;
                    if !m.items.contains(&f.item_id) {
                        m.items.push(f.item_id.clone());
                    }
                }
                None => merged.push(MergedField { field: field.clone(), items: vec![f.item_id.clone()] }),
            }
        }
    }
    // Stable sort: within a step, first appearance wins.
    merged.sort_by_key(|m| m.field.step);
    Ok(MergedForm {
        bundle_id: bundle_id.to_string(),
        items: forms.iter().map(|f| (f.item_id.clone(), f.version)).collect(),
        asked: merged.len() as u32,
        sum_of_items: forms.iter().map(|f| f.fields.len() as u32).sum(),
        fields: merged,
    })
}

/// Whether a field applies, given the other answers.
pub fn visible(field: &FieldDef, values: &Values) -> bool {
    field.when.as_ref().is_none_or(|c| values.get(&c.field).is_some_and(|v| v == &c.equals))
}

/// Checks one non-empty value against its kind. The browser runs this per field; the edge on submit.
pub fn check_value(kind: &FieldKind, raw: &str) -> Result<(), ErrorCode> {
    let v = raw.trim();
    match kind {
        FieldKind::Text { max_chars } => {
            if v.chars().count() > *max_chars as usize || v.chars().any(|c| c.is_control() && c != '\n') {
                return Err(ErrorCode::FieldTooLong);
            }
        }
        FieldKind::Number { min, max } => match v.parse::<i64>() {
            Ok(n) if (*min..=*max).contains(&n) => {}
            _ => return Err(ErrorCode::NumberOutOfRange),
        },
        FieldKind::Date => {
            let ok = v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' && crate::ids::is_real_date(&v.replace('-', ""));
            if !ok {
                return Err(ErrorCode::InvalidDate);
            }
        }
        FieldKind::Choice { options } => {
            if !options.iter().any(|o| o.value == v) {
                return Err(ErrorCode::InvalidChoice);
            }
        }
        FieldKind::Address => {
            let n = v.chars().count();
            if !(5..=120).contains(&n) || v.chars().any(char::is_control) {
                return Err(ErrorCode::InvalidAddress);
            }
        }
        FieldKind::IdNumber => {
            crate::ids::resident_id(v)?;
        }
        FieldKind::Uscc => {
            crate::ids::uscc(v)?;
        }
        FieldKind::Mobile => {
            crate::ids::mobile(v)?;
        }
        FieldKind::File { .. } | FieldKind::ELicence { .. } => {
            // A reference: a 32-character hex id of an upload or a licence. Whose it is, the edge checks.
            if v.len() != 32 || !v.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return Err(ErrorCode::InvalidAttachment);
            }
        }
    }
    Ok(())
}

/// A field's problem, keyed by the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldProblem {
    pub key: String,
    pub code: ErrorCode,
}

/// Every problem of `values` against `fields` (all of them, so the form can mark each at once).
pub fn validate<'a>(fields: impl IntoIterator<Item = &'a FieldDef>, values: &Values) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    for f in fields {
        if !visible(f, values) {
            continue;
        }
        match values.get(&f.key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None if f.required => out.push(FieldProblem { key: f.key.clone(), code: ErrorCode::FieldRequired }),
            None => {}
            Some(v) => {
                if let Err(code) = check_value(&f.kind, v) {
                    out.push(FieldProblem { key: f.key.clone(), code });
                }
            }
        }
    }
    out
}

impl ItemForm {
    pub fn validate(&self, values: &Values) -> Vec<FieldProblem> {
        validate(&self.fields, values)
    }
}

impl MergedForm {
    pub fn validate(&self, values: &Values) -> Vec<FieldProblem> {
        validate(self.fields.iter().map(|m| &m.field), values)
    }

    /// The answers one item's department receives: its own fields that apply, trimmed; nothing else.
    pub fn part(&self, item: &str, values: &Values) -> Values {
        self.fields
            .iter()
            .filter(|m| m.items.iter().any(|i| i == item) && visible(&m.field, values))
            .filter_map(|m| values.get(&m.field.key).map(|v| (m.field.key.clone(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// The e-licences these answers share, and only those: the values of e-licence fields that the person
    /// consented to. A licence id typed into any other field, or consented to without a field, shares
    /// nothing — consent is to a licence in the field that asks for it (issue 15 §5).
    pub fn shared_licences(&self, values: &Values, consent: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self
            .fields
            .iter()
            .filter(|m| matches!(m.field.kind, FieldKind::ELicence { .. }))
            .filter_map(|m| values.get(&m.field.key))
            .filter(|v| consent.contains(v))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Answers to fields the form does not have, or that do not apply, are dropped before storing.
    pub fn clean(&self, values: &Values) -> Values {
        self.fields
            .iter()
            .filter(|m| visible(&m.field, values))
            .filter_map(|m| values.get(&m.field.key).map(|v| (m.field.key.clone(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }
}

/// The file and e-licence fields of `form` whose material is not in the item's guide: must be empty.
pub fn materials_outside_guide(form: &ItemForm, guide: &[Material]) -> Vec<String> {
    form.fields.iter().filter_map(|f| f.kind.material()).filter(|m| !guide.iter().any(|g| g.name.zh == *m)).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(key: &str, step: Step, required: bool) -> FieldDef {
        FieldDef {
            key: key.into(),
            label: Text::new(key, key),
            kind: FieldKind::Text { max_chars: 50 },
            step,
            required,
            when: None,
            hint: Text::default(),
            profile: None,
        }
    }

    fn forms() -> Vec<ItemForm> {
        let sign = FieldDef {
            key: "sign".into(),
            label: Text::new("设置户外招牌？", "Outdoor sign?"),
            kind: FieldKind::Choice {
                options: vec![
                    ChoiceOption { value: "yes".into(), label: Text::new("是", "Yes") },
                    ChoiceOption { value: "no".into(), label: Text::new("否", "No") },
                ],
            },
            step: Step::Premises,
            required: true,
            when: None,
            hint: Text::default(),
            profile: None,
        };
        let size = FieldDef {
            key: "sign_area".into(),
            label: Text::new("招牌面积（平方米）", "Sign area (m²)"),
            kind: FieldKind::Number { min: 1, max: 50 },
            step: Step::Premises,
            required: true,
            when: Some(Condition { field: "sign".into(), equals: "yes".into() }),
            hint: Text::default(),
            profile: None,
        };
        vec![
            ItemForm {
                item_id: "a".into(),
                version: 1,
                fields: vec![text("company", Step::Business, true), text("name", Step::Applicant, true), text("a_only", Step::Item, false)],
                chain: Default::default(),
                issues: None,
            },
            ItemForm {
                item_id: "b".into(),
                version: 2,
                fields: vec![text("name", Step::Applicant, false), text("company", Step::Business, true), sign.clone(), size.clone()],
                chain: Default::default(),
                issues: None,
            },
            ItemForm {
                item_id: "c".into(),
                version: 1,
                fields: vec![text("name", Step::Applicant, true), text("company", Step::Business, false), sign],
                chain: Default::default(),
                issues: None,
            },
        ]
    }

    #[test]
    fn only_consented_licences_of_licence_fields_are_shared() {
        let mut forms = forms();
        forms[0].fields.push(FieldDef {
            kind: FieldKind::ELicence { licence: "business_licence".into(), material: "营业执照".into() },
            ..text("lic", Step::Business, false)
        });
        let m = merge("x", &forms).unwrap();
        let values: Values = [("lic", "L-mine"), ("company", "L-someone-elses"), ("name", "张三")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let consent = vec!["L-mine".to_string(), "L-someone-elses".to_string(), "L-no-field".to_string()];
        assert_eq!(m.shared_licences(&values, &consent), vec!["L-mine".to_string()], "an id typed into a text field shares nothing");
        assert!(m.shared_licences(&values, &[]).is_empty(), "nothing without consent");
    }

    #[test]
    fn a_field_three_items_need_is_asked_once() {
        let m = merge("x", &forms()).unwrap();
        assert_eq!((m.asked, m.sum_of_items), (5, 10));
        let keys: Vec<&str> = m.fields.iter().map(|f| f.field.key.as_str()).collect();
        assert_eq!(keys, vec!["name", "company", "sign", "sign_area", "a_only"], "steps in order, first appearance within a step");
        let name = &m.fields[0];
        assert_eq!((name.items.len(), name.field.required), (3, true), "required if any item requires it");
        let mut bad = forms();
        bad[2].fields[1].kind = FieldKind::Address;
        assert_eq!(merge("x", &bad).unwrap_err().key, "company");
    }

    #[test]
    fn conditional_fields_apply_only_when_their_condition_holds() {
        let m = merge("x", &forms()).unwrap();
        let mut v: Values = [("name", "张伟"), ("company", "示例餐饮"), ("sign", "no")].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert!(m.validate(&v).is_empty());
        v.insert("sign_area".into(), "999".into());
        assert!(m.validate(&v).is_empty(), "a field that does not apply is not checked");
        assert!(!m.clean(&v).contains_key("sign_area"), "and not stored");
        v.insert("sign".into(), "yes".into());
        assert_eq!(m.validate(&v), vec![FieldProblem { key: "sign_area".into(), code: ErrorCode::NumberOutOfRange }]);
        v.remove("sign_area");
        assert_eq!(m.validate(&v)[0].code, ErrorCode::FieldRequired);
        v.insert("sign_area".into(), "6".into());
        assert!(m.validate(&v).is_empty());
        // Each department gets its own part only.
        assert_eq!(m.part("a", &v).keys().collect::<Vec<_>>(), vec!["company", "name"]);
        assert_eq!(m.part("c", &v).keys().collect::<Vec<_>>(), vec!["company", "name", "sign"]);
    }

    #[test]
    fn every_kind_on_good_and_bad_values() {
        let choice = FieldKind::Choice { options: vec![ChoiceOption { value: "yes".into(), label: Text::default() }] };
        let file = FieldKind::File { material: "x".into() };
        let cases: Vec<(FieldKind, &str, Result<(), ErrorCode>)> = vec![
            (FieldKind::Text { max_chars: 4 }, "四个字符", Ok(())),
            (FieldKind::Text { max_chars: 4 }, "五个字符了", Err(ErrorCode::FieldTooLong)),
            (FieldKind::Text { max_chars: 40 }, "bell\u{7}", Err(ErrorCode::FieldTooLong)),
            (FieldKind::Number { min: 1, max: 9 }, "9", Ok(())),
            (FieldKind::Number { min: 1, max: 9 }, "10", Err(ErrorCode::NumberOutOfRange)),
            (FieldKind::Number { min: 1, max: 9 }, "1.5", Err(ErrorCode::NumberOutOfRange)),
            (FieldKind::Date, "2024-02-29", Ok(())),
            (FieldKind::Date, "2023-02-29", Err(ErrorCode::InvalidDate)),
            (FieldKind::Date, "2024/02/28", Err(ErrorCode::InvalidDate)),
            (choice.clone(), "yes", Ok(())),
            (choice, "maybe", Err(ErrorCode::InvalidChoice)),
            (FieldKind::Address, "普陀区大渡河路1668号", Ok(())),
            (FieldKind::Address, "普陀", Err(ErrorCode::InvalidAddress)),
            (FieldKind::IdNumber, "11010519491231002X", Ok(())),
            (FieldKind::IdNumber, "340524198001010013", Err(ErrorCode::InvalidIdNumber)),
            (FieldKind::Uscc, "91350200776049653A", Ok(())),
            (FieldKind::Uscc, "91350200776049653B", Err(ErrorCode::InvalidUscc)),
            (FieldKind::Mobile, "13800138000", Ok(())),
            (FieldKind::Mobile, "1380013800", Err(ErrorCode::InvalidMobile)),
            (file.clone(), "0123456789abcdef0123456789abcdef", Ok(())),
            (file, "../../etc/passwd", Err(ErrorCode::InvalidAttachment)),
            (FieldKind::ELicence { licence: "business_licence".into(), material: "营业执照".into() }, "XYZ", Err(ErrorCode::InvalidAttachment)),
        ];
        for (kind, v, want) in cases {
            assert_eq!(check_value(&kind, v), want, "{kind:?} {v:?}");
        }
    }

    /// The demo forms (`seed/forms.json`) against the demo catalogue: every bundle item has a form, the
    /// bundles merge, no field asks for a material outside the item's current guide, and a condition
    /// only ever refers to a field of the same item.
    #[test]
    fn the_seed_forms_fit_the_catalogue() {
        let forms: Vec<ItemForm> = serde_json::from_str(include_str!("../../seed/forms.json")).expect("seed/forms.json parses");
        let cat: crate::catalogue::SeedCatalogue = serde_json::from_str(include_str!("../../seed/catalogue.json")).unwrap();
        for f in &forms {
            let item = cat.items.iter().find(|i| i.id == f.item_id).unwrap_or_else(|| panic!("no item {}", f.item_id));
            let guide = &item.guides.last().unwrap().materials;
            if f.chain == crate::chain::Chain::OnTheSpot {
                assert!(item.flags.on_the_spot, "{}: decided on the spot, but the catalogue does not promise 当场办结", f.item_id);
            }
            assert_eq!(materials_outside_guide(f, guide), Vec::<String>::new(), "{}", f.item_id);
            for field in &f.fields {
                if let Some(c) = &field.when {
                    assert!(f.fields.iter().any(|x| x.key == c.field), "{}: {} depends on {} of another item", f.item_id, field.key, c.field);
                }
            }
        }
        let mut savings = Vec::new();
        for b in &cat.bundles {
            let mine: Vec<ItemForm> =
                b.items.iter().map(|i| forms.iter().find(|f| &f.item_id == i).unwrap_or_else(|| panic!("{}: no form for {i}", b.id)).clone()).collect();
            let m = merge(&b.id, &mine).unwrap_or_else(|e| panic!("{}: {e:?}", b.id));
            assert!(m.asked < m.sum_of_items, "{}: the one form must ask less than the items' forms", b.id);
            savings.push(format!("{} {}/{}", b.id, m.asked, m.sum_of_items));
        }
        // The figures the README quotes.
        assert_eq!(savings, vec!["open-restaurant 34/59", "newborn 22/43", "retirement 18/31", "company-setup 22/39", "disability 14/23"]);
    }

    /// A valid value for each kind, chosen by `n`.
    fn value_for(kind: &FieldKind, n: usize) -> String {
        match kind {
            FieldKind::Text { max_chars } => "字".repeat(n % (*max_chars as usize).max(1) + 1),
            FieldKind::Number { min, max } => (min + (n as i64 % (max - min + 1))).to_string(),
            FieldKind::Date => format!("20{:02}-0{}-1{}", n % 30, n % 9 + 1, n % 9),
            FieldKind::Choice { options } => options[n % options.len()].value.clone(),
            FieldKind::Address => format!("普陀区长寿路{}号", n % 999 + 1),
            FieldKind::IdNumber => ["11010519491231002X", "34052419800101001X"][n % 2].into(),
            FieldKind::Uscc => ["91350200776049653A", "913502000728319549", "91440101MA5CJQ4N59"][n % 3].into(),
            FieldKind::Mobile => format!("139{:08}", n % 100_000_000),
            FieldKind::File { .. } | FieldKind::ELicence { .. } => format!("{:032x}", n + 1),
        }
    }

    proptest! {
        /// Whatever the answers, a submission valid for the merged form is valid for every item's own
        /// form, given the part that item receives.
        #[test]
        fn valid_for_the_merged_form_is_valid_for_every_part(picks in proptest::collection::vec((any::<bool>(), 0usize..1000), 5)) {
            let forms = forms();
            let m = merge("x", &forms).unwrap();
            let mut v = Values::new();
            for (f, (fill, n)) in m.fields.iter().zip(picks.iter().cycle()) {
                if *fill || f.field.required {
                    v.insert(f.field.key.clone(), value_for(&f.field.kind, *n));
                }
            }
            prop_assume!(m.validate(&v).is_empty());
            for f in &forms {
                let part = m.part(&f.item_id, &v);
                prop_assert!(f.validate(&part).is_empty(), "{} rejects its part {:?}", f.item_id, part);
            }
        }
    }
}
