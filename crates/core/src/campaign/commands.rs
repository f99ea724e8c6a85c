//! The REST calls of campaign mode (`crm.calllist.*`, the open call-list activity) and the
//! lenient decoders of their answers.

use serde_json::{Map, Value, json};

use super::CALL_LIST_OWNER_TYPE;
use super::CALL_LIST_PROVIDER;
use super::CallList;
use super::ListItem;
use super::ListStatus;
use crate::model::value::{as_list, opt_text, opt_u64, value_u64};

/// A REST call: the method and its parameters, for `callMethod` or a [`crate::rest::batch::Batch`].
pub type Command = (&'static str, Value);

/// The user's call lists, newest first, one page of 50 from `start`. `me` is the user id, or a
/// batch reference to it (`$result[me][ID]`).
pub fn recent_lists_query(me: impl Into<Value>, start: u64) -> Command {
    let me: Value = me.into();
    (
        "crm.calllist.list",
        json!({
            "SELECT": ["ID", "DATE_CREATE", "CREATED_BY_ID", "WEBFORM_ID", "ENTITY_TYPE_ID"],
            "FILTER": {"CREATED_BY_ID": me},
            "ORDER": {"ID": "DESC"},
            "start": start,
        }),
    )
}

/// One list's description (with `ENTITY_TYPE` and `WEBFORM_ID`).
pub fn list_get_query(list_id: u64) -> Command {
    ("crm.calllist.get", json!({"ID": list_id}))
}

/// One page of a list's participants from `start` (see [`ItemPages`](crate::campaign::ItemPages)), optionally of one status.
pub fn items_query(list_id: u64, status: Option<&str>, start: u64) -> Command {
    let mut p = json!({"LIST_ID": list_id, "start": start});
    if let Some(s) = status {
        p["FILTER"] = json!({"STATUS": s});
    }
    ("crm.calllist.items.get", p)
}

/// The call statuses, custom ones included.
pub fn statuslist_query() -> Command {
    ("crm.calllist.statuslist", json!({}))
}

/// The user's open call-list activities, newest first (first page only, no count). `me` as in
/// [`recent_lists_query`].
pub fn open_activity_query(me: impl Into<Value>) -> Command {
    let me: Value = me.into();
    (
        "crm.activity.list",
        json!({
            "filter": {"PROVIDER_ID": CALL_LIST_PROVIDER, "COMPLETED": "N", "RESPONSIBLE_ID": me},
            "order": {"ID": "DESC"},
            "select": ["ID", "ASSOCIATED_ENTITY_ID", "OWNER_ID", "OWNER_TYPE_ID", "PROVIDER_ID", "COMPLETED"],
            "start": -1,
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Decoders: lenient, a bad row is skipped
// ---------------------------------------------------------------------------------------------

fn rows(result: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    as_list(result, "list")
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_object)
}

fn id_of(row: &Map<String, Value>, key: &str) -> Option<u64> {
    opt_u64(row, key).ok().flatten().filter(|id| *id > 0)
}

/// One call list row (`crm.calllist.list` element or `crm.calllist.get` result).
pub fn decode_list(v: &Value) -> Option<CallList> {
    let row = v.as_object()?;
    Some(CallList {
        id: id_of(row, "ID")?,
        entity_type_id: opt_u64(row, "ENTITY_TYPE_ID").ok()??,
        entity_type: opt_text(row, "ENTITY_TYPE").ok().flatten(),
        created: opt_text(row, "DATE_CREATE")
            .ok()
            .flatten()
            .unwrap_or_default(),
        created_by: id_of(row, "CREATED_BY_ID"),
        webform_id: id_of(row, "WEBFORM_ID"),
    })
}

/// `crm.calllist.list`'s result.
pub fn decode_lists(result: &Value) -> Vec<CallList> {
    as_list(result, "list")
        .unwrap_or(&[])
        .iter()
        .filter_map(decode_list)
        .collect()
}

/// `crm.calllist.items.get`'s result (one page). Not inlined: the pager and the cache's
/// re-check share one copy.
#[inline(never)]
pub fn decode_items(result: &Value) -> Vec<ListItem> {
    rows(result)
        .filter_map(|row| {
            Some(ListItem {
                entity_id: id_of(row, "ID")?,
                status: opt_text(row, "STATUS").ok()??,
                entity_type_id: opt_u64(row, "ENTITY_TYPE").ok().flatten().unwrap_or(0),
            })
        })
        .collect()
}

/// `crm.calllist.statuslist`'s result, in `SORT` order (ties keep the portal's order).
pub fn decode_statuses(result: &Value) -> Vec<ListStatus> {
    let mut out: Vec<ListStatus> = Vec::new();
    for row in rows(result) {
        let Some(status_id) = opt_text(row, "STATUS_ID").ok().flatten() else {
            continue;
        };
        let name = opt_text(row, "NAME").ok().flatten().unwrap_or_default();
        let sort = opt_u64(row, "SORT").ok().flatten().unwrap_or(u64::MAX);
        // A handful of rows: an insertion keeps the order without a sort routine.
        let at = out.iter().position(|s| s.sort > sort).unwrap_or(out.len());
        out.insert(
            at,
            ListStatus {
                status_id,
                name,
                sort,
            },
        );
    }
    out
}

/// The list ids of open call-list activities (`crm.activity.list`'s result), in the order sent.
/// Rows of other providers or completed ones are skipped, in case the filter was widened.
pub fn decode_open_activity_lists(result: &Value) -> Vec<u64> {
    let mut out = Vec::new();
    for row in rows(result) {
        let provider = opt_text(row, "PROVIDER_ID").ok().flatten();
        if provider.is_some_and(|p| p != CALL_LIST_PROVIDER) {
            continue;
        }
        let completed = opt_text(row, "COMPLETED").ok().flatten();
        if completed.is_some_and(|c| c == "Y") {
            continue;
        }
        let owner_is_list =
            opt_u64(row, "OWNER_TYPE_ID").ok().flatten() == Some(CALL_LIST_OWNER_TYPE);
        let id = id_of(row, "ASSOCIATED_ENTITY_ID")
            .or_else(|| owner_is_list.then(|| id_of(row, "OWNER_ID")).flatten());
        if let Some(id) = id.filter(|id| !out.contains(id)) {
            out.push(id);
        }
    }
    out
}

/// `crm.calllist.add`'s result: the new list's id.
pub fn decode_added(result: &Value) -> Option<u64> {
    value_u64(result).ok().flatten().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::fixtures::*;
    use crate::campaign::*;
    use crate::model::entity::EntityKind;
    use serde_json::json;

    #[test]
    fn commands_have_the_documented_shapes() {
        let (m, p) = recent_lists_query(7, 50);
        assert_eq!(m, "crm.calllist.list");
        assert_eq!(p["FILTER"]["CREATED_BY_ID"], 7);
        assert_eq!(p["ORDER"]["ID"], "DESC");
        assert_eq!(p["start"], 50);
        let (m, p) = items_query(13, Some("IN_WORK"), 0);
        assert_eq!(m, "crm.calllist.items.get");
        assert_eq!(
            p,
            json!({"LIST_ID": 13, "start": 0, "FILTER": {"STATUS": "IN_WORK"}})
        );
        assert!(items_query(13, None, 100).1.get("FILTER").is_none());
        assert_eq!(statuslist_query().0, "crm.calllist.statuslist");
        assert_eq!(list_get_query(5), ("crm.calllist.get", json!({"ID": 5})));
        let (m, p) = open_activity_query(3);
        assert_eq!(m, "crm.activity.list");
        assert_eq!(p["filter"]["PROVIDER_ID"], "CALL_LIST");
        assert_eq!(p["filter"]["COMPLETED"], "N");
        assert_eq!(p["filter"]["RESPONSIBLE_ID"], 3);
        // The commands fit a batch.
        let mut b = crate::rest::batch::Batch::new();
        let (m, p) = items_query(13, None, 0);
        b.add("items_13_0", m, p);
        assert_eq!(
            b.to_params()[0]["cmd"]["items_13_0"],
            "crm.calllist.items.get?LIST_ID=13&start=0"
        );
    }

    #[test]
    fn decoders_are_lenient_and_skip_bad_rows() {
        let lists = decode_lists(&json!([
            {"ID": "6", "DATE_CREATE": "2026-11-20 09:12:00", "CREATED_BY_ID": "1", "WEBFORM_ID": null, "ENTITY_TYPE_ID": "3"},
            {"ID": 7, "CREATED_BY_ID": 1, "WEBFORM_ID": "2", "ENTITY_TYPE_ID": 2, "ENTITY_TYPE": "DEAL"},
            {"ID": "x", "ENTITY_TYPE_ID": "3"},
            {"ID": "8"},
            7
        ]));
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[0].id, 6);
        assert_eq!(lists[0].created, "2026-11-20 09:12:00");
        assert_eq!(lists[0].webform_id, None);
        assert_eq!(lists[0].kind(), Some(EntityKind::Contact));
        assert_eq!(lists[1].webform_id, Some(2));
        assert_eq!(lists[1].kind(), Some(EntityKind::Deal));
        assert!(decode_lists(&json!({})).is_empty());
        assert!(decode_lists(&json!("nope")).is_empty());

        let items = decode_items(&json!([
            {"ID": 9, "STATUS": "IN_WORK", "ENTITY_TYPE": 3},
            {"ID": "17", "STATUS": "SUCCESS", "ENTITY_TYPE": "3"},
            {"ID": 19, "STATUS": "NO_ANSWER"},
            {"ID": "", "STATUS": "IN_WORK"},
            {"ID": 20},
            null
        ]));
        assert_eq!(
            items,
            vec![
                item(9, "IN_WORK"),
                item(17, "SUCCESS"),
                ListItem {
                    entity_id: 19,
                    status: "NO_ANSWER".into(),
                    entity_type_id: 0
                }
            ]
        );

        let st = statuses();
        let order: Vec<&str> = st.iter().map(|s| s.status_id.as_str()).collect();
        assert_eq!(
            order,
            [
                "IN_WORK",
                "SUCCESS",
                "WRONG_NUMBER",
                "STOP_CALLING",
                "CALLBACK"
            ]
        );

        let acts = decode_open_activity_lists(&json!([
            {"ID": "9", "ASSOCIATED_ENTITY_ID": "6", "PROVIDER_ID": "CALL_LIST", "COMPLETED": "N"},
            {"ID": "8", "ASSOCIATED_ENTITY_ID": "0", "OWNER_ID": "4", "OWNER_TYPE_ID": "12"},
            {"ID": "7", "ASSOCIATED_ENTITY_ID": "6"},
            {"ID": "5", "ASSOCIATED_ENTITY_ID": "3", "COMPLETED": "Y"},
            {"ID": "4", "ASSOCIATED_ENTITY_ID": "2", "PROVIDER_ID": "VOXIMPLANT_CALL"}
        ]));
        assert_eq!(acts, vec![6, 4]);
        assert_eq!(decode_added(&json!(11)), Some(11));
        assert_eq!(decode_added(&json!("11")), Some(11));
        assert_eq!(decode_added(&json!(true)), None);
    }
}
