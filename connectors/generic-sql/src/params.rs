//! Named parameters (`:since`, `:skus`) in the store's queries, rewritten
//! into the server's own placeholders (`$1` on PostgreSQL, `?` on MySQL and
//! MariaDB) with the values in the order the host binds them. Values are
//! never written into the SQL text: the host binds every one.
//!
//! The scan knows enough SQL to leave alone what only looks like a
//! parameter: string literals (with `''` and, where the dialect has them,
//! backslash escapes), PostgreSQL `E'...'` and dollar-quoted strings, quoted
//! identifiers (`"..."`, `` `...` ``), comments (`--`, `#` on MySQL,
//! nested `/* */` on PostgreSQL) and `::type` casts.

use chatgw_sdk::SqlValue;

/// Which placeholders the server takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `$1`, `$2`, ...; one number per name, however often it is used.
    Postgres,
    /// `?` per use, MySQL and MariaDB.
    MySql,
}

/// The value a name stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    One(SqlValue),
    /// Expands into a comma-separated list of placeholders (`IN (:skus)`);
    /// an empty list becomes `NULL`, which matches nothing.
    List(Vec<SqlValue>),
}

/// A statement ready for `host-sql.query`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

/// Rewrites `sql`'s `:name` parameters. `value` gives the value of a
/// name, or `None` for a name the query may not use; `setting` names the
/// query in errors.
pub fn bind(sql: &str, dialect: Dialect, setting: &str, value: impl Fn(&str) -> Option<Param>) -> Result<Bound, String> {
    let mut out = Binder { dialect, sql: String::with_capacity(sql.len() + 16), params: Vec::new(), numbered: Vec::new() };
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let skipped = match c {
            '\'' => Some(quoted_end(&chars, i, '\'', backslash_escapes(dialect, &chars, i))),
            '"' => Some(quoted_end(&chars, i, '"', dialect == Dialect::MySql)),
            '`' if dialect == Dialect::MySql => Some(quoted_end(&chars, i, '`', false)),
            '-' if next == Some('-') => Some(line_end(&chars, i)),
            '#' if dialect == Dialect::MySql => Some(line_end(&chars, i)),
            '/' if next == Some('*') => {
                Some(block_comment_end(&chars, i, dialect == Dialect::Postgres).ok_or_else(|| format!("{setting}: a `/*` comment is never closed"))?)
            }
            '$' if dialect == Dialect::Postgres => {
                dollar_quote_end(&chars, i).map(|end| end.ok_or_else(|| format!("{setting}: a dollar-quoted string is never closed"))).transpose()?
            }
            _ => None,
        };
        if let Some(end) = skipped {
            if end > chars.len() {
                return Err(format!("{setting}: a quoted string or identifier is never closed"));
            }
            out.sql.extend(&chars[i..end]);
            i = end;
            continue;
        }
        match c {
            // A cast: both colons stay, and what follows is a type name.
            ':' if next == Some(':') => {
                out.sql.push_str("::");
                i += 2;
            }
            ':' if next.is_some_and(is_name_start) && !chars[..i].last().is_some_and(|p| is_name_char(*p)) => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && is_name_char(chars[end]) {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                let param = value(&name).ok_or_else(|| format!("{setting}: unknown parameter `:{name}`"))?;
                out.push(&name, param);
                i = end;
            }
            '?' if dialect == Dialect::MySql => {
                return Err(format!("{setting}: use named parameters (`:name`), not `?` placeholders"));
            }
            '$' if dialect == Dialect::Postgres && next.is_some_and(|n| n.is_ascii_digit()) => {
                return Err(format!("{setting}: use named parameters (`:name`), not `$n` placeholders"));
            }
            _ => {
                out.sql.push(c);
                i += 1;
            }
        }
    }
    Ok(Bound { sql: out.sql, params: out.params })
}

struct Binder {
    dialect: Dialect,
    sql: String,
    params: Vec<SqlValue>,
    /// PostgreSQL: the placeholder each single-valued name got.
    numbered: Vec<(String, usize)>,
}

impl Binder {
    fn push(&mut self, name: &str, param: Param) {
        match param {
            Param::One(value) => {
                if self.dialect == Dialect::Postgres {
                    if let Some((_, n)) = self.numbered.iter().find(|(known, _)| known == name) {
                        self.sql.push_str(&format!("${n}"));
                        return;
                    }
                    self.numbered.push((name.to_owned(), self.params.len() + 1));
                }
                self.placeholder(value);
            }
            Param::List(values) if values.is_empty() => self.sql.push_str("NULL"),
            Param::List(values) => {
                for (k, value) in values.into_iter().enumerate() {
                    if k > 0 {
                        self.sql.push_str(", ");
                    }
                    self.placeholder(value);
                }
            }
        }
    }

