//! The JSON paths a store's field mapping is written in: dot-separated keys,
//! array indices and `[*]` for every element (`variants[*].sku`,
//! `price.amount`, `images[0].src`). Parsed once when the settings are
//! read, so a typo is a settings error that names the setting, not a silent
//! empty field on every product.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
    Every,
}

/// A parsed path. The empty path (`""` or `"."`) is the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses `a.b[0].c[*]`. Keys are anything but `.`, `[` and `]`.
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let trimmed = text.trim();
        let mut steps = Vec::new();
        if trimmed.is_empty() || trimmed == "." {
            return Ok(JsonPath { text: trimmed.into(), steps });
        }
        for segment in trimmed.split('.') {
            let (key, mut brackets) = match segment.find('[') {
                Some(at) => (&segment[..at], &segment[at..]),
                None => (segment, ""),
            };
            if key.contains(']') || (key.is_empty() && brackets.is_empty()) {
                return Err(format!(
                    "`{text}` is not a JSON path: empty or malformed key in `{segment}` (write keys like `price.amount` or `variants[*].sku`)"
                ));
            }
            if !key.is_empty() {
                steps.push(Step::Key(key.to_owned()));
            }
            while !brackets.is_empty() {
                let close = brackets.find(']').ok_or_else(|| format!("`{text}` is not a JSON path: `[` without `]` in `{segment}`"))?;
                let inside = brackets[1..close].trim();
                steps.push(match inside {
                    "*" => Step::Every,
                    index => Step::Index(index.parse().map_err(|_| format!("`{text}` is not a JSON path: `[{index}]` is neither `[*]` nor an array index"))?),
                });
                brackets = &brackets[close + 1..];
                if !brackets.is_empty() && !brackets.starts_with('[') {
                    return Err(format!("`{text}` is not a JSON path: `{brackets}` after `]` (a key needs a `.` before it)"));
                }
            }
        }
        Ok(JsonPath { text: trimmed.into(), steps })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path can yield several values.
    pub fn is_multi(&self) -> bool {
        self.steps.contains(&Step::Every)
    }

    /// Every value the path reaches; missing keys and `null`s reach nothing.
    pub fn all<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![value];
        for step in &self.steps {
            let mut next = Vec::with_capacity(current.len());
            for value in current {
                match (step, value) {
                    (Step::Key(key), Value::Object(map)) => next.extend(map.get(key)),
                    (Step::Index(i), Value::Array(items)) => next.extend(items.get(*i)),
                    (Step::Every, Value::Array(items)) => next.extend(items),
                    _ => {}
                }
            }
            current = next;
        }
        current.retain(|v| !v.is_null());
        current
    }

    /// The first value the path reaches.
    pub fn first<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        self.all(value).into_iter().next()
    }
}

/// A scalar as text: strings as they are, numbers and booleans printed;
/// empty strings, arrays and objects are no text.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> JsonPath {
        JsonPath::parse(text).unwrap()
    }

    #[test]
    fn paths_reach_nested_keys_indices_and_every_element() {
        let doc = json!({
            "price": {"amount": "19.90"},
            "variants": [{"sku": "A", "opts": [{"v": 1}]}, {"sku": null}, {"sku": "C", "opts": []}],
            "images": [{"src": "x"}, {"src": "y"}],
            "weird key": 3
        });
        assert_eq!(path("price.amount").first(&doc), Some(&json!("19.90")));
        assert_eq!(path("variants[*].sku").all(&doc), vec![&json!("A"), &json!("C")]);
        assert_eq!(path("images[1].src").first(&doc), Some(&json!("y")));
        assert_eq!(path("variants[0].opts[0].v").first(&doc), Some(&json!(1)));
        assert_eq!(path("weird key").first(&doc), Some(&json!(3)));
        assert_eq!(path("").first(&doc), Some(&doc));
        assert!(path("price.missing").first(&doc).is_none());
        assert!(path("price[0]").first(&doc).is_none(), "an index into an object reaches nothing");
        assert!(path("variants[*].sku").is_multi() && !path("price.amount").is_multi());
        let list = json!([[1, 2], [3]]);
        assert_eq!(path("[*][*]").all(&list).len(), 3);
    }

    #[test]
    fn malformed_paths_are_refused_with_the_path_named() {
        for bad in ["a..b", "a[", "a[x]", "a]b", "a[0]b", ".a"] {
            let error = JsonPath::parse(bad).unwrap_err();
            assert!(error.contains(bad), "{bad}: {error}");
        }
    }

    #[test]
    fn scalars_become_text() {
        assert_eq!(text(&json!(" x ")), Some("x".into()));
        assert_eq!(text(&json!(17)), Some("17".into()));
        assert_eq!(text(&json!("")), None);
        assert_eq!(text(&json!({"a": 1})), None);
    }
}
