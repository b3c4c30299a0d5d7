//! A small lexer for the statements plugins send: it finds the code outside
//! string literals, quoted identifiers and comments, so the host can refuse a
//! second statement, a statement that is not a read, a row lock or `INTO`
//! with a clear message before the database sees it. It is the friendly
//! first check, not the wall: the gate also sends the statement where only
//! a query parses (see `sql.rs`), so a place where this lexer and the server
//! disagree on a comment or literal ends in a syntax error, not a write.

use crate::grants::SqlFailure;

/// The SQL dialect a statement is lexed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Postgres,
    MySql,
}

/// Statement kinds that only read. Everything else (DML, DDL, `SET`, `CALL`,
/// `LOCK`, `COPY`, ...) is refused.
const READ_KEYWORDS: &[&str] = &["SELECT", "WITH", "VALUES", "TABLE"];

/// Checks that `statement` is exactly one read statement without `INTO` or
/// a row lock, and returns it without its optional trailing `;`.
pub(crate) fn check(statement: &str, dialect: Dialect) -> Result<Read<'_>, SqlFailure> {
    let code = code_mask(statement, dialect)?;
    let last_code = code.iter().rposition(|b| !b.is_ascii_whitespace());
    let Some(last_code) = last_code else {
        return Err(SqlFailure::InvalidQuery("the statement is empty (only whitespace or comments)".into()));
    };
    let end = if code[last_code] == b';' { last_code } else { statement.len() };
    if code[..end].contains(&b';') {
        return Err(SqlFailure::InvalidQuery(
            "host-sql runs exactly one statement per query; send each `;`-separated statement \
             as its own query"
                .into(),
        ));
    }
    let body = &code[..end];
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(SqlFailure::InvalidQuery("the statement is empty (only `;`)".into()));
    }

    let keyword = first_word(body);
    if !READ_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&keyword)) {
        return Err(SqlFailure::Denied(format!(
            "the store's database connection is read-only: only SELECT, WITH, VALUES or TABLE \
             statements may run, not `{}`",
            if keyword.is_empty() { "(no keyword)".to_string() } else { keyword.to_ascii_uppercase() }
        )));
    }
    let words: Vec<&str> = words(body).collect();
    if words.iter().any(|w| w.eq_ignore_ascii_case("INTO")) {
        return Err(SqlFailure::Denied(
            "the store's database connection is read-only: `INTO` (SELECT INTO a table, a \
             variable, OUTFILE or DUMPFILE) writes somewhere; return the rows instead"
                .into(),
        ));
    }
    if let Some(lock) = row_lock(&words) {
        return Err(SqlFailure::Denied(format!(
            "the store's database connection is read-only: `{lock}` locks rows and would block \
             the store's own writes; remove the locking clause"
        )));
    }
    Ok(Read { text: &statement[..end], keyword: keyword.to_ascii_uppercase(), limited: top_level_limit(body) })
}

/// Whether the statement ends in its own `LIMIT` or `FETCH` clause: one
/// outside every parenthesis.
fn top_level_limit(code: &[u8]) -> bool {
    let mut depth = 0i32;
    let mut top = Vec::with_capacity(code.len());
    for &b in code {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ => {}
        }
        top.push(if depth == 0 && b != b')' { b } else { b' ' });
    }
    words(&top).any(|w| w.eq_ignore_ascii_case("LIMIT") || w.eq_ignore_ascii_case("FETCH"))
}

/// A statement that passed [`check`].
#[derive(Debug)]
pub(crate) struct Read<'a> {
    /// The statement without its trailing `;`.
    pub text: &'a str,
    /// Its first keyword, upper case: one of [`READ_KEYWORDS`].
    pub keyword: String,
    /// Whether it has a `LIMIT` or `FETCH` clause of its own at the top.
    pub limited: bool,
}

