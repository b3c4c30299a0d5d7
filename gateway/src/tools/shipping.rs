//! `get_shipping`: the store's shipping options from its `[shipping]`
//! table, so the assistant can state shipping costs and times that a tool
//! result backs (the grounding check accepts no others).

use serde_json::{Value, json};

use crate::config::{DaySpan, ShippingConfig, ShippingZone};
use crate::llm::ToolDef;

pub const GET_SHIPPING: &str = "get_shipping";

pub fn definition() -> ToolDef {
    ToolDef {
        name: GET_SHIPPING.into(),
        description: "The store's shipping options: cost per zone, the order amount from which shipping is free, dispatch and delivery times in working days. Call this before saying anything about shipping cost or delivery time.".into(),
        parameters: json!({
            "type": "object",
            "properties": {
                "country": {"type": "string", "description": "Only the zone for this country: an ISO code like ES, or the country's or zone's name"}
            },
            "additionalProperties": false
        }),
    }
}

/// Runs `get_shipping` on parsed arguments. A store without a table gets
/// an error the model can pass on; a country no zone covers gets every
/// zone, with a note saying so.
pub fn run(shipping: Option<&ShippingConfig>, currency: &str, args: &Value) -> Result<Value, String> {
    let shipping =
        shipping.ok_or("this store has not published shipping rates; say you cannot confirm shipping costs or times and offer a person from the team")?;
    let country = args.get("country").and_then(Value::as_str).map(str::trim).filter(|c| !c.is_empty());
    let matching: Vec<&ShippingZone> = match country {
        Some(c) => shipping.zones.iter().filter(|z| zone_covers(z, c)).collect(),
        None => shipping.zones.iter().collect(),
    };
    let (zones, note) = match (country, matching.is_empty()) {
        (Some(c), true) => (shipping.zones.iter().collect(), Some(format!("no zone covers `{c}`; these are all the zones the store ships to"))),
        _ => (matching, None),
    };
    let mut answer = json!({
        "currency": currency,
        "dispatch_days": shipping.dispatch_days.map(span),
        "zones": zones.iter().map(|z| json!({
            "name": z.name,
            "countries": z.countries,
            "cost": amount(z.cost),
            "free_over": z.free_over.map(amount),
            "delivery_days": span(z.delivery_days),
        })).collect::<Vec<_>>(),
    });
    if !shipping.notes.is_empty() {
        answer["notes"] = Value::String(shipping.notes.clone());
    }
    if let Some(note) = note {
        answer["note"] = Value::String(note);
    }
    Ok(answer)
}

fn zone_covers(zone: &ShippingZone, country: &str) -> bool {
    let fold = crate::classify::fold;
    zone.countries.iter().any(|c| c.eq_ignore_ascii_case(country)) || fold(&zone.name).contains(&fold(country))
}

/// Amounts as the catalog writes prices: "4.95".
fn amount(value: f64) -> String {
    format!("{value:.2}")
}

fn span(days: DaySpan) -> Value {
    json!({"min": days.min, "max": days.max})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ShippingConfig {
        crate::demo::shipping()
    }

    #[test]
    fn claims_shipping_tool_filters_by_country() {
        let all = run(Some(&table()), "EUR", &json!({})).expect("answers");
        assert!(all["zones"].as_array().expect("zones").len() >= 2);
        let spain = run(Some(&table()), "EUR", &json!({"country": "es"})).expect("answers");
        let zones = spain["zones"].as_array().expect("zones");
        assert_eq!(zones.len(), 1);
        assert_eq!(zones[0]["free_over"], "50.00");
        assert_eq!(spain["dispatch_days"]["max"], 2);
        let nowhere = run(Some(&table()), "EUR", &json!({"country": "Atlantis"})).expect("answers");
        assert!(nowhere["note"].as_str().expect("note").contains("Atlantis"));
        let err = run(None, "EUR", &json!({})).expect_err("no table");
        assert!(err.contains("cannot confirm"));
    }
}
