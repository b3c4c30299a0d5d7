//! Shopify's search syntax for the `query:` argument, the subset connectors
//! use: `field:value`, comparators (`updated_at:>'2025-01-01T00:00:00Z'`),
//! quoted values (`sku:"NW-1 A"`, with `\"` and `\\` escapes), implicit AND
//! between terms and `OR` between groups. A bare word is free text (title).
//! See shopify.dev/docs/api/usage/search-syntax.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Equals,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Empty for free text.
    pub field: String,
    pub comparator: Comparator,
    pub value: String,
}

/// Groups joined by OR; the terms of one group joined by AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub groups: Vec<Vec<Term>>,
}

impl Search {
    /// True when some group has every term matched by `matches`.
    pub fn matches(&self, mut matches: impl FnMut(&Term) -> bool) -> bool {
        self.groups.is_empty() || self.groups.iter().any(|group| group.iter().all(&mut matches))
    }
}

/// Splits on unquoted whitespace, keeping quotes (and their escapes) intact.
fn tokens(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = query.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn unquote(value: &str) -> String {
    let quoted = value.len() >= 2 && ((value.starts_with('"') && value.ends_with('"')) || (value.starts_with('\'') && value.ends_with('\'')));
    if !quoted {
        return value.to_owned();
    }
    let mut out = String::new();
    let mut chars = value[1..value.len() - 1].chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn term(token: &str) -> Term {
    let Some((field, rest)) = token.split_once(':').filter(|(f, _)| !f.is_empty() && !f.starts_with(['"', '\''])) else {
        return Term { field: String::new(), comparator: Comparator::Equals, value: unquote(token) };
    };
    let (comparator, value) = if let Some(v) = rest.strip_prefix(">=") {
        (Comparator::GreaterOrEqual, v)
    } else if let Some(v) = rest.strip_prefix("<=") {
        (Comparator::LessOrEqual, v)
    } else if let Some(v) = rest.strip_prefix('>') {
        (Comparator::Greater, v)
    } else if let Some(v) = rest.strip_prefix('<') {
        (Comparator::Less, v)
    } else {
        (Comparator::Equals, rest)
    };
    Term { field: field.to_ascii_lowercase(), comparator, value: unquote(value) }
}

pub fn parse(query: &str) -> Search {
    let mut groups = vec![Vec::new()];
    for token in tokens(query) {
        match token.as_str() {
            "OR" => groups.push(Vec::new()),
            "AND" => {}
            _ => groups.last_mut().expect("there is always a group").push(term(&token)),
        }
    }
    groups.retain(|g| !g.is_empty());
    Search { groups }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_comparators_quotes_and_or() {
        let s = parse(r#"updated_at:>'2025-01-01T00:00:00Z' status:active OR sku:"NW \"1\" A" #1001"#);
        assert_eq!(s.groups.len(), 2);
        assert_eq!(s.groups[0][0], Term { field: "updated_at".into(), comparator: Comparator::Greater, value: "2025-01-01T00:00:00Z".into() });
        assert_eq!(s.groups[0][1].value, "active");
        assert_eq!(s.groups[1][0].value, "NW \"1\" A");
        assert_eq!(s.groups[1][1], Term { field: String::new(), comparator: Comparator::Equals, value: "#1001".into() });
    }
}
