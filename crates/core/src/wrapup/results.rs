//! The result chips: the portal's list from `BX24.appOption` (ru/en defaults when it has
//! none), cleaned and capped, and the settings text it is edited as.

use serde_json::Value;

use super::MAX_LABEL;
use super::MAX_RESULTS;
use crate::i18n::{Lang, Text, tr};

/// One result chip: a stable id (`data-result`) and what the operator reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultChoice {
    pub id: String,
    pub label: String,
}

const DEFAULTS: [(&str, Text); 5] = [
    ("reached", Text::ResultReached),
    ("no-answer", Text::ResultNoAnswer),
    ("call-back", Text::ResultCallBack),
    ("not-interested", Text::ResultNotInterested),
    ("wrong-number", Text::ResultWrongNumber),
];

/// The default results in the operator's language (the texts are in [`crate::i18n`]).
pub fn default_results(lang: Lang) -> Vec<ResultChoice> {
    DEFAULTS
        .iter()
        .map(|(id, label)| ResultChoice {
            id: (*id).to_string(),
            label: tr(lang, *label).to_string(),
        })
        .collect()
}

/// A label as kept: one line, trimmed, at most [`MAX_LABEL`] characters.
pub(super) fn clean_label(s: &str) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_LABEL)
        .collect()
}

/// The results from the app option: a JSON list of labels (`["Reached", …]`) or of
/// `{"id", "label"}` objects. Anything unreadable or empty gives the defaults; bad entries are
/// skipped, repeats dropped, at most [`MAX_RESULTS`].
pub fn results_from_option(raw: Option<&str>, lang: Lang) -> Vec<ResultChoice> {
    let parsed = raw
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    let mut out: Vec<ResultChoice> = Vec::new();
    for (i, v) in parsed.iter().enumerate() {
        let (id, label) = match v {
            Value::String(s) => (None, clean_label(s)),
            Value::Object(m) => (
                m.get("id").and_then(Value::as_str).map(clean_id),
                clean_label(m.get("label").and_then(Value::as_str).unwrap_or("")),
            ),
            _ => continue,
        };
        if label.is_empty() || out.iter().any(|r| r.label == label) {
            continue;
        }
        let id = id
            .filter(|id| !id.is_empty() && !out.iter().any(|r| &r.id == id))
            .unwrap_or_else(|| format!("r{}", i + 1));
        out.push(ResultChoice { id, label });
        if out.len() == MAX_RESULTS {
            break;
        }
    }
    if out.is_empty() {
        default_results(lang)
    } else {
        out
    }
}

pub(super) fn clean_id(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(32)
        .collect()
}

/// The install page's text (one result a line) → the app option's value. An empty text gives
/// `None`: the option is cleared and the defaults apply.
pub fn results_option_from_text(text: &str) -> Option<String> {
    let labels: Vec<String> = text
        .lines()
        .map(clean_label)
        .filter(|l| !l.is_empty())
        .fold(Vec::new(), |mut acc, l| {
            if !acc.contains(&l) && acc.len() < MAX_RESULTS {
                acc.push(l);
            }
            acc
        });
    (!labels.is_empty()).then(|| Value::from(labels).to_string())
}

/// The install page's text for a result list (one a line).
pub fn results_text(results: &[ResultChoice]) -> String {
    results
        .iter()
        .map(|r| r.label.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::i18n::Lang;

    use serde_json::{Value, json};

    #[test]
    fn results_from_the_app_option() {
        let en = default_results(Lang::En);
        assert_eq!(
            en.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            [
                "reached",
                "no-answer",
                "call-back",
                "not-interested",
                "wrong-number"
            ]
        );
        assert_eq!(default_results(Lang::Ru)[0].label, "Дозвонились");
        assert_eq!(results_from_option(None, Lang::En), en);
        assert_eq!(results_from_option(Some("not json"), Lang::En), en);
        assert_eq!(
            results_from_option(Some("[]"), Lang::Ru),
            default_results(Lang::Ru)
        );
        assert_eq!(results_from_option(Some("{\"a\":1}"), Lang::En), en);
        let custom = results_from_option(
            Some(
                r#"["Sold", 5, "", "  Demo\nbooked ", "Sold", {"id":"vip","label":"VIP"}, {"label":""}]"#,
            ),
            Lang::En,
        );
        assert_eq!(
            custom,
            vec![
                ResultChoice {
                    id: "r1".into(),
                    label: "Sold".into()
                },
                ResultChoice {
                    id: "r4".into(),
                    label: "Demo booked".into()
                },
                ResultChoice {
                    id: "vip".into(),
                    label: "VIP".into()
                },
            ]
        );
        let many: Vec<String> = (0..30).map(|i| format!("R{i}")).collect();
        assert_eq!(
            results_from_option(Some(&Value::from(many).to_string()), Lang::En).len(),
            MAX_RESULTS
        );
        let long = "x".repeat(100);
        assert_eq!(
            results_from_option(Some(&json!([long]).to_string()), Lang::En)[0]
                .label
                .len(),
            MAX_LABEL
        );
        // The install page's text round trip.
        let opt = results_option_from_text("Sold\n\n  Demo booked \nSold\n").unwrap();
        assert_eq!(opt, r#"["Sold","Demo booked"]"#);
        assert_eq!(
            results_text(&results_from_option(Some(&opt), Lang::En)),
            "Sold\nDemo booked"
        );
        assert_eq!(results_option_from_text(" \n "), None);
    }
}