/// The first row-locking clause in `words`, in every spelling the two
/// dialects accept: `FOR UPDATE`, `FOR NO KEY UPDATE`, `FOR SHARE`,
/// `FOR KEY SHARE` and MySQL's `LOCK IN SHARE MODE`.
fn row_lock(words: &[&str]) -> Option<String> {
    words.windows(2).find_map(|pair| {
        let (first, second) = (pair[0], pair[1]);
        let is = |w: &str, k: &str| w.eq_ignore_ascii_case(k);
        let locks = (is(first, "FOR") && ["UPDATE", "SHARE", "NO", "KEY"].iter().any(|k| is(second, k))) || (is(first, "LOCK") && is(second, "IN"));
        locks.then(|| format!("{} {} ...", first.to_ascii_uppercase(), second.to_ascii_uppercase()))
    })
}

/// The statement's bytes with every literal, quoted identifier and comment
/// blanked to spaces, so offsets match the original text. Fails on an
/// unterminated literal or comment, and on MySQL executable comments
/// (`/*! ... */`), whose content the server runs as code.
fn code_mask(sql: &str, dialect: Dialect) -> Result<Vec<u8>, SqlFailure> {
    let bytes = sql.as_bytes();
    let mut code = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let end = match bytes[i] {
            b'\'' => {
                let backslash = match dialect {
                    Dialect::MySql => true,
                    Dialect::Postgres => is_escape_string_prefix(bytes, i),
                };
                quoted_end(bytes, i, b'\'', backslash).ok_or_else(|| unterminated("string literal"))?
            }
            b'"' => {
                let backslash = dialect == Dialect::MySql;
                quoted_end(bytes, i, b'"', backslash).ok_or_else(|| unterminated("quoted name"))?
            }
            b'`' if dialect == Dialect::MySql => quoted_end(bytes, i, b'`', false).ok_or_else(|| unterminated("quoted name"))?,
            b'-' if bytes.get(i + 1) == Some(&b'-') && line_comment_dash(bytes, i, dialect) => line_end(bytes, i, dialect),
            b'#' if dialect == Dialect::MySql => line_end(bytes, i, dialect),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                if dialect == Dialect::MySql && (bytes.get(i + 2) == Some(&b'!') || (bytes.get(i + 2) == Some(&b'M') && bytes.get(i + 3) == Some(&b'!'))) {
                    return Err(SqlFailure::InvalidQuery(
                        "MySQL executable comments (`/*! ... */`) are not accepted; write the \
                         SQL without them"
                            .into(),
                    ));
                }
                block_comment_end(bytes, i, dialect == Dialect::Postgres).ok_or_else(|| unterminated("comment"))?
            }
            b'$' if dialect == Dialect::Postgres => match dollar_quote_end(bytes, i) {
                Some(end) => end.ok_or_else(|| unterminated("dollar-quoted string"))?,
                None => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        code[start..end].fill(b' ');
        i = end;
    }
    Ok(code)
}

fn unterminated(what: &str) -> SqlFailure {
    SqlFailure::InvalidQuery(format!("the statement has an unterminated {what}"))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// PostgreSQL `E'...'` strings treat backslashes as escapes.
fn is_escape_string_prefix(bytes: &[u8], quote: usize) -> bool {
    quote >= 1 && matches!(bytes[quote - 1], b'e' | b'E') && (quote == 1 || !is_ident_byte(bytes[quote - 2]))
}

/// End (exclusive) of a literal opened by `quote` at `start`; a doubled
/// quote is an escaped quote, and so is a backslash-escaped one when
/// `backslash` is set.
fn quoted_end(bytes: &[u8], start: usize, quote: u8, backslash: bool) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if backslash => i += 2,
            b if b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// MySQL needs whitespace (or the end) after `--` for a comment; `1--1` is
/// arithmetic there.
fn line_comment_dash(bytes: &[u8], i: usize, dialect: Dialect) -> bool {
    match dialect {
        Dialect::Postgres => true,
        Dialect::MySql => bytes.get(i + 2).is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_control()),
    }
}

