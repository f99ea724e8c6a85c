//! The CRM's read methods on the demo portal: `crm.item.get`, `crm.item.list`,
//! `crm.status.list` and `user.get`.

use serde_json::{Map, Value, json};

use crate::answer::*;
use crate::bilingual::Pick;
use crate::crm::Crm;
use crate::crm_tables::DIRECTORIES;
use callcard_core::i18n::Lang;
use callcard_core::model::entity::{EntityKind, EntityRef};

/// The `entityTypeId` of a `crm.item.*` call. Leads, deals, contacts and companies hold the
/// demo's data; quotes and smart invoices exist but are empty; anything else (old invoices,
/// smart processes — the demo has none) is not found.
fn entity_type(params: &Value) -> Result<EntityKind, Fault> {
    let raw = arg(params, "entityTypeId").ok_or_else(|| Fault::missing("entityTypeId"))?;
    match EntityKind::from_value(raw) {
        Some(
            kind @ (EntityKind::Lead
            | EntityKind::Deal
            | EntityKind::Contact
            | EntityKind::Company
            | EntityKind::Quote
            | EntityKind::SmartInvoice),
        ) => Ok(kind),
        _ => Err(Fault::not_found("Smart process not found")),
    }
}

pub(crate) fn item_get(crm: &Crm, params: &Value) -> Result<Reply, Fault> {
    let kind = entity_type(params)?;
    let id = arg(params, "id").ok_or_else(|| Fault::missing("id"))?;
    let record = to_u64(id)
        .and_then(|id| crm.get(EntityRef::new(kind, id)))
        .ok_or_else(|| Fault::not_found("Element not found"))?;
    Ok(Reply::plain(json!({"item": record.fields})))
}

/// `crm.item.list`: `filter`, `order`, `select` (`["*"]` or none: whole items with `fm`;
/// otherwise the named fields plus `id`, never `fm`), 50 a page from `start`.
pub(crate) fn item_list(crm: &Crm, params: &Value) -> Result<Reply, Fault> {
    let kind = entity_type(params)?;
    let filter = arg(params, "filter").and_then(Value::as_object);
    let mut rows: Vec<&Map<String, Value>> = crm
        .of_kind(kind)
        .map(|r| &r.fields)
        .filter(|f| filter.is_none_or(|flt| passes(f, flt)))
        .collect();
    sort_rows(&mut rows, arg(params, "order"));
    // `fm` (phones, e-mails) cannot be selected in `crm.item.list`.
    let items = select_fields(rows, params, "id", "fm");
    let mut reply = paged(items, params);
    reply.result = json!({"items": reply.result});
    Ok(reply)
}

/// `crm.status.list`: every directory (lead stages, both deal pipelines, sources, call
/// statuses) in the portal's language, old-style: every value a string.
pub(crate) fn status_list(lang: Lang, params: &Value) -> Reply {
    let mut n = 0;
    let rows: Vec<Value> = DIRECTORIES
        .iter()
        .flat_map(|d| d.statuses.iter().enumerate().map(move |(i, s)| (d, i, s)))
        .map(|(d, i, s)| {
            n += 1;
            let name = lang.pick(s.name);
            let mut row = object(json!({
                "ID": n.to_string(),
                "ENTITY_ID": d.entity_id,
                "STATUS_ID": s.id,
                "NAME": name,
                "NAME_INIT": if s.system { name } else { "" },
                "SORT": ((i + 1) * 10).to_string(),
                "SYSTEM": if s.system { "Y" } else { "N" },
                "CATEGORY_ID": d.category,
                "COLOR": s.color,
                "SEMANTICS": s.semantics,
            }));
            if d.stages {
                let semantics = match s.semantics {
                    Some("S") => "success",
                    Some(_) => "failure",
                    None => "process",
                };
                row.insert(
                    "EXTRA".into(),
                    json!({"SEMANTICS": semantics, "COLOR": s.color}),
                );
            }
            Value::Object(row)
        })
        .collect();
    let filter = arg(params, "filter").and_then(Value::as_object);
    let mut kept: Vec<&Map<String, Value>> = rows
        .iter()
        .filter_map(Value::as_object)
        .filter(|r| filter.is_none_or(|f| passes(r, f)))
        .collect();
    sort_rows(&mut kept, arg(params, "order"));
    let total = kept.len() as u64;
    Reply {
        result: Value::Array(kept.into_iter().map(|r| Value::Object(r.clone())).collect()),
        total: Some(total),
        next: None,
    }
}

