//! A statement and its bound values as plain data, so the builders that make them are pure: the host
//! SQL stage (`sql_check`) runs them on SQLite against `migrations/`, and the worker binds them to D1.

/// A bound SQL value.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
    Null,
}

impl From<Option<&str>> for Arg {
    fn from(s: Option<&str>) -> Self {
        s.map_or(Arg::Null, Arg::from)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

/// One SQL statement with its `?N` values in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Stmt {
    pub fn new(sql: impl Into<String>, args: Vec<Arg>) -> Self {
        Stmt { sql: sql.into(), args }
    }

    /// A statement whose values are named in its SQL (`:id`, `:now`), so a long list of values cannot be
    /// bound one place off. D1 binds only numbered parameters (`?NNN`; named ones are not supported), so
    /// each name becomes `?N`, N its place in `args`. The SQL is a literal of the code: a name it uses that
    /// `args` lacks, or one `args` has that it never uses, is a bug the host test of its builder finds.
    pub fn named(sql: &str, args: Vec<(&'static str, Arg)>) -> Self {
        let mut out = String::with_capacity(sql.len());
        let mut used = vec![false; args.len()];
        let mut last = 0;
        for (at, name) in named_params(sql) {
            let i = args.iter().position(|(n, _)| *n == name).unwrap_or_else(|| panic!("`:{name}` is not bound in {sql}"));
            used[i] = true;
            out.push_str(&sql[last..at]);
            out.push_str(&format!("?{}", i + 1));
            last = at + 1 + name.len();
        }
        out.push_str(&sql[last..]);
        if let Some(i) = used.iter().position(|u| !u) {
            panic!("`{}` is bound but not used in {sql}", args[i].0);
        }
        Stmt { sql: out, args: args.into_iter().map(|(_, a)| a).collect() }
    }
}

/// The named parameters of `sql` (`:name`, outside quoted strings), each with the byte offset of its colon.
pub fn named_params(sql: &str) -> Vec<(usize, &str)> {
    let b = sql.as_bytes();
    let (mut out, mut quoted, mut i) = (Vec::new(), false, 0);
    while i < b.len() {
        match b[i] {
            b'\'' => quoted = !quoted,
            b':' if !quoted && b.get(i + 1).is_some_and(|c| c.is_ascii_lowercase() || *c == b'_') => {
                let end = i + 1 + sql[i + 1..].bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count();
                out.push((i, &sql[i + 1..end]));
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(target_arch = "wasm32")]
pub fn js(args: &[Arg]) -> Vec<wasm_bindgen::JsValue> {
    use wasm_bindgen::JsValue;
    // D1 takes numbers as JS doubles; every integer the worker binds (epoch seconds, counts) is far
    // below 2^53.
    args.iter()
        .map(|a| match a {
            Arg::Text(s) => JsValue::from_str(s),
            Arg::Int(n) => JsValue::from_f64(*n as f64),
            Arg::Null => JsValue::NULL,
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
impl Stmt {
    pub fn prepare(&self, db: &worker::D1Database) -> Result<worker::D1PreparedStatement, crate::error::ApiError> {
        Ok(db.prepare(&self.sql).bind(&js(&self.args))?)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
impl Stmt {
    /// Runs the statement on host SQLite (the SQL stage's twin of `prepare` + `run`).
    pub fn execute(&self, conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
        conn.execute(&self.sql, rusqlite::params_from_iter(self.host_values()))
    }

    /// The bound values as host SQLite takes them.
    pub fn host_values(&self) -> Vec<rusqlite::types::Value> {
        self.args
            .iter()
            .map(|a| match a {
                Arg::Text(s) => rusqlite::types::Value::Text(s.clone()),
                Arg::Int(n) => rusqlite::types::Value::Integer(*n),
                Arg::Null => rusqlite::types::Value::Null,
            })
            .collect()
    }

    /// Runs a query on host SQLite: how many rows it answers, each column read by name into `T`'s twin
    /// (so a select list missing a column a row type reads fails here).
    pub fn query_rows(&self, conn: &rusqlite::Connection, columns: &[&str]) -> rusqlite::Result<Vec<Vec<rusqlite::types::Value>>> {
        let values = self.host_values();
        let mut stmt = conn.prepare(&self.sql)?;
        let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        for c in columns {
            assert!(names.iter().any(|n| n == c), "`{c}` is not a column of {}", self.sql);
        }
        let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| {
            columns.iter().map(|c| r.get::<_, rusqlite::types::Value>(names.iter().position(|n| n == c).unwrap())).collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.collect()
    }
}

/// Host SQLite for the tests of the statements: the schema `migrations/` builds, and rows read back as the
/// worker reads D1's.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod host {
    /// An in-memory SQLite with every migration applied in order, as `wrangler d1 migrations apply` does.
    pub fn migrated() -> rusqlite::Connection {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect();
        files.sort();
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for f in &files {
            let sql = std::fs::read_to_string(f).unwrap();
            conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        conn
    }

    /// The fields a row type reads, as its derived `Deserialize` names them: a deserializer that answers
    /// nothing but records what `deserialize_struct` is asked for.
    pub fn fields_of<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
        use serde::de::value::Error;
        struct Catch(Option<&'static [&'static str]>);
        impl<'de> serde::Deserializer<'de> for &mut Catch {
            type Error = Error;
            fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
                Err(serde::de::Error::custom("not a struct"))
            }
            fn deserialize_struct<V: serde::de::Visitor<'de>>(self, _: &'static str, fields: &'static [&'static str], _: V) -> Result<V::Value, Error> {
                self.0 = Some(fields);
                Err(serde::de::Error::custom("caught"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit unit_struct
                newtype_struct seq tuple tuple_struct map enum identifier ignored_any
            }
        }
        let mut c = Catch(None);
        let _ = T::deserialize(&mut c);
        c.0.expect("a struct")
    }

    /// The rows `stmt` answers on SQLite, decoded into the row type the worker decodes D1's answer into
    /// (through JSON values, as D1 hands the worker JS values): a column its type cannot read fails here.
    pub fn decode<T: serde::de::DeserializeOwned>(conn: &rusqlite::Connection, stmt: &crate::sql::Stmt) -> Vec<T> {
        use rusqlite::types::Value;
        // Every column by its name, as D1 answers: a field the type needs and the statement lacks is serde's
        // "missing field", one with a default may be absent.
        let mut prepared = conn.prepare(&stmt.sql).unwrap_or_else(|e| panic!("{e}: {}", stmt.sql));
        let names: Vec<String> = prepared.column_names().into_iter().map(String::from).collect();
        let rows = prepared
            .query_map(rusqlite::params_from_iter(stmt.host_values()), |r| {
                let mut object = serde_json::Map::new();
                for (i, name) in names.iter().enumerate() {
                    let v = match r.get::<_, Value>(i)? {
                        Value::Null => serde_json::Value::Null,
                        Value::Integer(n) => n.into(),
                        Value::Real(x) => x.into(),
                        Value::Text(t) => t.into(),
                        Value::Blob(_) => panic!("a blob in {name}"),
                    };
                    object.insert(name.clone(), v);
                }
                Ok(object)
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .unwrap_or_else(|e| panic!("{e}: {}", stmt.sql));
        rows.into_iter().map(|o| serde_json::from_value(o.into()).unwrap_or_else(|e| panic!("{e}: {}", stmt.sql))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_numbers_by_their_place_and_quoted_colons_stay() {
        let s = Stmt::named(
            "UPDATE t SET a = :a, at = :now WHERE id = :id AND b = :a AND clock = '09:30' AND c IS :none",
            vec![("id", "x".into()), ("a", 7.into()), ("now", 9.into()), ("none", Arg::Null)],
        );
        assert_eq!(s.sql, "UPDATE t SET a = ?2, at = ?3 WHERE id = ?1 AND b = ?2 AND clock = '09:30' AND c IS ?4");
        assert_eq!(s.args, vec![Arg::Text("x".into()), Arg::Int(7), Arg::Int(9), Arg::Null]);
        assert_eq!(named_params("SELECT ':x', :y_1 FROM t").iter().map(|(_, n)| *n).collect::<Vec<_>>(), ["y_1"]);
    }

    #[test]
    #[should_panic(expected = "is not bound")]
    fn a_name_without_a_value_is_refused() {
        Stmt::named("SELECT :a, :b", vec![("a", 1.into())]);
    }

    #[test]
    #[should_panic(expected = "bound but not used")]
    fn a_value_without_its_name_is_refused() {
        Stmt::named("SELECT :a", vec![("a", 1.into()), ("b", 2.into())]);
    }
}
