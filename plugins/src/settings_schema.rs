//! The `settings-schema` a plugin describes: checked at load to be JSON and
//! a well-formed JSON Schema (the keywords' shapes, as the meta-schema has
//! them), and used when a store binds the plugin to check the store's
//! settings against the parts of it the host understands. Errors name the
//! place as a JSON pointer.

use serde_json::Value;

const TYPE_NAMES: &[&str] = &["null", "boolean", "object", "array", "number", "string", "integer"];

/// Fails with what is wrong and where, unless `text` is a JSON Schema.
pub fn check_schema(text: &str) -> Result<(), String> {
    let schema: Value = serde_json::from_str(text).map_err(|e| format!("it is not JSON ({e})"))?;
    check_subschema(&schema, "")
}

fn check_subschema(schema: &Value, at: &str) -> Result<(), String> {
    let object = match schema {
        Value::Bool(_) => return Ok(()),
        Value::Object(object) => object,
        other => return Err(format!("{}: a schema is an object or a boolean, not {}", pointer(at), kind(other))),
    };
    for (keyword, value) in object {
        let here = format!("{at}/{}", keyword.replace('~', "~0").replace('/', "~1"));
        let wrong = |expected: &str| Err(format!("{}: `{keyword}` must be {expected}, not {}", pointer(&here), kind(value)));
        match keyword.as_str() {
            "type" => match value {
                Value::String(name) if TYPE_NAMES.contains(&name.as_str()) => {}
                Value::Array(names) if !names.is_empty() && names.iter().all(|n| n.as_str().is_some_and(|n| TYPE_NAMES.contains(&n))) => {}
                _ => return Err(format!("{}: `type` must be one of {} or a list of them", pointer(&here), TYPE_NAMES.join(", "))),
            },
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => match value {
                Value::Object(members) => {
                    for (name, member) in members {
                        check_subschema(member, &format!("{here}/{}", name.replace('~', "~0").replace('/', "~1")))?;
                    }
                }
                _ => return wrong("an object of schemas"),
            },
            "additionalProperties"
            | "additionalItems"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems" => check_subschema(value, &here)?,
            "items" => match value {
                Value::Array(items) => check_all(items, &here)?,
                other => check_subschema(other, &here)?,
            },
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => match value {
                Value::Array(items) if !items.is_empty() => check_all(items, &here)?,
                _ => return wrong("a non-empty list of schemas"),
            },
            "required" => match value {
                Value::Array(names) if names.iter().all(Value::is_string) => {
                    let mut seen = std::collections::BTreeSet::new();
                    if let Some(twice) = names.iter().filter_map(Value::as_str).find(|n| !seen.insert(*n)) {
                        return Err(format!("{}: `required` lists `{twice}` twice", pointer(&here)));
                    }
                }
                _ => return wrong("a list of property names"),
            },
            "enum" if !value.is_array() => return wrong("a list"),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" | "minContains" | "maxContains" if !value.is_u64() => {
                return wrong("a non-negative integer");
            }
            "minimum" | "maximum" if !value.is_number() => return wrong("a number"),
            "exclusiveMinimum" | "exclusiveMaximum" if !(value.is_number() || value.is_boolean()) => return wrong("a number"),
            "multipleOf" if !value.as_f64().is_some_and(|n| n > 0.0) => return wrong("a number above 0"),
            "title" | "description" | "pattern" | "format" | "$id" | "$schema" | "$ref" | "$comment" if !value.is_string() => return wrong("a string"),
            "uniqueItems" | "readOnly" | "writeOnly" | "deprecated" if !value.is_boolean() => return wrong("true or false"),
            _ => {}
        }
    }
    Ok(())
}

fn check_all(schemas: &[Value], at: &str) -> Result<(), String> {
    schemas.iter().enumerate().try_for_each(|(i, schema)| check_subschema(schema, &format!("{at}/{i}")))
}

/// Checks a store's settings against the schema's `type`, `required`,
/// `properties`, `additionalProperties: false`, `items` and `enum`; other
/// keywords are left to the plugin. The error names the failing setting.
pub fn check_settings(schema_text: &str, settings: &Value) -> Result<(), String> {
    let schema: Value = serde_json::from_str(schema_text).map_err(|e| format!("the plugin's settings-schema is not JSON ({e})"))?;
    check_value(&schema, settings, "")
}