    fn placeholder(&mut self, value: SqlValue) {
        self.params.push(value);
        match self.dialect {
            Dialect::Postgres => self.sql.push_str(&format!("${}", self.params.len())),
            Dialect::MySql => self.sql.push('?'),
        }
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// MySQL strings take backslash escapes; PostgreSQL ones only when written
/// `E'...'`.
fn backslash_escapes(dialect: Dialect, chars: &[char], quote: usize) -> bool {
    match dialect {
        Dialect::MySql => true,
        Dialect::Postgres => quote > 0 && matches!(chars[quote - 1], 'e' | 'E') && !(quote > 1 && is_name_char(chars[quote - 2])),
    }
}

/// Index after the closing `quote` (doubled quotes are one character), or
/// past the end when it is never closed.
fn quoted_end(chars: &[char], start: usize, quote: char, backslash: bool) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if backslash => i += 2,
            c if c == quote => {
                if chars.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    chars.len() + 1
}

fn line_end(chars: &[char], start: usize) -> usize {
    chars[start..].iter().position(|&c| c == '\n').map_or(chars.len(), |p| start + p)
}

/// Index after the `*/` that closes the comment at `start` (PostgreSQL
/// nests them).
fn block_comment_end(chars: &[char], start: usize, nested: bool) -> Option<usize> {
    let mut depth = 0;
    let mut i = start;
    while i + 1 < chars.len() {
        if chars[i] == '/' && chars[i + 1] == '*' && (nested || depth == 0) {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars[i + 1] == '/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A dollar-quoted string (`$$...$$`, `$tag$...$tag$`) at `start`: the index
/// after it, `Some(None)` when never closed, `None` when `$` starts no such
/// string.
fn dollar_quote_end(chars: &[char], start: usize) -> Option<Option<usize>> {
    if start > 0 && is_name_char(chars[start - 1]) {
        return None;
    }
    let mut i = start + 1;
    while i < chars.len() && is_name_char(chars[i]) && !(i == start + 1 && chars[i].is_ascii_digit()) {
        i += 1;
    }
    if chars.get(i) != Some(&'$') {
        return None;
    }
    let tag = &chars[start..=i];
    let body = i + 1;
    Some((body..chars.len()).find(|&k| chars[k..].starts_with(tag)).map(|k| k + tag.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &str) -> Option<Param> {
        match name {
            "since" => Some(Param::One(SqlValue::Text("2024-01-01 00:00:00".into()))),
            "after" => Some(Param::One(SqlValue::Integer(7))),
            "skus" => Some(Param::List(vec![SqlValue::Text("A".into()), SqlValue::Text("B".into())])),
            "none" => Some(Param::List(vec![])),
            _ => None,
        }
    }

    fn pg(sql: &str) -> Bound {
        bind(sql, Dialect::Postgres, "q", values).unwrap()
    }

    fn my(sql: &str) -> Bound {
        bind(sql, Dialect::MySql, "q", values).unwrap()
    }

    #[test]
    fn postgres_numbers_each_name_once_and_lists_expand() {
        let b = pg("SELECT * FROM t WHERE (CAST(:after AS bigint) IS NULL OR id > :after) AND sku IN (:skus) AND m >= :since::timestamptz");
        assert_eq!(b.sql, "SELECT * FROM t WHERE (CAST($1 AS bigint) IS NULL OR id > $1) AND sku IN ($2, $3) AND m >= $4::timestamptz");
        assert_eq!(b.params.len(), 4);
        assert_eq!(b.params[0], SqlValue::Integer(7));
    }

    #[test]
    fn mysql_binds_every_use() {
        let b = my("SELECT * FROM t WHERE (:after IS NULL OR id > :after) AND sku IN (:skus)");
        assert_eq!(b.sql, "SELECT * FROM t WHERE (? IS NULL OR id > ?) AND sku IN (?, ?)");
        assert_eq!(b.params, vec![SqlValue::Integer(7), SqlValue::Integer(7), SqlValue::Text("A".into()), SqlValue::Text("B".into())]);
    }

    #[test]
    fn literals_identifiers_comments_and_casts_are_left_alone() {
        let sql =
            "SELECT ':after', \"x:after\", 'it''s :after', E'\\' :after', $$ :after $$, $t$ :after $t$, x::text -- :after\n/* :after /* :after */ */ FROM t";
        let b = pg(sql);
        assert_eq!(b.sql, sql);
        assert!(b.params.is_empty());
        let sql = "SELECT ':after', `x:after`, 'it\\'s :after', \"a:after\" # :after\n/* :after */ FROM t";
        let b = my(sql);
        assert_eq!(b.sql, sql);
        assert!(b.params.is_empty());
    }

    #[test]
    fn a_backslash_does_not_escape_in_a_standard_postgres_string() {
        let b = pg(r"SELECT 'C:\' || :after");
        assert_eq!(b.sql, r"SELECT 'C:\' || $1");
    }

    #[test]
    fn empty_lists_match_nothing() {
        assert_eq!(my("x IN (:none)").sql, "x IN (NULL)");
    }

    #[test]
    fn errors_name_the_setting_and_the_problem() {
        let unknown = bind("SELECT :nope", Dialect::MySql, "stock_query", values).unwrap_err();
        assert!(unknown.contains("stock_query") && unknown.contains(":nope"), "{unknown}");
        assert!(bind("SELECT ?", Dialect::MySql, "q", values).unwrap_err().contains("named"));
        assert!(bind("SELECT $1", Dialect::Postgres, "q", values).unwrap_err().contains("named"));
        assert!(bind("SELECT 'open", Dialect::MySql, "q", values).unwrap_err().contains("never closed"));
        assert!(bind("SELECT /* open", Dialect::Postgres, "q", values).unwrap_err().contains("never closed"));
    }

    #[test]
    fn a_colon_inside_a_word_is_no_parameter() {
        // MySQL's `:=` and a colon after a name (`a:b` in a JSON path) stay.
        assert_eq!(my("SELECT @x:=1, a:b").sql, "SELECT @x:=1, a:b");
    }
}