/// Where a line comment ends. PostgreSQL's scanner ends it at `\r` as well
/// as `\n`; treating `\r` as part of the comment would hide the code after
/// it from this check while the server runs it.
fn line_end(bytes: &[u8], start: usize, dialect: Dialect) -> usize {
    let ends = |b: u8| b == b'\n' || (dialect == Dialect::Postgres && b == b'\r');
    bytes[start..].iter().position(|&b| ends(b)).map_or(bytes.len(), |n| start + n + 1)
}

/// PostgreSQL block comments nest; MySQL's do not.
fn block_comment_end(bytes: &[u8], start: usize, nested: bool) -> Option<usize> {
    let mut depth = 1;
    let mut i = start + 2;
    while i + 1 < bytes.len() {
        if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else if nested && bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// `$tag$ ... $tag$` in PostgreSQL. `None` when the `$` at `start` does not
/// open a dollar quote (a `$1` parameter, or part of a name); `Some(None)`
/// when it does but never closes.
fn dollar_quote_end(bytes: &[u8], start: usize) -> Option<Option<usize>> {
    if start > 0 && is_ident_byte(bytes[start - 1]) {
        return None;
    }
    let mut j = start + 1;
    if bytes.get(j).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    while j < bytes.len() && bytes[j] != b'$' {
        if !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] >= 0x80) {
            return None;
        }
        j += 1;
    }
    if j >= bytes.len() {
        return None;
    }
    let tag = &bytes[start..=j];
    let body = j + 1;
    Some(bytes[body..].windows(tag.len()).position(|w| w == tag).map(|n| body + n + tag.len()))
}

/// The first keyword of the code, skipping leading parentheses.
fn first_word(code: &[u8]) -> String {
    let rest: Vec<u8> =
        code.iter().copied().skip_while(|b| b.is_ascii_whitespace() || *b == b'(').take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').collect();
    String::from_utf8_lossy(&rest).into_owned()
}

