//! Application-form answers: `check_value` for every field kind and `validate` of a small form.
//!
//! The input is read as lines of `key=value` answers to the form below; the whole input and every
//! value are also checked against each representative kind. `check_value` runs as people type in the
//! browser and again at the edge, so it must never panic, must trim as `validate` does, must accept
//! exactly the values of the kind's documented shape (the ID, code and mobile kinds agree exactly
//! with `ids`) and refuse the others with the kind's own error code. `validate` reports at most one
//! problem per field, only for fields that exist and apply, and exactly the problems its rules
//! describe: a required field left empty, or a non-empty value its kind refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use tongban_shared::error::ErrorCode;
use tongban_shared::form::{check_value, validate, visible, ChoiceOption, Condition, FieldDef, FieldKind, Step, Values};
use tongban_shared::ids;
use tongban_shared::lang::Text;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let kinds = kinds();

    let mut values = Values::new();
    for line in s.lines() {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        values.insert(k.to_string(), v.to_string());
    }
    for raw in std::iter::once(s).chain(values.values().map(String::as_str)) {
        for kind in &kinds {
            check_one(kind, raw);
        }
    }

    let fields = form();
    let problems = validate(&fields, &values);
    let mut seen = BTreeSet::new();
    for p in &problems {
        assert!(seen.insert(p.key.as_str()), "{} reported twice: {problems:?}", p.key);
        let f = fields.iter().find(|f| f.key == p.key).unwrap_or_else(|| panic!("{} is not a field", p.key));
        assert!(visible(f, &values), "{}: a field that does not apply is not checked", p.key);
    }
    for f in &fields {
        let answer = values.get(&f.key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let want = match answer {
            _ if !visible(f, &values) => None,
            None => f.required.then_some(ErrorCode::FieldRequired),
            Some(v) => check_value(&f.kind, v).err(),
        };
        let got = problems.iter().find(|p| p.key == f.key).map(|p| p.code);
        assert_eq!(got, want, "{}: {values:?}", f.key);
    }
});

/// One kind and one value: trimming does not matter, a value is accepted exactly when it has the shape
/// the kind documents, and a refusal carries the kind's code.
fn check_one(kind: &FieldKind, raw: &str) {
    let r = check_value(kind, raw);
    assert_eq!(r, check_value(kind, raw.trim()), "{kind:?} {raw:?}: trimming changed the verdict");
    let v = raw.trim();
    let (code, ok_shape) = match kind {
        FieldKind::Text { max_chars } => (ErrorCode::FieldTooLong, v.chars().count() <= *max_chars as usize && !v.chars().any(|c| c.is_control() && c != '\n')),
        FieldKind::Number { min, max } => (ErrorCode::NumberOutOfRange, v.parse::<i64>().is_ok_and(|n| *min <= n && n <= *max)),
        FieldKind::Date => {
            let b = v.as_bytes();
            let shape = b.len() == 10 && v.is_ascii() && b[4] == b'-' && b[7] == b'-';
            (ErrorCode::InvalidDate, shape && ids::is_real_date(&format!("{}{}{}", &v[..4], &v[5..7], &v[8..])))
        }
        FieldKind::Choice { options } => (ErrorCode::InvalidChoice, options.iter().any(|o| o.value == v)),
        FieldKind::Address => (ErrorCode::InvalidAddress, (5..=120).contains(&v.chars().count()) && !v.chars().any(char::is_control)),
        FieldKind::IdNumber => (ErrorCode::InvalidIdNumber, ids::resident_id(raw).is_ok()),
        FieldKind::Uscc => (ErrorCode::InvalidUscc, ids::uscc(raw).is_ok()),
        FieldKind::Mobile => (ErrorCode::InvalidMobile, ids::mobile(raw).is_ok()),
        FieldKind::File { .. } | FieldKind::ELicence { .. } => {
            (ErrorCode::InvalidAttachment, v.len() == 32 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        }
    };
    match r {
        Ok(()) => assert!(ok_shape, "{kind:?} accepted {raw:?}"),
        Err(e) => {
            assert!(!ok_shape, "{kind:?} refused {raw:?}");
            assert_eq!(e, code, "{kind:?} {raw:?}");
        }
    }
}

/// Every kind, with parameters at their edges: an empty text limit and no limit, a one-value and an
/// empty number range and the whole i64 range, a choice with no options.
fn kinds() -> Vec<FieldKind> {
    let option = |v: &str| ChoiceOption { value: v.into(), label: Text::new(v, v) };
    vec![
        FieldKind::Text { max_chars: 0 },
        FieldKind::Text { max_chars: 50 },
        FieldKind::Text { max_chars: u32::MAX },
        FieldKind::Number { min: 1, max: 50 },
        FieldKind::Number { min: 7, max: 7 },
        FieldKind::Number { min: 5, max: 1 },
        FieldKind::Number { min: i64::MIN, max: i64::MAX },
        FieldKind::Date,
        FieldKind::Choice { options: vec![] },
        FieldKind::Choice { options: vec![option("yes"), option("no"), option("是")] },
        FieldKind::Address,
        FieldKind::IdNumber,
        FieldKind::Uscc,
        FieldKind::Mobile,
        FieldKind::File { material: "营业执照".into() },
        FieldKind::ELicence { licence: "business_licence".into(), material: "营业执照".into() },
    ]
}

fn field(key: &str, kind: FieldKind, required: bool, when: Option<(&str, &str)>) -> FieldDef {
    FieldDef {
        key: key.into(),
        label: Text::new(key, key),
        kind,
        step: Step::Applicant,
        required,
        when: when.map(|(field, equals)| Condition { field: field.into(), equals: equals.into() }),
        hint: Text::default(),
        profile: None,
    }
}

/// A small form with one field of each kind, required and optional ones, and a conditional field.
fn form() -> Vec<FieldDef> {
    let yes_no = FieldKind::Choice { options: ["yes", "no"].map(|v| ChoiceOption { value: v.into(), label: Text::new(v, v) }).to_vec() };
    vec![
        field("name", FieldKind::Text { max_chars: 20 }, true, None),
        field("id", FieldKind::IdNumber, true, None),
        field("company_id", FieldKind::Uscc, false, None),
        field("mobile", FieldKind::Mobile, true, None),
        field("start", FieldKind::Date, false, None),
        field("address", FieldKind::Address, true, None),
        field("sign", yes_no, true, None),
        field("sign_area", FieldKind::Number { min: 1, max: 50 }, true, Some(("sign", "yes"))),
        field("licence", FieldKind::ELicence { licence: "business_licence".into(), material: "营业执照".into() }, false, Some(("sign", "no"))),
        field("lease", FieldKind::File { material: "租赁合同".into() }, false, None),
    ]
}
