//! The demo portal's `crm.duplicate.findbycomm` (issue 11): who in the demo CRM has a phone
//! number or an e-mail address.
//!
//! As the portal documents `crm.duplicate.findbycomm`: `type` is `PHONE` or `EMAIL`, `values` at most 20,
//! `entity_type` (`LEAD`, `CONTACT`, `COMPANY`) optional. The answer is
//! `{LEAD: [ids], CONTACT: [ids], COMPANY: [ids]}` with only the types that matched, or `[]`
//! (PHP's empty map) when nothing did. A type with 20 matches ends the search: the types after
//! it are not returned. Phone numbers are compared by their digits, a Russian trunk `8` read as
//! `7`, extensions ignored.

use serde_json::{Map, Value};

use crate::answer::{Fault, Reply, arg, values_of};
use crate::crm::Crm;
use callcard_core::model::entity::EntityKind;

/// The most values one call may ask about, and the most ids one type answers.
const LIMIT: usize = 20;

/// The order the portal searches (and answers) the types in.
const KINDS: [EntityKind; 3] = [EntityKind::Lead, EntityKind::Contact, EntityKind::Company];

fn bad(description: &str) -> Fault {
    Fault {
        status: 400,
        code: "ERROR_ARGUMENT".into(),
        description: description.into(),
        argument: None,
    }
}

/// A number's digits, the way duplicates are found: `+7 (495) 000-00-00` and `84950000000` are
/// the same; anything after an extension mark (`#`, `ext`, `доб`) is ignored.
fn phone_key(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    // "доб" (Russian "ext") stays as typed: ASCII folding keeps Unicode tables out of the worker.
    let main = ["#", "ext", "доб", "Доб", ","]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .map_or(lower.as_str(), |at| &lower[..at]);
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('8') {
        Some(rest) if digits.len() == 11 => format!("7{rest}"),
        _ => digits,
    }
}