/// `user.get`: by `ID` (top-level or in `FILTER`), or everyone. Old-style string ids.
pub(crate) fn user_get(crm: &Crm, params: &Value) -> Reply {
    let filter = arg(params, "FILTER")
        .filter(|f| f.is_object())
        .unwrap_or(params);
    let wanted = arg(filter, "ID").or_else(|| arg(params, "ID"));
    let users: Vec<Value> = crm
        .users
        .iter()
        .filter(|u| match wanted {
            None => true,
            Some(w) => values_of(w)
                .into_iter()
                .any(|id| u.get("ID").is_some_and(|have| loose_eq(have, id))),
        })
        .cloned()
        .collect();
    paged(users, params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sim;
    use crate::crm_tables::*;
    use crate::testing::*;

    use serde_json::{Value, json};
    use std::collections::BTreeSet;

    #[test]
    fn item_errors() {
        let mut s = sim("");
        let err = |s: &mut Sim, method: &str, params: Value| s.rest(method, &params).unwrap_err();
        let (status, body) = err(&mut s, "crm.item.get", json!({"entityTypeId": 3}));
        assert_eq!(
            (status, body["error"].as_str(), body["argument"].as_str()),
            (400, Some("ERROR_ARGUMENT"), Some("id"))
        );
        let (status, body) = err(&mut s, "crm.item.get", json!({"id": 12}));
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("ERROR_ARGUMENT"))
        );
        let (status, body) = err(
            &mut s,
            "crm.item.get",
            json!({"entityTypeId": 3, "id": 999_999}),
        );
        assert_eq!((status, body["error"].as_str()), (400, Some("NOT_FOUND")));
        assert!(body["error_description"].is_string());
        let (status, body) = err(
            &mut s,
            "crm.item.get",
            json!({"entityTypeId": 128, "id": 1}),
        );
        assert_eq!((status, body["error"].as_str()), (400, Some("NOT_FOUND")));
        let (status, body) = err(
            &mut s,
            "crm.item.get",
            json!({"entityTypeId": 2, "id": CONTACT_FIRST_ID + 100}),
        );
        assert_eq!((status, body["error"].as_str()), (400, Some("NOT_FOUND")));
        let (status, body) = err(&mut s, "crm.no.such", json!({}));
        assert_eq!(status, 404);
        assert_eq!(
            body,
            json!({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})
        );
        assert_eq!(s.request_count(), 6, "failed requests count too");
        // String-typed parameters (as a batch sends them) work like real types.
        assert_eq!(
            ok(
                &mut s,
                "crm.item.get",
                json!({"entityTypeId": "3", "id": "12"})
            )["result"]["item"]["id"],
            12
        );
        // Quotes exist but the demo has none.
        assert_eq!(
            ok(&mut s, "crm.item.list", json!({"entityTypeId": 7}))["result"]["items"],
            json!([])
        );
    }

    #[test]
    fn item_list_filters_selects_and_orders() {
        let mut s = sim("");
        let list = |s: &mut Sim, params: Value| ok(s, "crm.item.list", params);
        let ids = |body: &Value| -> Vec<u64> {
            body["result"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|i| i["id"].as_u64())
                .collect()
        };

        for filter in [
            json!({"id": 13}),
            json!({"=id": "13"}),
            json!({"@id": [13]}),
            json!({"ID": 13}),
        ] {
            assert_eq!(
                ids(&list(
                    &mut s,
                    json!({"entityTypeId": 3, "filter": filter.clone()})
                )),
                [13],
                "{filter}"
            );
        }
        for filter in [
            json!({"id": 0}),
            json!({"id": ""}),
            json!({"@id": []}),
            json!({"@id": [""]}),
        ] {
            let body = list(&mut s, json!({"entityTypeId": 3, "filter": filter.clone()}));
            assert_eq!(ids(&body), Vec::<u64>::new(), "{filter}");
            assert_eq!(body["total"], 0);
        }
        let company_contacts = list(
            &mut s,
            json!({"entityTypeId": 3, "filter": {"companyId": COMPANY_FIRST_ID}}),
        );
        assert_eq!(ids(&company_contacts), [12, 13]);
        let open = list(
            &mut s,
            json!({"entityTypeId": 2, "filter": {"stageSemanticId": "P", ">opportunity": 0}}),
        );
        assert_eq!(
            open["total"],
            DEALS
                .iter()
                .filter(|d| !["WON", "LOSE"].contains(&d.stage))
                .count()
        );

        let desc = list(
            &mut s,
            json!({"entityTypeId": 3, "order": {"id": "DESC"}, "select": ["id"]}),
        );
        let got = ids(&desc);
        assert_eq!(got.first(), Some(&(CONTACT_FIRST_ID + 7)));
        assert!(got.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(
            desc["result"]["items"][0],
            json!({"id": CONTACT_FIRST_ID + 7})
        );

        let whole = list(&mut s, json!({"entityTypeId": 3, "select": ["*"]}));
        assert!(
            whole["result"]["items"][0]["fm"].is_array(),
            "`*` brings fm"
        );
        let picked = list(
            &mut s,
            json!({"entityTypeId": 3, "select": ["fm", "lastName"]}),
        );
        assert_eq!(
            picked["result"]["items"][0].as_object().unwrap().len(),
            2,
            "fm cannot be selected"
        );
    }

    #[test]
    fn list_paging() {
        // The rule itself, on a list longer than a page.
        assert_eq!(
            page(120, 0),
            Page {
                range: 0..50,
                total: Some(120),
                next: Some(50)
            }
        );
        assert_eq!(
            page(120, 50),
            Page {
                range: 50..100,
                total: Some(120),
                next: Some(100)
            }
        );
        assert_eq!(
            page(120, 100),
            Page {
                range: 100..120,
                total: Some(120),
                next: None
            }
        );
        assert_eq!(
            page(120, 500),
            Page {
                range: 120..120,
                total: Some(120),
                next: None
            }
        );
        assert_eq!(
            page(120, -1),
            Page {
                range: 0..50,
                total: None,
                next: None
            }
        );
        let mut start = 0;
        let mut seen = 0;
        loop {
            let p = page(120, start);
            seen += p.range.len();
            match p.next {
                Some(n) => start = n as i64,
                None => break,
            }
        }
        assert_eq!(seen, 120, "following next visits every row once");

        // On the demo's contacts through REST.
        let mut s = sim("");
        let n = CONTACTS.len() as u64;
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": 0}),
        );
        assert_eq!((body["total"].as_u64(), body.get("next")), (Some(n), None));
        assert_eq!(body["result"]["items"].as_array().unwrap().len() as u64, n);
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": "5"}),
        );
        assert_eq!(body["total"].as_u64(), Some(n));
        assert_eq!(
            body["result"]["items"].as_array().unwrap().len() as u64,
            n - 5
        );
        assert_eq!(
            body["result"]["items"][0]["id"],
            json!(CONTACT_FIRST_ID + 5)
        );
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": 50}),
        );
        assert_eq!(body["result"]["items"], json!([]));
        assert_eq!(body["total"].as_u64(), Some(n));
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": -1}),
        );
        assert!(body.get("total").is_none() && body.get("next").is_none());
        assert_eq!(body["result"]["items"].as_array().unwrap().len() as u64, n);
    }

    #[test]
    fn status_directories() {
        let mut s = sim("lang=ru");
        let all = ok(&mut s, "crm.status.list", json!({}));
        let rows = all["result"].as_array().unwrap();
        assert_eq!(all["total"].as_u64(), Some(rows.len() as u64));
        let entity_ids: BTreeSet<&str> = rows
            .iter()
            .filter_map(|r| r["ENTITY_ID"].as_str())
            .collect();
        assert_eq!(
            entity_ids,
            BTreeSet::from([
                "CALL_LIST",
                "DEAL_STAGE",
                "DEAL_STAGE_1",
                "SOURCE",
                "STATUS"
            ])
        );
        let ids: BTreeSet<&str> = rows.iter().filter_map(|r| r["ID"].as_str()).collect();
        assert_eq!(ids.len(), rows.len(), "ids are unique strings");
        for r in rows {
            for key in [
                "ID",
                "ENTITY_ID",
                "STATUS_ID",
                "NAME",
                "NAME_INIT",
                "SORT",
                "SYSTEM",
            ] {
                assert!(r[key].is_string(), "{key} in {r}");
            }
            assert!(has_cyrillic(r["NAME"].as_str().unwrap()), "{r}");
        }

        let pipeline = ok(
            &mut s,
            "crm.status.list",
            json!({"filter": {"ENTITY_ID": "DEAL_STAGE_1"}, "order": {"SORT": "DESC"}}),
        );
        let stages = pipeline["result"].as_array().unwrap();
        assert!(stages.iter().all(
            |r| r["CATEGORY_ID"] == "1" && r["STATUS_ID"].as_str().unwrap().starts_with("C1:")
        ));
        let sorts: Vec<u64> = stages
            .iter()
            .filter_map(|r| r["SORT"].as_str()?.parse().ok())
            .collect();
        assert!(sorts.windows(2).all(|w| w[0] > w[1]), "{sorts:?}");
        let extra: BTreeSet<&str> = stages
            .iter()
            .filter_map(|r| r["EXTRA"]["SEMANTICS"].as_str())
            .collect();
        assert_eq!(extra, BTreeSet::from(["failure", "process", "success"]));

        let calls = ok(
            &mut s,
            "crm.status.list",
            json!({"filter": {"ENTITY_ID": "CALL_LIST"}}),
        )["result"]
            .clone();
        let codes: Vec<&str> = calls
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["STATUS_ID"].as_str())
            .collect();
        assert_eq!(
            codes,
            [
                "IN_WORK",
                "SUCCESS",
                "WRONG_NUMBER",
                "STOP_CALLING",
                "CALLBACK"
            ]
        );
        assert_eq!(calls[4]["SYSTEM"], "N", "the custom status");
        assert!(calls[0].get("EXTRA").is_none());
    }

    #[test]
    fn users_and_app() {
        let mut s = sim("");
        let users = |s: &mut Sim, params: Value| -> Vec<String> {
            let body = ok(s, "user.get", params);
            body["result"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["ID"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(users(&mut s, json!({"ID": 1})), ["1"]);
        assert_eq!(users(&mut s, json!({"id": "3"})), ["3"]);
        assert_eq!(
            users(&mut s, json!({"FILTER": {"ID": [2, "4"]}})),
            ["2", "4"]
        );
        assert!(users(&mut s, json!({"ID": ""})).is_empty());
        assert!(users(&mut s, json!({"ID": 999})).is_empty());
        assert_eq!(users(&mut s, json!({})).len(), USERS.len());
        let one = ok(&mut s, "user.get", json!({"ID": 2}));
        assert_eq!(one["total"], 1);
        let u = &one["result"][0];
        for key in [
            "NAME",
            "LAST_NAME",
            "SECOND_NAME",
            "WORK_POSITION",
            "PERSONAL_PHOTO",
            "EMAIL",
        ] {
            assert!(u[key].is_string(), "{key}");
        }
        assert_eq!(u["ACTIVE"], true);

        assert_eq!(ok(&mut s, "user.current", json!({}))["result"]["ID"], "1");
        let app = ok(&mut s, "app.info", json!(null))["result"].clone();
        assert_eq!(
            (
                app["CODE"].as_str(),
                app["STATUS"].as_str(),
                app["INSTALLED"].as_bool()
            ),
            (Some("local.callcard"), Some("L"), Some(true))
        );
    }
}