fn words(code: &[u8]) -> impl Iterator<Item = &str> {
    code.split(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).filter(|w| !w.is_empty()).filter_map(|w| std::str::from_utf8(w).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(sql: &str) -> Result<&str, SqlFailure> {
        check(sql, Dialect::Postgres).map(|read| read.text)
    }

    fn my(sql: &str) -> Result<&str, SqlFailure> {
        check(sql, Dialect::MySql).map(|read| read.text)
    }

    fn invalid(result: Result<&str, SqlFailure>) -> bool {
        matches!(result, Err(SqlFailure::InvalidQuery(_)))
    }

    fn denied(result: Result<&str, SqlFailure>) -> bool {
        matches!(result, Err(SqlFailure::Denied(_)))
    }

    #[test]
    fn one_read_statement_passes_and_loses_its_trailing_semicolon() {
        assert_eq!(pg("SELECT 1;").unwrap(), "SELECT 1");
        assert_eq!(pg("  select 1 ;  -- done\n").unwrap(), "  select 1 ");
        for sql in ["WITH a AS (SELECT 1) SELECT * FROM a", "(SELECT 1) UNION (SELECT 2)", "/* why */ VALUES (1)", "TABLE products"] {
            assert_eq!(pg(sql).unwrap(), sql);
        }
        assert_eq!(my("select 1 # comment").unwrap(), "select 1 # comment");
    }

    #[test]
    fn semicolons_inside_literals_names_and_comments_are_not_separators() {
        assert!(pg("SELECT ';', \"a;b\" FROM t -- x; y\n").is_ok());
        assert!(pg("SELECT $$;$$, $tag$ ; $ $tag$, $1").is_ok());
        assert!(pg("SELECT /* a /* nested; */ still; */ 1").is_ok());
        assert!(pg(r"SELECT E'it\'s; fine'").is_ok());
        assert!(my(r"SELECT 'it\'s; fine', `a;b`, 'x'';y'").is_ok());
        assert!(my("SELECT \"a;b\" /* c; */").is_ok());
    }

    #[test]
    fn a_second_statement_is_refused() {
        assert!(invalid(pg("SELECT 1; SELECT 2")));
        assert!(invalid(pg("SELECT 1;;")));
        assert!(invalid(pg("SELECT 'a'; DROP TABLE t")));
        // In PostgreSQL a backslash does not escape a plain string.
        assert!(invalid(pg(r"SELECT 'a\'; DROP TABLE t; --'")));
        // In MySQL `--` needs a following space to start a comment.
        assert!(invalid(my("SELECT 1--1; DROP TABLE t")));
        assert!(invalid(my("SELECT 1 /* ok */; DELETE FROM t")));
    }

    #[test]
    fn writes_and_session_changes_are_refused_by_keyword() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "update t set a = 1",
            "DELETE FROM t",
            "CREATE TABLE x (a int)",
            "drop table t",
            "SET statement_timeout = 0",
            "COPY t TO '/tmp/x'",
            "CALL p()",
        ] {
            assert!(denied(pg(sql)), "{sql}");
            assert!(denied(my(sql)), "{sql}");
        }
        assert!(denied(my("SELECT * FROM t INTO OUTFILE '/tmp/x'")));
        assert!(denied(my("select 1 into dumpfile '/tmp/x'")));
        assert!(denied(my("SELECT 1 INTO @planted")));
        assert!(denied(pg("SELECT * INTO stolen FROM t")));
        // A name that merely contains the word is fine.
        assert!(my("SELECT outfile_path, into_x FROM t").is_ok());
    }

    #[test]
    fn row_locks_are_refused_in_every_spelling() {
        for sql in [
            "SELECT * FROM t FOR UPDATE",
            "SELECT * FROM t for share",
            "SELECT * FROM t FOR NO KEY UPDATE",
            "SELECT * FROM t FOR KEY SHARE",
            "SELECT * FROM t FOR/**/UPDATE SKIP LOCKED",
            "SELECT * FROM (SELECT * FROM t FOR SHARE) q",
        ] {
            assert!(denied(pg(sql)), "{sql}");
            assert!(denied(my(sql)), "{sql}");
        }
        assert!(denied(my("SELECT * FROM t LOCK IN SHARE MODE")));
        assert!(denied(my("SELECT * FROM t LOCK\tIN SHARE MODE")));
        // `FOR` elsewhere is not a lock.
        assert!(pg("SELECT substring(title FROM 1 FOR 3) FROM t").is_ok());
        assert!(pg("SELECT 'for update' AS \"FOR SHARE\" FROM t").is_ok());
    }

    #[test]
    fn a_top_level_limit_is_told_from_one_in_parentheses() {
        let limited = |sql: &str| check(sql, Dialect::MySql).map(|r| r.limited).ok();
        assert_eq!(limited("WITH a AS (SELECT 1 LIMIT 1) SELECT * FROM a"), Some(false));
        assert_eq!(limited("WITH a AS (SELECT 1) SELECT * FROM a ORDER BY 1 LIMIT 2"), Some(true));
        assert_eq!(limited("SELECT 'LIMIT' AS `limit` FROM t"), Some(false));
    }

    #[test]
    fn a_carriage_return_ends_a_postgres_line_comment() {
        // PostgreSQL reads `DO ...` here as code; so must the check.
        assert!(invalid(pg("SELECT 1 --\r; DO $$ BEGIN DELETE FROM t; END $$")));
        assert!(denied(pg("--\rCOPY t TO PROGRAM 'id' --\nSELECT 1")));
        assert!(pg("SELECT 1 -- done\r\n").is_ok());
    }

    #[test]
    fn empty_unterminated_and_executable_comment_statements_are_invalid() {
        assert!(invalid(pg("")));
        assert!(invalid(pg("  -- nothing\n")));
        assert!(invalid(pg(";")));
        assert!(invalid(pg("SELECT 'open")));
        assert!(invalid(pg("SELECT $$open")));
        assert!(invalid(pg("SELECT /* /* */ 1")));
        assert!(invalid(my("SELECT `open")));
        assert!(invalid(my("SELECT 1 /*!50000 ; DROP TABLE t */")));
        assert!(invalid(my("SELECT 1 /*M! ; DROP TABLE t */")));
    }
}