fn email_key(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// `crm.duplicate.findbycomm` over `crm`.
pub(crate) fn find_by_comm(crm: &Crm, params: &Value) -> Result<Reply, Fault> {
    let kind = match arg(params, "type").and_then(Value::as_str).map(str::trim) {
        Some(t) if t.eq_ignore_ascii_case("PHONE") => "PHONE",
        Some(t) if t.eq_ignore_ascii_case("EMAIL") => "EMAIL",
        Some(_) => return Err(bad("Parameter 'type' must be PHONE or EMAIL.")),
        None => return Err(bad("Parameter 'type' is not defined.")),
    };
    let key = |s: &str| {
        if kind == "PHONE" {
            phone_key(s)
        } else {
            email_key(s)
        }
    };
    let values: Vec<String> = arg(params, "values")
        .map(values_of)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(key(s)),
            Value::Number(n) => Some(key(&n.to_string())),
            _ => None,
        })
        .filter(|k| !k.is_empty())
        .collect();
    if values.is_empty() {
        return Err(bad("Parameter 'values' is not defined."));
    }
    if values.len() > LIMIT {
        return Err(bad("Too many values: 20 at most."));
    }
    let only = match arg(params, "entity_type").and_then(Value::as_str) {
        None => None,
        Some(t) if t.trim().is_empty() => None,
        Some(t) => Some(
            KINDS
                .into_iter()
                .find(|k| k.name().eq_ignore_ascii_case(t.trim()))
                .ok_or_else(|| bad("Parameter 'entity_type' is not supported."))?,
        ),
    };
    let mut found = Map::new();
    for k in KINDS.into_iter().filter(|k| only.is_none_or(|o| o == *k)) {
        let ids: Vec<Value> = crm
            .of_kind(k)
            .filter(|r| {
                r.fields
                    .get("fm")
                    .and_then(Value::as_array)
                    .is_some_and(|fm| {
                        fm.iter().any(|m| {
                            m["typeId"].as_str() == Some(kind)
                                && m["value"]
                                    .as_str()
                                    .is_some_and(|v| values.contains(&key(v)))
                        })
                    })
            })
            .map(|r| Value::from(r.entity.id))
            .take(LIMIT)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let full = ids.len() >= LIMIT;
        found.insert(k.name(), Value::Array(ids));
        if full {
            break;
        }
    }
    Ok(Reply::plain(if found.is_empty() {
        Value::Array(Vec::new())
    } else {
        Value::Object(found)
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{DemoConfig, Sim};

    fn sim() -> Sim {
        Sim::new(&DemoConfig::from_query("lang=en&seed=4"))
    }

    fn first_phone(s: &mut Sim, kind: EntityKind) -> (u64, String) {
        let body = s
            .rest(
                "crm.item.list",
                &json!({"entityTypeId": kind.type_id(), "select": ["*"]}),
            )
            .unwrap();
        let item = body["result"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| {
                i["fm"]
                    .as_array()
                    .is_some_and(|fm| fm.iter().any(|m| m["typeId"] == "PHONE"))
            })
            .unwrap()
            .clone();
        let phone = item["fm"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["typeId"] == "PHONE")
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string();
        (item["id"].as_u64().unwrap(), phone)
    }

    #[test]
    fn phone_keys_ignore_formatting_trunk_and_extension() {
        assert_eq!(phone_key("+7 (495) 000-00-00"), "74950000000");
        assert_eq!(phone_key("8 495 000 00 00"), "74950000000");
        assert_eq!(phone_key("+1 555 0100 ext 12"), "15550100");
        assert_eq!(phone_key("+7 495 000-00-00 доб. 7"), "74950000000");
        assert_eq!(phone_key("8800"), "8800", "a short number keeps its 8");
        assert_eq!(phone_key("n/a"), "");
    }

    #[test]
    fn finds_a_known_number_in_any_spelling() {
        let mut s = sim();
        let (id, phone) = first_phone(&mut s, EntityKind::Contact);
        let spaced: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        for value in [
            phone.clone(),
            format!("+{spaced}"),
            format!("{phone} ext 5"),
        ] {
            let body = s
                .rest(
                    "crm.duplicate.findbycomm",
                    &json!({"type": "PHONE", "values": [value]}),
                )
                .unwrap();
            let contacts = body["result"]["CONTACT"].as_array().unwrap();
            assert!(contacts.contains(&json!(id)), "{value}: {body}");
        }
        // Restricted to another type: not found there.
        let body = s
            .rest(
                "crm.duplicate.findbycomm",
                &json!({"type": "PHONE", "values": [phone], "entity_type": "COMPANY"}),
            )
            .unwrap();
        assert!(body["result"].get("CONTACT").is_none());
    }

    #[test]
    fn nobody_is_an_empty_list_and_bad_arguments_are_errors() {
        let mut s = sim();
        let body = s
            .rest(
                "crm.duplicate.findbycomm",
                &json!({"type": "PHONE", "values": ["+99 000 000 00 01"]}),
            )
            .unwrap();
        assert_eq!(body["result"], json!([]));
        for params in [
            json!({"values": ["1"]}),
            json!({"type": "FAX", "values": ["1"]}),
            json!({"type": "PHONE"}),
            json!({"type": "PHONE", "values": []}),
            json!({"type": "PHONE", "values": [null, {}]}),
            json!({"type": "PHONE", "values": (0..21).map(|n| n.to_string()).collect::<Vec<_>>()}),
            json!({"type": "PHONE", "values": ["1"], "entity_type": "DEAL"}),
        ] {
            let (status, body) = s.rest("crm.duplicate.findbycomm", &params).unwrap_err();
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some("ERROR_ARGUMENT")),
                "{params}"
            );
        }
    }

    #[test]
    fn emails_match_ignoring_case() {
        let mut s = sim();
        let body = s
            .rest(
                "crm.item.list",
                &json!({"entityTypeId": 3, "select": ["*"]}),
            )
            .unwrap();
        let with_email = body["result"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|i| {
                i["fm"]
                    .as_array()?
                    .iter()
                    .find(|m| m["typeId"] == "EMAIL")
                    .map(|m| {
                        (
                            i["id"].as_u64().unwrap(),
                            m["value"].as_str().unwrap().to_uppercase(),
                        )
                    })
            });
        let Some((id, email)) = with_email else {
            panic!("the demo CRM has e-mail addresses")
        };
        let body = s
            .rest(
                "crm.duplicate.findbycomm",
                &json!({"type": "email", "values": [email]}),
            )
            .unwrap();
        assert!(
            body["result"]["CONTACT"]
                .as_array()
                .unwrap()
                .contains(&json!(id))
        );
    }

    /// The card's own refresh (plan → one batch → decode) on `scenario=unbound`: the status
    /// has the number and no client; the batch searches the number and names what it finds.
    #[test]
    fn the_unbound_scenario_shows_whose_number_it_is_in_one_batch() {
        use callcard_core::call::{PhoneNumber, decode_call_status};
        use callcard_core::client::StageBook;
        use callcard_core::rest::batch::decode_answer;
        for lang in ["en", "ru"] {
            let mut s = Sim::new(&DemoConfig::from_query(&format!(
                "lang={lang}&scenario=unbound&seed=2"
            )));
            let status = decode_call_status(&s.status()).unwrap();
            assert_eq!(status.entity, None);
            let PhoneNumber::Known(number) = &status.phone else {
                panic!("{lang}: the unbound call has a number: {:?}", status.phone)
            };
            let plan = callcard_core::refresh::plan(&status, &StageBook::default());
            let methods: Vec<&str> = plan
                .batch
                .commands
                .iter()
                .map(|c| c.method.as_str())
                .collect();
            assert_eq!(
                methods,
                [
                    "crm.duplicate.findbycomm",
                    "crm.item.list",
                    "crm.item.list",
                    "crm.item.list"
                ],
                "{lang}"
            );
            assert_eq!(plan.batch.check_references(), Ok(()));
            let params = plan.batch.to_params();
            assert_eq!(params.len(), 1, "one request");
            let body = s.rest("batch", &params[0]).unwrap();
            let answer = decode_answer(&body["result"]).unwrap();
            let data = callcard_core::refresh::decode(&plan, &answer, &StageBook::default());
            let matches = data.matches.expect("asked").expect("answered");
            assert!(
                !matches.is_empty(),
                "{lang}: {number} is a known client's number"
            );
            let first = &matches[0];
            assert_eq!(first.entity.kind, EntityKind::Contact);
            let item = s
                .rest(
                    "crm.item.get",
                    &json!({"entityTypeId": 3, "id": first.entity.id}),
                )
                .unwrap();
            assert!(
                item["result"]["item"]["fm"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["value"].as_str().map(phone_key) == Some(phone_key(number))),
                "{lang}: the match has the number"
            );
            assert!(
                first.name.as_deref().is_some_and(|n| !n.is_empty()),
                "{lang}: named"
            );
            // The lists of types with no match listed nothing (the reference resolved to "").
            for kind in [EntityKind::Lead, EntityKind::Company] {
                if !matches.iter().any(|m| m.entity.kind == kind) {
                    let got = answer
                        .get(&callcard_core::refresh::key::match_names(kind))
                        .unwrap();
                    assert_eq!(got.result["items"], json!([]), "{lang} {kind:?}");
                }
            }
        }
        // A stranger: asked, nobody.
        let mut s = Sim::new(&DemoConfig::from_query("scenario=unknown"));
        let status = decode_call_status(&s.status()).unwrap();
        let plan = callcard_core::refresh::plan(&status, &StageBook::default());
        let body = s.rest("batch", &plan.batch.to_params()[0]).unwrap();
        let answer = decode_answer(&body["result"]).unwrap();
        let data = callcard_core::refresh::decode(&plan, &answer, &StageBook::default());
        assert_eq!(data.matches, Some(Ok(Vec::new())));
    }

    /// The showcase contact's refresh brings the seeded comments in the same batch, merged
    /// into the history by time, with their authors among the portal's users.
    #[test]
    fn the_showcase_refresh_merges_seeded_comments() {
        use callcard_core::call::decode_call_status;
        use callcard_core::client::StageBook;
        use callcard_core::history::Entry;
        use callcard_core::rest::batch::decode_answer;
        let mut s = Sim::new(&DemoConfig::from_query("lang=ru"));
        let status = decode_call_status(&s.status()).unwrap();
        assert!(status.entity.is_some());
        let plan = callcard_core::refresh::plan(&status, &StageBook::default());
        assert!(
            plan.batch
                .commands
                .iter()
                .any(|c| c.method == "crm.timeline.comment.list")
        );
        assert!(
            plan.batch
                .commands
                .iter()
                .all(|c| c.method != "crm.duplicate.findbycomm")
        );
        let params = plan.batch.to_params();
        assert_eq!(params.len(), 1);
        let body = s.rest("batch", &params[0]).unwrap();
        let answer = decode_answer(&body["result"]).unwrap();
        let data = callcard_core::refresh::decode(&plan, &answer, &StageBook::default());
        assert_eq!(data.matches, None);
        let t = data.history.unwrap().unwrap();
        assert!(!t.comments().is_empty(), "seeded comments");
        let entries = t.entries();
        assert!(
            entries.windows(2).all(|w| w[0].at_ms() >= w[1].at_ms()),
            "by time"
        );
        let users = s.rest("user.get", &json!({})).unwrap();
        for e in &entries {
            if let Entry::Comment(c) = e {
                assert!(!c.text.is_empty());
                let author = c.author_id.expect("an author");
                assert!(
                    users["result"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|u| u["ID"].as_str().and_then(|s| s.parse::<u64>().ok())
                            == Some(author)),
                    "author {author} is a portal user"
                );
            }
        }
    }
}
