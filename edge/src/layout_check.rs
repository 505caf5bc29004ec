//! Host test of the crates' module graph: no module may come to use a module that uses it (directly or
//! round a longer loop), so each can be read, and changed, from the bottom up. Uses are `crate::name`
//! paths in code (comments are skipped), in every crate: edge, shared, app and xtask. None has a cycle left
//! ([`KNOWN`] is empty and may not grow).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module (file, or directory of files) of `src` and the sibling modules its code names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let module_of = |p: &Path| -> String {
        let rel = p.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
        first.trim_end_matches(".rs").to_string()
    };
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(f);
        let deps = g.entry(m.clone()).or_default();
        for line in std::fs::read_to_string(f).unwrap().lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + 7..];
                let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && name != m {
                    deps.insert(name);
                }
            }
        }
    }
    let known: BTreeSet<String> = g.keys().cloned().collect();
    for deps in g.values_mut() {
        deps.retain(|d| known.contains(d));
    }
    g
}

/// Every cycle, as the sorted list of its modules.
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    let reach = |from: &str| -> BTreeSet<String> {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![from.to_string()]);
        while let Some(m) = todo.pop() {
            for d in g.get(&m).into_iter().flatten() {
                if seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|m| (m, reach(m))).collect();
    let mut out = BTreeSet::new();
    for m in g.keys() {
        if reaches[m].contains(m) {
            let mut comp: Vec<String> = g.keys().filter(|o| reaches[m].contains(*o) && reaches[*o].contains(m)).cloned().collect();
            comp.sort();
            out.insert(comp);
        }
    }
    out
}

/// A ratchet: module groups that use one another may only shrink, and any other cycle, or a module
/// joining one, fails. None is left: the last ones went when sign-in's answer (`me`) left `accounts`, the
/// route table stopped naming `http` (its dispatch is expanded in the crate root), the export's types moved
/// to `shared::privacy`, the throttle windows to `shared::throttle` and the approval chain to `shared::chain`.
const KNOWN: &[(&str, &[&str])] = &[];

#[test]
fn no_module_uses_a_module_that_uses_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut found = Vec::new();
    for krate in ["edge", "shared", "app", "xtask"] {
        for c in cycles(&graph(&root.join(krate).join("src"))) {
            let known = KNOWN.iter().any(|(k, group)| *k == krate && c.iter().all(|m| group.contains(&m.as_str())));
            if !known {
                found.push(format!("{krate}: {}", c.join(" ↔ ")));
            }
        }
    }
    assert!(found.is_empty(), "new module cycles: {found:#?}");
}

#[test]
fn the_check_sees_a_cycle() {
    let g: BTreeMap<String, BTreeSet<String>> = [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
    assert_eq!(cycles(&g), BTreeSet::from([vec!["a".to_string(), "b".into(), "c".into()]]));
}

/// No source file of the workspace over 800 lines, but these, which may only shrink. None is left: the
/// route table is in three files of rows, bookings and the 好差评 core are split by resource.
const LONG_FILES: &[(&str, usize)] = &[];

#[test]
fn no_source_file_over_800_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut long = Vec::new();
    for krate in ["edge", "shared", "app", "xtask"] {
        let mut stack = vec![root.join(krate).join("src")];
        while let Some(d) = stack.pop() {
            for p in std::fs::read_dir(&d).unwrap().flatten().map(|e| e.path()) {
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let lines = std::fs::read_to_string(&p).unwrap().lines().count();
                    let name = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                    let cap = LONG_FILES.iter().find(|(f, _)| *f == name).map_or(800, |(_, n)| *n);
                    if lines > cap {
                        long.push(format!("{name}: {lines} lines (at most {cap})"));
                    }
                }
            }
        }
    }
    assert!(long.is_empty(), "{long:#?}");
}

/// SQL reaches D1 only through `sql::Stmt` (`Stmt::prepare`): a handler never prepares a string of its
/// own, so every statement is a named builder in its resource's store, which the store's host test runs
/// on SQLite. A `.prepare("…")`, `.prepare(format!(…))` or `.prepare(sql)` anywhere else fails here.
#[test]
fn statements_reach_d1_only_through_the_stores() {
    let mut found = Vec::new();
    for (file, text) in crate::limits::edge_sources() {
        // The SQL stage prepares on host SQLite, not on D1.
        if file == "sql.rs" || file == "layout_check.rs" || file == "sql_check.rs" {
            continue;
        }
        let code = text.split("\nmod tests {").next().unwrap_or(&text);
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            for at in line.match_indices(".prepare(").map(|(i, _)| i + ".prepare(".len()) {
                let arg = line[at..].trim_start();
                // `Stmt::prepare` takes the database; anything else is a statement prepared in place.
                if !(arg.starts_with("&db") || arg.starts_with("db)") || arg.starts_with("&ctx.db()") || arg.starts_with("&env.d1(") || arg.starts_with("db,"))
                {
                    found.push(format!("{file}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "statements prepared outside the stores:\n{}", found.join("\n"));
}
