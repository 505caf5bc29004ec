//! Catalogue search that works for Chinese: Chinese has no spaces between words, so matching is by
//! substring over a normalised text, never by whitespace tokens. The normalisation here is applied to
//! both the stored search document and the query, so they always agree.
//!
//! At the edge, SQL narrows the rows with `instr(search_text, ?)` per term (bound parameters, so `'`,
//! `%` and `_` are plain characters) and [`score`] orders what matched.

use crate::catalogue::{Guide, SeedItem};
use crate::error::{ErrorCode, FieldError};
use crate::lang::Text;

/// Longest query accepted, in characters (not bytes: one Chinese character is one character).
pub const MAX_QUERY_CHARS: usize = 100;
/// Most search words: each becomes one SQL condition.
pub const MAX_TERMS: usize = 8;

/// Folds the variants people type into one form: full-width ASCII (ＡＢＣ１２３) to half-width, the
/// ideographic space to a space, Latin letters to lower case; control characters are dropped.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\u{3000}' => Some(' '),
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            c if c.is_control() && c != '\n' => None,
            c => Some(c),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Punctuation that separates words in Chinese input, treated like a space.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '，' | '、' | '；' | '。' | ',' | ';' | '|' | '/' | '·')
}

/// A validated search: the distinct folded terms, in the order typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub terms: Vec<String>,
}