fn check_value(schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let object = match schema {
        Value::Bool(false) => return Err(format!("{}: no value is allowed here", pointer(at))),
        Value::Object(object) => object,
        _ => return Ok(()),
    };
    if let Some(expected) = object.get("type") {
        let names: Vec<&str> = match expected {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !names.is_empty() && !names.iter().any(|name| has_type(value, name)) {
            return Err(format!("{}: expected {}, found {}", pointer(at), names.join(" or "), kind(value)));
        }
    }
    if let Some(Value::Array(allowed)) = object.get("enum")
        && !allowed.contains(value)
    {
        return Err(format!("{}: {value} is not one of {}", pointer(at), Value::Array(allowed.clone())));
    }
    if let Value::Object(members) = value {
        if let Some(Value::Array(required)) = object.get("required")
            && let Some(missing) = required.iter().filter_map(Value::as_str).find(|name| !members.contains_key(*name))
        {
            return Err(format!("{}: the setting `{missing}` is required", pointer(at)));
        }
        let properties = object.get("properties").and_then(Value::as_object);
        for (name, member) in members {
            let here = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
            match properties.and_then(|p| p.get(name)) {
                Some(property) => check_value(property, member, &here)?,
                None if object.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(format!("{}: the plugin does not know the setting `{name}`", pointer(&here)));
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, object.get("items"))
        && item_schema.is_object()
    {
        for (i, item) in items.iter().enumerate() {
            check_value(item_schema, item, &format!("{at}/{i}"))?;
        }
    }
    Ok(())
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0),
        _ => true,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn pointer(at: &str) -> String {
    if at.is_empty() { "(the top level)".into() } else { format!("`{at}`") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ill_formed_schemas_are_named_with_their_place() {
        assert!(check_schema("{}").is_ok());
        assert!(check_schema(r#"{"type":"object","required":["base_url"],"properties":{"base_url":{"type":"string","format":"uri"}}}"#).is_ok());
        for (bad, why) in [
            ("not json", "not JSON"),
            ("[1, 2]", "(the top level): a schema is an object or a boolean, not a list"),
            (r#"{"type":"text"}"#, "`/type`: `type` must be one of"),
            (r#"{"properties":{"a":{"type":"strnig"}}}"#, "`/properties/a/type`"),
            (r#"{"required":"base_url"}"#, "`/required`: `required` must be a list of property names"),
            (r#"{"required":["a","a"]}"#, "lists `a` twice"),
            (r#"{"properties":{"n":{"minLength":-1}}}"#, "`/properties/n/minLength`"),
            (r#"{"anyOf":[]}"#, "non-empty list"),
            (r#"{"items":[{"type":1}]}"#, "`/items/0/type`"),
        ] {
            let error = check_schema(bad).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn settings_are_checked_against_the_schema() {
        let schema = r#"{"type":"object","required":["base_url"],"additionalProperties":false,
            "properties":{"base_url":{"type":"string"},"page_size":{"type":"integer"},"mode":{"enum":["rest","graphql"]},"tags":{"type":"array","items":{"type":"string"}}}}"#;
        assert!(check_settings(schema, &serde_json::json!({"base_url": "https://x", "page_size": 50, "mode": "rest"})).is_ok());
        for (settings, why) in [
            (serde_json::json!({}), "the setting `base_url` is required"),
            (serde_json::json!({"base_url": 1}), "`/base_url`: expected string, found a number"),
            (serde_json::json!({"base_url": "x", "page_size": 1.5}), "`/page_size`: expected integer"),
            (serde_json::json!({"base_url": "x", "mode": "soap"}), "`/mode`: \"soap\" is not one of"),
            (serde_json::json!({"base_url": "x", "tags": ["a", 2]}), "`/tags/1`: expected string"),
            (serde_json::json!({"base_url": "x", "base_ulr": "y"}), "`/base_ulr`: the plugin does not know the setting `base_ulr`"),
        ] {
            let error = check_settings(schema, &settings).unwrap_err();
            assert!(error.contains(why), "{settings}: {error}");
        }
    }
}
