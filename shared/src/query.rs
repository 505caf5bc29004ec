//! The item-list query: search text, filters and paging. Parsed from URL query pairs at the edge and
//! rendered back to a query string by the app, with one set of rules for both.

use crate::catalogue::{is_valid_slug, CenterKind, Flag, ItemKind};
use crate::error::{ErrorCode, FieldError};
use crate::search::SearchQuery;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemQuery {
    /// Raw search text as typed (validated by [`SearchQuery::parse`]).
    pub q: String,
    pub dept: Option<String>,
    pub center: Option<String>,
    pub kind: Option<ItemKind>,
    /// Items must carry every one of these flags.
    pub flags: Vec<Flag>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl Default for ItemQuery {
    fn default() -> Self {
        ItemQuery { q: String::new(), dept: None, center: None, kind: None, flags: vec![], page: 1, per_page: DEFAULT_PER_PAGE }
    }
}

pub(crate) fn slug(field: &'static str, v: &str) -> Result<Option<String>, FieldError> {
    match v.trim() {
        "" => Ok(None),
        s if is_valid_slug(s) => Ok(Some(s.to_string())),
        _ => Err(FieldError::new(ErrorCode::BadId, field)),
    }
}

fn number(field: &'static str, v: &str, max: u32) -> Result<u32, FieldError> {
    match v.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(FieldError::new(ErrorCode::BadPage, field)),
    }
}

impl ItemQuery {
    /// Parses decoded query pairs. Unknown keys are ignored (cache busters, tracking tags); a repeated
    /// key keeps its last value, except `flag`, which accumulates and also accepts a comma list.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<ItemQuery, FieldError> {
        let mut q = ItemQuery::default();
        for (k, v) in pairs {
            match k {
                "q" => q.q = v.to_string(),
                "dept" => q.dept = slug("dept", v)?,
                "center" => q.center = slug("center", v)?,
                "kind" => {
                    q.kind = match v.trim() {
                        "" => None,
                        s => Some(ItemKind::parse(s).ok_or(FieldError::new(ErrorCode::UnknownFilter, "kind"))?),
                    }
                }
                "flag" => {
                    for f in v.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                        let f = Flag::parse(f).ok_or(FieldError::new(ErrorCode::UnknownFilter, "flag"))?;
                        if !q.flags.contains(&f) {
                            q.flags.push(f);
                        }
                    }
                }
                "page" => q.page = number("page", v, 10_000)?,
                "per_page" => q.per_page = number("per_page", v, MAX_PER_PAGE)?,
                _ => {}
            }
        }
        q.search()?;
        Ok(q)
    }

    pub fn search(&self) -> Result<SearchQuery, FieldError> {
        SearchQuery::parse(&self.q)
    }

    /// Offset of the first row of the page; saturating so a huge page number cannot overflow.
    pub fn offset(&self) -> u32 {
        self.page.saturating_sub(1).saturating_mul(self.per_page)
    }

    /// Query pairs in a canonical order, skipping defaults, for URLs the app builds and shares.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if !self.q.trim().is_empty() {
            v.push(("q", self.q.trim().to_string()));
        }
        if let Some(d) = &self.dept {
            v.push(("dept", d.clone()));
        }
        if let Some(c) = &self.center {
            v.push(("center", c.clone()));
        }
        if let Some(k) = self.kind {
            v.push(("kind", k.as_str().to_string()));
        }
        if !self.flags.is_empty() {
            v.push(("flag", self.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")));
        }
        if self.page != 1 {
            v.push(("page", self.page.to_string()));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            v.push(("per_page", self.per_page.to_string()));
        }
        v
    }
}

/// Filter of the center list.
pub fn parse_center_kind(v: &str) -> Result<Option<CenterKind>, FieldError> {
    match v.trim() {
        "" => Ok(None),
        s => CenterKind::parse(s).map(Some).ok_or(FieldError::new(ErrorCode::UnknownFilter, "kind")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_filters() {
        let q = ItemQuery::from_pairs([("q", "营业执照"), ("dept", "scjg"), ("flag", "online,zero_trip"), ("flag", "online"), ("page", "2"), ("utm", "x")])
            .unwrap();
        assert_eq!(q.q, "营业执照");
        assert_eq!(q.dept.as_deref(), Some("scjg"));
        assert_eq!(q.flags, vec![Flag::Online, Flag::ZeroTrip]);
        assert_eq!(q.page, 2);
        assert_eq!(q.offset(), 20);
    }

    #[test]
    fn rejects_bad_values_with_the_field() {
        let e = |pairs: &[(&str, &str)]| ItemQuery::from_pairs(pairs.iter().copied()).unwrap_err();
        assert_eq!(e(&[("page", "0")]), FieldError::new(ErrorCode::BadPage, "page"));
        assert_eq!(e(&[("page", "abc")]), FieldError::new(ErrorCode::BadPage, "page"));
        assert_eq!(e(&[("per_page", "51")]), FieldError::new(ErrorCode::BadPage, "per_page"));
        assert_eq!(e(&[("flag", "cheap")]), FieldError::new(ErrorCode::UnknownFilter, "flag"));
        assert_eq!(e(&[("kind", "x")]), FieldError::new(ErrorCode::UnknownFilter, "kind"));
        assert_eq!(e(&[("dept", "'; drop table items;--")]), FieldError::new(ErrorCode::BadId, "dept"));
        assert_eq!(e(&[("q", &"x".repeat(1000))]), FieldError::new(ErrorCode::QueryTooLong, "q"));
    }

    fn arb_query() -> impl Strategy<Value = ItemQuery> {
        (
            "[a-z营业执照%_']{0,20}",
            proptest::option::of("[a-z]{2,8}"),
            proptest::option::of("[a-z]{2,8}"),
            proptest::option::of(prop_oneof![Just(ItemKind::AdminPower), Just(ItemKind::PublicService)]),
            proptest::sample::subsequence(Flag::ALL.to_vec(), 0..=4),
            1u32..500,
            1u32..=MAX_PER_PAGE,
        )
            .prop_map(|(q, dept, center, kind, flags, page, per_page)| ItemQuery {
                q: q.trim().to_string(),
                dept,
                center,
                kind,
                flags,
                page,
                per_page,
            })
    }

    proptest! {
        /// What the app renders into a URL, the edge parses back to the same query.
        #[test]
        fn pairs_round_trip(q in arb_query()) {
            let pairs = q.to_pairs();
            let back = ItemQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
            prop_assert_eq!(back, q);
        }
    }
}