impl SearchQuery {
    /// Validates raw user input. Empty input is an empty query (it filters nothing).
    pub fn parse(raw: &str) -> Result<SearchQuery, FieldError> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > MAX_QUERY_CHARS {
            return Err(FieldError::new(ErrorCode::QueryTooLong, "q"));
        }
        let folded = fold(trimmed);
        let mut terms: Vec<String> = Vec::new();
        for t in folded.split(is_separator).filter(|t| !t.is_empty()) {
            if !terms.iter().any(|x| x == t) {
                terms.push(t.to_string());
            }
        }
        if terms.len() > MAX_TERMS {
            return Err(FieldError::new(ErrorCode::TooManyTerms, "q"));
        }
        Ok(SearchQuery { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a folded document contains every term (the same test SQL's `instr` applies).
    pub fn matches(&self, doc: &str) -> bool {
        self.terms.iter().all(|t| doc.contains(t.as_str()))
    }
}

/// The text searched for an item: names, keywords, department, and the current guide's words.
/// Fields are joined by newlines, which no term can contain, so a term never matches across two fields.
pub fn search_doc(name: &Text, keywords: &[String], department: &Text, guide: &Guide) -> String {
    let mut parts: Vec<&str> = vec![&name.zh, &name.en, &department.zh, &department.en];
    parts.extend(keywords.iter().map(String::as_str));
    parts.push(&guide.summary.zh);
    parts.push(&guide.summary.en);
    for c in &guide.conditions {
        parts.push(&c.zh);
        parts.push(&c.en);
    }
    for m in &guide.materials {
        parts.push(&m.name.zh);
        parts.push(&m.name.en);
    }
    for f in &guide.faq {
        parts.push(&f.q.zh);
        parts.push(&f.q.en);
    }
    fold(&parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n"))
}

/// Convenience for the seed loader: the search document of an item's current guide.
pub fn seed_item_doc(item: &SeedItem, department: &Text) -> String {
    let guide = item.guides.last().expect("seed items have a guide (validated)");
    search_doc(&item.name, &item.keywords, department, guide)
}

/// Relevance of an item that matched every term: a hit in the name outweighs a keyword, which outweighs
/// the guide text; an exact name beats a partial one. Where in the name a term stands does not count:
/// "营业执照" should find the popular 企业设立登记（营业执照办理） before 营业执照变更登记. Popularity only breaks ties (see [`rank`]).
pub fn score(q: &SearchQuery, name: &Text, keywords: &[String]) -> u32 {
    let zh = fold(&name.zh);
    let en = fold(&name.en);
    let kws: Vec<String> = keywords.iter().map(|k| fold(k)).collect();
    q.terms
        .iter()
        .map(|t| {
            if zh == *t || en == *t {
                300
            } else if zh.contains(t.as_str()) || en.contains(t.as_str()) {
                100
            } else if kws.iter().any(|k| k == t) {
                60
            } else if kws.iter().any(|k| k.contains(t.as_str())) {
                40
            } else {
                10
            }
        })
        .sum()
}

/// Orders hits best first: score, then popularity, then id (so the order is total and stable).
pub fn rank<T>(hits: &mut [T], key: impl Fn(&T) -> (u32, u32, &str)) {
    hits.sort_by(|a, b| {
        let (sa, pa, ia) = key(a);
        let (sb, pb, ib) = key(b);
        sb.cmp(&sa).then(pb.cmp(&pa)).then(ia.cmp(ib))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fold_handles_full_width_and_case() {
        assert_eq!(fold("ＡＢＣ１２３"), "abc123");
        assert_eq!(fold("Business\u{3000}Licence"), "business licence");
        assert_eq!(fold("营业执照"), "营业执照");
        assert_eq!(fold("a\u{0}b"), "ab");
    }

    #[test]
    fn parse_splits_on_spaces_and_chinese_punctuation() {
        let q = SearchQuery::parse("  营业执照，食品  Licence 营业执照 ").unwrap();
        assert_eq!(q.terms, vec!["营业执照", "食品", "licence"]);
        assert!(SearchQuery::parse("   ").unwrap().is_empty());
    }

    #[test]
    fn sql_metacharacters_are_ordinary_terms() {
        let q = SearchQuery::parse("100% a_b O'Brien").unwrap();
        assert_eq!(q.terms, vec!["100%", "a_b", "o'brien"]);
        assert!(q.matches("x 100% y a_b o'brien"));
        assert!(!q.matches("x 1000 y axb obrien"));
    }

    #[test]
    fn limits() {
        let long: String = "营".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(SearchQuery::parse(&long).unwrap_err().code, ErrorCode::QueryTooLong);
        // 100 Chinese characters is 300 bytes and still allowed: the limit counts characters.
        assert!(SearchQuery::parse(&"营".repeat(MAX_QUERY_CHARS)).is_ok());
        let many = (0..9).map(|i| format!("t{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(SearchQuery::parse(&many).unwrap_err().code, ErrorCode::TooManyTerms);
        assert_eq!(SearchQuery::parse(&"x ".repeat(500)).unwrap_err().code, ErrorCode::QueryTooLong);
    }

    #[test]
    fn name_hits_outrank_keyword_and_text_hits() {
        let q = SearchQuery::parse("营业执照").unwrap();
        let by_name = score(&q, &Text::new("营业执照变更登记", ""), &[]);
        let exact = score(&q, &Text::new("营业执照", ""), &[]);
        let by_kw = score(&q, &Text::new("企业设立登记", ""), &["营业执照".into()]);
        let by_text = score(&q, &Text::new("食品经营许可", ""), &[]);
        assert!(exact > by_name && by_name > by_kw && by_kw > by_text);
    }

    #[test]
    fn rank_is_total() {
        let mut v = vec![(10, 5, "b"), (10, 5, "a"), (300, 0, "z"), (10, 9, "c")];
        rank(&mut v, |x| (x.0, x.1, x.2));
        assert_eq!(v, vec![(300, 0, "z"), (10, 9, "c"), (10, 5, "a"), (10, 5, "b")]);
    }

    proptest! {
        /// Whatever people type, parsing never panics, and an accepted query respects the limits
        /// and holds no empty or whitespace-bearing term (each becomes one SQL `instr`).
        #[test]
        fn parse_never_panics_and_respects_limits(s in "\\PC{0,140}") {
            if let Ok(q) = SearchQuery::parse(&s) {
                prop_assert!(q.terms.len() <= MAX_TERMS);
                for t in &q.terms {
                    prop_assert!(!t.is_empty());
                    prop_assert!(!t.chars().any(is_separator));
                }
            }
        }

        /// Folding is idempotent, so folding the query and the document once each is enough.
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,60}") {
            prop_assert_eq!(fold(&fold(&s)), fold(&s));
        }

        /// A document built from an item's name is found by any piece of that name.
        #[test]
        fn any_substring_of_a_name_finds_it(name in "[\\u4e00-\\u9fa5A-Za-z]{2,12}", a in 0usize..12, len in 1usize..6) {
            let chars: Vec<char> = name.chars().collect();
            let a = a % chars.len();
            let b = (a + len).min(chars.len());
            let piece: String = chars[a..b].iter().collect();
            let q = SearchQuery::parse(&piece).unwrap();
            prop_assert!(q.matches(&fold(&name)));
        }
    }
}
