//! Catalogue search text and the item-list URL query, on arbitrary UTF-8.
//!
//! The whole input is a search: folding is idempotent (the stored document and the query are each
//! folded once), an accepted query keeps the documented limits, its terms are distinct, folded, free of
//! separators and all found in the folded input, and joining them again parses to the same terms.
//!
//! The input is also a decoded query string (`k=v&k=v`) for `ItemQuery::from_pairs`: whatever it
//! accepts, `to_pairs` renders to a URL that parses back to the same query (with the search text
//! trimmed, which is how `to_pairs` renders it), and rendering that again gives the same pairs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tongban_shared::error::ErrorCode;
use tongban_shared::query::ItemQuery;
use tongban_shared::search::{fold, SearchQuery, MAX_QUERY_CHARS, MAX_TERMS};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };

    let folded = fold(s);
    assert_eq!(fold(&folded), folded, "fold is idempotent on {s:?}");

    match SearchQuery::parse(s) {
        Ok(q) => {
            assert!(s.trim().chars().count() <= MAX_QUERY_CHARS);
            assert!(q.terms.len() <= MAX_TERMS);
            for (i, t) in q.terms.iter().enumerate() {
                assert!(!t.is_empty(), "{s:?}: empty term");
                assert_eq!(&fold(t), t, "{s:?}: term {t:?} is not folded");
                assert!(!t.chars().any(char::is_whitespace) && !t.contains([',', '，', '、', ';', '；', '。', '|', '/', '·']), "{s:?}: {t:?}");
                assert!(!q.terms[..i].contains(t), "{s:?}: {t:?} twice");
            }
            assert!(q.matches(&folded), "{s:?}: a query matches its own folded text");
            let joined = q.terms.join(" ");
            // Folding may lengthen the text (İ → i̇), and the limit counts what was typed.
            if joined.chars().count() <= MAX_QUERY_CHARS {
                assert_eq!(SearchQuery::parse(&joined), Ok(q.clone()), "{s:?}: re-parsing the terms");
            }
        }
        Err(e) => {
            assert_eq!(e.field, Some("q"));
            assert!(matches!(e.code, ErrorCode::QueryTooLong | ErrorCode::TooManyTerms), "{e:?}");
        }
    }

    let pairs = s.split('&').map(|p| p.split_once('=').unwrap_or((p, "")));
    if let Ok(q) = ItemQuery::from_pairs(pairs) {
        let search = q.search().expect("from_pairs validated the search text");
        let _ = q.offset();
        let rendered = q.to_pairs();
        let back = ItemQuery::from_pairs(rendered.iter().map(|(k, v)| (*k, v.as_str())))
            .unwrap_or_else(|e| panic!("{s:?}: rendered {rendered:?} is refused: {e:?}"));
        let canonical = ItemQuery { q: q.q.trim().to_string(), ..q.clone() };
        assert_eq!(back, canonical, "{s:?}: round trip through {rendered:?}");
        assert_eq!(back.search(), Ok(search), "{s:?}: same search after the round trip");
        assert_eq!(back.to_pairs(), rendered, "{s:?}: rendering is a fixed point");
    }
});
