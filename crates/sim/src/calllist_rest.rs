//! The call lists' REST methods on the demo portal: `crm.calllist.list`, `.get`, `.items.get`,
//! `.statuslist`, `.add`, `.update`, and the lists' `CALL_LIST` activities for
//! `crm.activity.list`. The lists themselves and the campaign are in `calllist.rs`; the
//! semantics are described there.

use serde_json::{Map, Value, json};

use crate::answer::{
    Fault, Reply, arg, paged, passes, select_fields, sort_rows, to_i64, to_u64, values_of,
};
use crate::calllist::*;
use crate::crm_tables::DIRECTORIES;
use crate::dates::iso;
use callcard_core::model::entity::EntityKind;

fn fault(status: u16, code: &'static str, description: impl Into<String>) -> Fault {
    Fault {
        status,
        code: code.into(),
        description: description.into(),
        argument: None,
    }
}

/// `… is not found`: a required parameter is missing (`ERROR_ARGUMENT`).
fn required<'a>(params: &'a Value, name: &'static str) -> Result<&'a Value, Fault> {
    arg(params, name).ok_or_else(|| fault(400, "ERROR_ARGUMENT", format!("{name} is not found")))
}

/// `Y-m-d H:i:s`, the form `DATE_CREATE` takes.
fn date_create(unix: i64) -> String {
    let iso = iso(unix);
    format!("{} {}", &iso[..10], &iso[11..19])
}

/// A field name with a filter operator in front of it, without the operator.
fn bare(key: &str) -> &str {
    key.trim_start_matches(['!', '@', '=', '<', '>', '%'])
}

/// Whether a `crm.activity.list` request asks for call-list activities (`PROVIDER_ID` =
/// `CALL_LIST`): those the demo answers here.
pub(crate) fn is_call_list_query(params: &Value) -> bool {
    arg(params, "filter")
        .and_then(Value::as_object)
        .is_some_and(|f| {
            f.iter().any(|(k, v)| {
                matches!(k.trim_start_matches('='), k if k.eq_ignore_ascii_case("PROVIDER_ID"))
                    && v.as_str()
                        .is_some_and(|p| p.trim().eq_ignore_ascii_case("CALL_LIST"))
            })
        })
}

impl CallLists {
    /// Answers a `crm.calllist.*` method.
    pub(crate) fn dispatch(
        &mut self,
        method: &str,
        params: &Value,
        ids_of: &dyn Fn(EntityKind) -> Vec<u64>,
        now_secs: i64,
    ) -> Result<Reply, Fault> {
        match method {
            "crm.calllist.list" => self.list_lists(params),
            "crm.calllist.get" => self.get(params),
            "crm.calllist.items.get" => self.items_get(params, ids_of),
            "crm.calllist.statuslist" => Ok(Reply::plain(self.statuslist())),
            "crm.calllist.add" => self.add(params, ids_of, now_secs),
            "crm.calllist.update" => self.update(params, ids_of),
            _ => Err(fault(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")),
        }
    }

    fn row(l: &List) -> Map<String, Value> {
        let mut row = Map::new();
        row.insert("ID".into(), l.id.to_string().into());
        row.insert("DATE_CREATE".into(), date_create(l.created).into());
        row.insert("CREATED_BY_ID".into(), l.created_by.to_string().into());
        row.insert(
            "WEBFORM_ID".into(),
            l.webform_id.map_or(Value::Null, |w| w.to_string().into()),
        );
        row.insert("ENTITY_TYPE_ID".into(), l.entity_type_id.to_string().into());
        row
    }

    /// `crm.calllist.list`: `SELECT`, `FILTER`, `ORDER` over the table's fields (anything else
    /// is the ORM's "Unknown field definition"), 50 rows from `start` (all with `start=-1`).
    fn list_lists(&self, params: &Value) -> Result<Reply, Fault> {
        let unknown = |name: &str| {
            fault(
                400,
                "100",
                format!(
                    "Unknown field definition `{name}` (CallList) for Bitrix\\Crm\\CallList\\Internals\\CallListTable Entity."
                ),
            )
        };
        let check = |v: Option<&Value>, keys: bool| -> Result<Vec<String>, Fault> {
            let names: Vec<String> = match v {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Object(m)) if keys => m.keys().cloned().collect(),
                Some(other) => values_of(other)
                    .into_iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
            };
            for n in &names {
                let b = bare(n.trim());
                if b != "*" && !LIST_FIELDS.contains(&b) {
                    return Err(unknown(b));
                }
            }
            Ok(names)
        };
        let select = check(arg(params, "SELECT"), false)?;
        check(arg(params, "FILTER"), true)?;
        check(arg(params, "ORDER"), true)?;
        let filter = arg(params, "FILTER").and_then(Value::as_object);
        let all: Vec<Map<String, Value>> = self.lists.iter().map(Self::row).collect();
        let mut rows: Vec<&Map<String, Value>> = all
            .iter()
            .filter(|r| filter.is_none_or(|f| passes(r, f)))
            .collect();
        sort_rows(&mut rows, arg(params, "ORDER"));
        let start = arg(params, "start").and_then(to_i64).unwrap_or(0);
        let page: Vec<&Map<String, Value>> = if start == -1 {
            rows
        } else {
            rows.into_iter()
                .skip(usize::try_from(start.max(0)).unwrap_or(usize::MAX))
                .take(PAGE)
                .collect()
        };
        let whole = select.is_empty() || select.iter().any(|s| s.trim() == "*");
        let out = page
            .into_iter()
            .map(|r| {
                if whole {
                    return Value::Object(r.clone());
                }
                let picked: Map<String, Value> = r
                    .iter()
                    .filter(|(k, _)| select.iter().any(|s| s.trim() == k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(picked)
            })
            .collect();
        Ok(Reply::plain(Value::Array(out)))
    }

    /// `crm.calllist.get`: the list without its participants, `ENTITY_TYPE` added.
    fn get(&self, params: &Value) -> Result<Reply, Fault> {
        let id = required(params, "ID")?;
        let list = to_u64(id)
            .and_then(|id| self.list(id))
            .ok_or_else(|| fault(400, "LIST_ID_ERROR", "Incorrect list id"))?;
        let mut row = Self::row(list);
        row.insert(
            "ENTITY_TYPE".into(),
            EntityKind::from_type_id(list.entity_type_id)
                .map_or(String::new(), |k| k.name())
                .into(),
        );
        Ok(Reply::plain(Value::Object(row)))
    }

    /// `crm.calllist.items.get`: 50 items from `start` in the list's order, optionally of one
    /// status; items whose entity is gone, or that the user may not read (`hidden`), are left
    /// out of the page after it was cut, as the portal does; an empty page is `ACCESS_ERROR`.
    /// With `calllist_concurrent`, another user's edit lands on the first page of the first read
    /// after the card has read the list to its end.
    fn items_get(
        &mut self,
        params: &Value,
        ids_of: &dyn Fn(EntityKind) -> Vec<u64>,
    ) -> Result<Reply, Fault> {
        let raw = required(params, "LIST_ID")?;
        let id = to_i64(raw).unwrap_or(0);
        if id <= 0 {
            return Err(fault(400, "LIST_ID_ERROR", "List id should be positive"));
        }
        if self.list(id as u64).is_none() {
            return Err(fault(400, "LIST_ID_ERROR", "Call list is not found"));
        }
        let status = match arg(params, "FILTER").and_then(|f| arg(f, "STATUS")) {
            None => None,
            Some(Value::String(s)) if self.statuses().any(|(code, _, _)| code == s) => {
                Some(s.clone())
            }
            Some(_) => return Err(fault(400, "STATUS_ERROR", "Incorrect status")),
        };
        let start = arg(params, "start").and_then(to_i64).unwrap_or(0).max(0);
        let Some(list) = self.lists.iter_mut().find(|l| l.id == id as u64) else {
            return Err(fault(400, "LIST_ID_ERROR", "Call list is not found"));
        };
        let known = EntityKind::from_type_id(list.entity_type_id)
            .map_or_else(Vec::new, |k| sorted(ids_of(k)));
        if start == 0 && list.other_edit == OtherEdit::Armed {
            list.other_edit = OtherEdit::Done;
            other_users_edit(list, &known);
        }
        let rows: Vec<Value> = list
            .items
            .iter()
            .filter(|i| status.as_deref().is_none_or(|s| i.status == s))
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(PAGE)
            .filter(|i| known.binary_search(&i.element_id).is_ok())
            .filter(|i| list.hidden.binary_search(&i.element_id).is_err())
            .map(|i| json!({"ID": i.element_id, "STATUS": i.status, "ENTITY_TYPE": list.entity_type_id}))
            .collect();
        if rows.is_empty() {
            if start > 0 && list.other_edit == OtherEdit::Waiting {
                // The card read past the list's end: the other user's edit comes next.
                list.other_edit = OtherEdit::Armed;
            }
            return Err(fault(
                403,
                "ACCESS_ERROR",
                "You do not have access to the participants of this call list",
            ));
        }
        Ok(Reply::plain(Value::Array(rows)))
    }

    /// The `CALL_LIST` directory: `(STATUS_ID, NAME, ID)`, with `ID` numbered as
    /// `crm.status.list` numbers it.
    fn statuses(&self) -> impl Iterator<Item = (&'static str, &'static str, usize)> + '_ {
        let mut offset = 0;
        let mut found = None;
        for d in DIRECTORIES.iter() {
            if d.entity_id == "CALL_LIST" {
                found = Some((d, offset));
                break;
            }
            offset += d.statuses.len();
        }
        let lang = usize::from(self.ru);
        found.into_iter().flat_map(move |(d, offset)| {
            d.statuses
                .iter()
                .enumerate()
                .map(move |(i, s)| (s.id, s.name[lang], offset + i + 1))
        })
    }

    /// `crm.calllist.statuslist`: `{ID, NAME, SORT, STATUS_ID}` with integer `ID` and `SORT`.
    fn statuslist(&self) -> Value {
        Value::Array(
            self.statuses()
                .enumerate()
                .map(|(i, (code, name, id))| {
                    json!({"ID": id, "NAME": name, "SORT": (i + 1) * 10, "STATUS_ID": code})
                })
                .collect(),
        )
    }

    /// The checks `add` and `update` share: the entity type (contacts or companies only) and
    /// the ids (an array, not empty, every one existing, no repeats).
    fn entities(
        params: &Value,
        ids_of: &dyn Fn(EntityKind) -> Vec<u64>,
        type_text: &'static str,
        missing_code: &'static str,
    ) -> Result<(EntityKind, Vec<u64>), Fault> {
        let raw_type = required(params, "ENTITY_TYPE")?;
        let raw_entities = required(params, "ENTITIES")?;
        let kind = EntityKind::from_value(raw_type)
            .filter(|k| matches!(k, EntityKind::Contact | EntityKind::Company));
        // `add` checks the array first, `update` the type: the order decides which error wins.
        let is_array = matches!(raw_entities, Value::Array(_) | Value::Object(_));
        let not_array = || fault(400, "ENTITIES_ERROR", "Entities is not array");
        let bad_type = || fault(400, "ENTITY_TYPE_ERROR", type_text);
        let kind = if missing_code == "ENTITY_ERROR" {
            if !is_array {
                return Err(not_array());
            }
            kind.ok_or_else(bad_type)?
        } else {
            let k = kind.ok_or_else(bad_type)?;
            if !is_array {
                return Err(not_array());
            }
            k
        };
        let values = values_of(raw_entities);
        if values.is_empty() {
            return Err(fault(400, "ENTITIES_ERROR", "Incorrect entities id"));
        }
        let known = sorted(ids_of(kind));
        let ids: Vec<u64> = values
            .iter()
            .filter_map(|v| to_u64(v).filter(|id| *id > 0))
            .collect();
        let found = sorted(
            ids.iter()
                .copied()
                .filter(|id| known.binary_search(id).is_ok())
                .collect(),
        );
        // The portal compares the number of rows found with the number of ids sent, so a
        // repeated id fails as surely as a missing one.
        if found.len() != values.len() {
            return Err(fault(400, missing_code, "Incorrect entities id"));
        }
        Ok((kind, ids))
    }

    /// `WEBFORM_ID`: `Ok(None)` when absent or null, the form when it exists, else `WEBFORM_ERROR`.
    fn webform(params: &Value) -> Result<Option<u64>, Fault> {
        match arg(params, "WEBFORM_ID") {
            None | Some(Value::Null) => Ok(None),
            Some(v) => to_u64(v)
                .filter(|id| WEBFORMS.contains(id))
                .map(Some)
                .ok_or_else(|| fault(400, "WEBFORM_ERROR", "Incorrect webform id")),
        }
    }

    /// `crm.calllist.add`: a new contact or company list, every participant `IN_WORK`, and its
    /// open activity. Answers the new id.
    fn add(
        &mut self,
        params: &Value,
        ids_of: &dyn Fn(EntityKind) -> Vec<u64>,
        now_secs: i64,
    ) -> Result<Reply, Fault> {
        let (kind, ids) = Self::entities(params, ids_of, "Incorrect entity type", "ENTITY_ERROR")?;
        let webform_id = Self::webform(params)?;
        let id = self.next_list_id;
        self.next_list_id += 1;
        self.lists.push(List {
            id,
            entity_type_id: u64::from(kind.type_id()),
            created: now_secs,
            created_by: ME,
            webform_id,
            items: ids
                .into_iter()
                .map(|element_id| Item {
                    element_id,
                    status: "IN_WORK".into(),
                })
                .collect(),
            hidden: Vec::new(),
            other_edit: OtherEdit::Off,
        });
        self.activities.push(Activity {
            id: self.next_activity_id,
            list_id: id,
            responsible: ME,
            completed: false,
            created: now_secs,
        });
        self.next_activity_id += 1;
        Ok(Reply::plain(json!(id)))
    }

    /// `crm.calllist.update`: the participants become exactly `ENTITIES` (kept ones keep their
    /// status and place, new ones are appended `IN_WORK`); `WEBFORM_ID` is set, or cleared when
    /// omitted. Nothing changes when any check fails.
    fn update(
        &mut self,
        params: &Value,
        ids_of: &dyn Fn(EntityKind) -> Vec<u64>,
    ) -> Result<Reply, Fault> {
        let raw_id = required(params, "LIST_ID")?;
        let (kind, ids) =
            Self::entities(params, ids_of, "EntityType is incorrect", "ENTITIES_ERROR")?;
        let list_id = to_u64(raw_id).unwrap_or(0);
        let list = self
            .lists
            .iter_mut()
            .find(|l| l.id == list_id)
            .ok_or_else(|| fault(400, "LIST_ID_ERROR", "Incorrect list id or access denied"))?;
        if list.entity_type_id != u64::from(kind.type_id()) {
            return Err(fault(
                400,
                "ENTITY_TYPE_ERROR",
                "Discrepancy between the type of call participants and incoming type",
            ));
        }
        let webform_id = Self::webform(params)?;
        let wanted = sorted(ids.clone());
        list.items
            .retain(|i| wanted.binary_search(&i.element_id).is_ok());
        let kept = sorted(list.items.iter().map(|i| i.element_id).collect());
        for id in ids {
            // The portal adds only those the user may read (`filterAllowedItems`).
            if kept.binary_search(&id).is_err() && list.hidden.binary_search(&id).is_err() {
                list.items.push(Item {
                    element_id: id,
                    status: "IN_WORK".into(),
                });
            }
        }
        list.webform_id = webform_id;
        Ok(Reply::plain(json!(true)))
    }

    fn activity_row(&self, a: &Activity) -> Value {
        let subject = if self.ru {
            format!("Обзвон #{}", a.list_id)
        } else {
            format!("Call list #{}", a.list_id)
        };
        let at = iso(a.created);
        json!({
            "ID": a.id.to_string(),
            "OWNER_ID": a.list_id.to_string(),
            "OWNER_TYPE_ID": OWNER_TYPE_CALL_LIST.to_string(),
            "TYPE_ID": ACTIVITY_TYPE_PROVIDER.to_string(),
            "PROVIDER_ID": "CALL_LIST",
            "PROVIDER_TYPE_ID": "CALL_LIST",
            "PROVIDER_GROUP_ID": null,
            "ASSOCIATED_ENTITY_ID": a.list_id.to_string(),
            "SUBJECT": subject,
            "CREATED": at,
            "LAST_UPDATED": at,
            "START_TIME": at,
            "END_TIME": at,
            "DEADLINE": at,
            "COMPLETED": if a.completed { "Y" } else { "N" },
            "STATUS": if a.completed { "2" } else { "1" },
            "RESPONSIBLE_ID": a.responsible.to_string(),
            "PRIORITY": "2",
            "NOTIFY_TYPE": "0",
            "NOTIFY_VALUE": "0",
            "DESCRIPTION": "",
            "DESCRIPTION_TYPE": "1",
            "DIRECTION": "0",
            "LOCATION": "",
            "SETTINGS": [],
            "ORIGINATOR_ID": null,
            "ORIGIN_ID": null,
            "AUTHOR_ID": a.responsible.to_string(),
            "EDITOR_ID": a.responsible.to_string(),
            "PROVIDER_PARAMS": [],
            "PROVIDER_DATA": null,
            "RESULT_MARK": "0",
            "RESULT_VALUE": null,
            "RESULT_SUM": null,
            "RESULT_CURRENCY_ID": null,
            "RESULT_STATUS": "0",
            "RESULT_STREAM": "0",
            "RESULT_SOURCE_ID": null,
            "AUTOCOMPLETE_RULE": "0",
        })
    }

    /// `crm.activity.list` for call-list activities: `filter`, `order`, `select`, 50 a page
    /// with `next`/`total` (none with `start=-1`).
    pub(crate) fn activity_list(&self, params: &Value) -> Reply {
        let all: Vec<Value> = self
            .activities
            .iter()
            .map(|a| self.activity_row(a))
            .collect();
        let filter = arg(params, "filter").and_then(Value::as_object);
        let mut rows: Vec<&Map<String, Value>> = all
            .iter()
            .filter_map(Value::as_object)
            .filter(|r| filter.is_none_or(|f| passes(r, f)))
            .collect();
        sort_rows(&mut rows, arg(params, "order"));
        paged(select_fields(rows, params, "ID", ""), params)
    }
}

#[cfg(test)]
mod tests {
    use crate::{DemoConfig, Sim, SimEvent};
    use callcard_core::call::decode_call_status;
    use callcard_core::campaign::{self, Detection, ItemPages, ListItem, ListRead, Progress};
    use callcard_core::model::entity::{EntityKind, EntityRef};
    use serde_json::{Value, json};

    fn sim(q: &str) -> Sim {
        Sim::new(&DemoConfig::from_query(q))
    }

    fn ok(s: &mut Sim, (method, params): (&str, Value)) -> Value {
        match s.rest(method, &params) {
            Ok(body) => body,
            Err(e) => panic!("{method} {params}: {e:?}"),
        }
    }

    fn err(s: &mut Sim, method: &str, params: Value) -> (u16, String) {
        match s.rest(method, &params) {
            Ok(body) => panic!("{method} {params} answered {body}"),
            Err((status, body)) => (status, body["error"].as_str().unwrap_or("").to_string()),
        }
    }

    fn client(s: &Sim) -> EntityRef {
        decode_call_status(&s.status()).unwrap().entity.unwrap()
    }

    /// Reads a whole list the way the card does, with what the pager found out.
    fn read_list(s: &mut Sim, list: u64) -> ListRead {
        let mut pages = ItemPages::new();
        while let Some(start) = pages.next_starts(1).first().copied() {
            let (m, p) = campaign::items_query(list, None, start);
            match s.rest(m, &p) {
                Ok(body) => {
                    pages.feed(start, &body["result"]);
                }
                Err((_, body)) => {
                    if !pages.feed_error(start, body["error"].as_str().unwrap()) {
                        break;
                    }
                }
            }
        }
        pages.into_read()
    }

    fn true_size(s: &Sim, list: u64) -> usize {
        s.call_list_sizes()
            .iter()
            .find(|(id, _)| *id == list)
            .map(|(_, n)| *n)
            .unwrap()
    }

    #[test]
    fn hidden_members_are_left_out_after_paging_and_a_blind_write_deletes_them() {
        let mut s = sim("scenario=campaign&calllist_size=120&calllist_hidden=2");
        let client_ref = client(&s);
        assert_eq!(true_size(&s, 6), 120);
        // Pages come back short (49, 49, 20): cut first, then the two hidden left out.
        let (m, p) = campaign::items_query(6, None, 0);
        assert_eq!(ok(&mut s, (m, p))["result"].as_array().unwrap().len(), 49);
        let read = read_list(&mut s, 6);
        assert_eq!(
            read.items.len(),
            118,
            "every readable member, past the short pages"
        );
        assert_eq!(
            read.hidden_at_least, 2,
            "the rows after each short page prove them"
        );
        assert!(read.ended);
        assert_eq!(read.complete(false), Err(campaign::Refusal::Hidden));
        assert!(campaign::find_in(&read.items, 3, &[client_ref]).is_some());
        // What the card used to do: remove and re-add from what it read. Two members are lost.
        let lists =
            campaign::decode_lists(&ok(&mut s, campaign::recent_lists_query(1, 0))["result"]);
        let main = lists.iter().find(|l| l.id == 6).unwrap().clone();
        let wanted = campaign::with_client_removed(&read.items, client_ref.id);
        ok(
            &mut s,
            campaign::update_params(&main, &wanted, main.webform_id).unwrap(),
        );
        let now = read_list(&mut s, 6);
        ok(
            &mut s,
            campaign::update_params(
                &main,
                &campaign::with_client_added(&now.items, client_ref.id),
                main.webform_id,
            )
            .unwrap(),
        );
        assert_eq!(
            true_size(&s, 6),
            118,
            "the hidden ones were deleted by the overwrite"
        );
        let after = read_list(&mut s, 6);
        assert_eq!((after.items.len(), after.hidden_at_least), (118, 0));

        // On a list of one page the hidden sit in it: nothing in the answers shows them.
        let mut s = sim("scenario=campaign&calllist_hidden=2");
        let read = read_list(&mut s, 6);
        assert_eq!((read.items.len(), true_size(&s, 6)), (22, 24));
        assert_eq!(read.hidden_at_least, 0);
        assert_eq!(read.complete(false), Err(campaign::Refusal::Uncertain));
        // Every list has its two hidden, the client never among them, one member always readable.
        for (id, size) in s.call_list_sizes() {
            let read = read_list(&mut s, id);
            assert_eq!(read.items.len(), size - 2.min(size - 1), "list {id}");
        }
        assert!(campaign::find_in(&read_list(&mut s, 7).items, 3, &[client(&s)]).is_some());
        // A hidden member whose id is sent stays (the portal keeps what is sent); one that is
        // not sent is deleted; and the portal does not add back an entity the user may not read.
        let hidden_one = {
            let all = sim("scenario=campaign");
            let mut all = all;
            let every = all_items(&mut all, 6);
            let seen = read_list(&mut s, 6);
            every
                .iter()
                .map(|i| i.entity_id)
                .find(|id| !seen.items.iter().any(|i| i.entity_id == *id))
                .unwrap()
        };
        let lists =
            campaign::decode_lists(&ok(&mut s, campaign::recent_lists_query(1, 0))["result"]);
        let main = lists.iter().find(|l| l.id == 6).unwrap().clone();
        let read = read_list(&mut s, 6);
        let wanted = campaign::with_client_added(&read.items, hidden_one);
        let upd = campaign::update_params(&main, &wanted, main.webform_id).unwrap();
        ok(&mut s, upd.clone());
        assert_eq!(true_size(&s, 6), 23, "the one sent kept, the other deleted");
        let without = campaign::with_client_removed(&read.items, hidden_one);
        ok(
            &mut s,
            campaign::update_params(&main, &without, main.webform_id).unwrap(),
        );
        assert_eq!(true_size(&s, 6), 22);
        ok(&mut s, upd);
        assert_eq!(true_size(&s, 6), 22, "not added back");
        // Without the parameter nothing is hidden.
        let mut s = sim("scenario=campaign");
        assert_eq!(read_list(&mut s, 6).items.len(), true_size(&s, 6));
    }

    #[test]
    fn the_other_users_edit_adds_the_first_missing_entity_or_removes_the_last() {
        let mut l = crate::calllist::List {
            id: 9,
            entity_type_id: 3,
            created: 0,
            created_by: 1,
            webform_id: None,
            items: [3, 1]
                .iter()
                .map(|id| crate::calllist::Item {
                    element_id: *id,
                    status: "SUCCESS".into(),
                })
                .collect(),
            hidden: Vec::new(),
            other_edit: crate::calllist::OtherEdit::Off,
        };
        crate::calllist::other_users_edit(&mut l, &[1, 2, 3]);
        let ids: Vec<u64> = l.items.iter().map(|i| i.element_id).collect();
        assert_eq!(ids, vec![3, 1, 2]);
        crate::calllist::other_users_edit(&mut l, &[1, 2, 3]);
        let ids: Vec<u64> = l.items.iter().map(|i| i.element_id).collect();
        assert_eq!(ids, vec![3, 1], "every one in: the last leaves");
    }

    #[test]
    fn another_user_edits_each_list_once_after_the_card_has_read_it() {
        let mut s = sim("scenario=campaign&calllist_concurrent=1");
        let first = read_list(&mut s, 7);
        assert_eq!(first.items.len(), 4);
        // A first page asked before the end was reached changes nothing.
        let mut t = sim("scenario=campaign&calllist_concurrent=1");
        let (m, p) = campaign::items_query(7, None, 0);
        ok(&mut t, (m, p.clone()));
        ok(&mut t, (m, p));
        assert_eq!(true_size(&t, 7), 4);
        // The next read of list 7 sees the other user's member, added at the end, IN_WORK.
        let second = read_list(&mut s, 7);
        assert_eq!(second.items.len(), 5);
        assert_eq!(&second.items[..4], &first.items[..]);
        assert_eq!(second.items[4].status, "IN_WORK");
        assert!(campaign::changed_between(&first, &second));
        // Once: later reads see the same list.
        let third = read_list(&mut s, 7);
        assert!(!campaign::changed_between(&second, &third));
        assert_eq!(true_size(&s, 7), 5);
        // Every list gets its one edit on its second read.
        let all = read_list(&mut s, 5);
        let again = read_list(&mut s, 5);
        assert_eq!(again.items.len(), all.items.len() + 1);
        // Other lists are untouched until they are read.
        assert_eq!(true_size(&s, 6), 24);
        // Without the parameter nobody else edits.
        let mut s = sim("scenario=campaign");
        let a = read_list(&mut s, 7);
        assert!(!campaign::changed_between(&a, &read_list(&mut s, 7)));
    }

    /// Reads a whole list the way the card does: pages of 50 until the portal says it is over.
    fn all_items(s: &mut Sim, list: u64) -> Vec<ListItem> {
        let mut pages = ItemPages::new();
        while let Some(start) = pages.next_starts(1).first().copied() {
            let (m, p) = campaign::items_query(list, None, start);
            match s.rest(m, &p) {
                Ok(body) => {
                    assert!(body.get("next").is_none() && body.get("total").is_none());
                    pages.feed(start, &body["result"]);
                }
                Err((_, body)) => {
                    assert!(
                        pages.feed_error(start, body["error"].as_str().unwrap()),
                        "{body}"
                    );
                }
            }
        }
        pages.into_items()
    }

    #[test]
    fn the_campaign_client_is_in_two_of_my_lists_and_detection_ranks_them() {
        let mut s = sim("scenario=campaign");
        let me = ok(&mut s, ("user.current", json!({})))["result"]["ID"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap();
        let lists =
            campaign::decode_lists(&ok(&mut s, campaign::recent_lists_query(me, 0))["result"]);
        let ids: Vec<u64> = lists.iter().map(|l| l.id).collect();
        assert_eq!(ids, vec![7, 6, 4, 3], "mine only, newest first");
        assert!(
            lists.iter().any(|l| l.kind() == Some(EntityKind::Deal)),
            "a deal list is shown"
        );
        assert_eq!(
            lists.iter().find(|l| l.id == 6).unwrap().webform_id,
            Some(2)
        );
        let by_list: Vec<(u64, Vec<ListItem>)> =
            ids.iter().map(|id| (*id, all_items(&mut s, *id))).collect();
        let acts = campaign::decode_open_activity_lists(
            &ok(&mut s, campaign::open_activity_query(me))["result"],
        );
        assert_eq!(
            acts,
            vec![6, 4],
            "list 5's activity is someone else's, 3's and 7's are done"
        );
        let clients = [client(&s)];
        assert_eq!(
            campaign::detect(&lists, &by_list, &clients, &acts, None),
            Detection::Many(vec![6, 7]),
            "the open activity first, then the newest"
        );
        assert_eq!(
            campaign::detect(&lists, &by_list, &clients, &[], None),
            Detection::Many(vec![7, 6])
        );
        assert_eq!(
            campaign::detect(&lists, &by_list, &clients, &acts, Some(7)),
            Detection::One(7)
        );
        // The other user's list holds the client too, but it is not offered.
        let theirs = all_items(&mut s, 5);
        assert!(campaign::find_in(&theirs, 3, &clients).is_some());
    }

    #[test]
    fn progress_of_the_campaign_with_custom_and_removed_statuses() {
        let mut s = sim("scenario=campaign&lang=ru");
        let statuses =
            campaign::decode_statuses(&ok(&mut s, campaign::statuslist_query())["result"]);
        let codes: Vec<&str> = statuses.iter().map(|x| x.status_id.as_str()).collect();
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
        assert_eq!(statuses[4].name, "Перезвонить позже");
        let raw = ok(&mut s, campaign::statuslist_query());
        assert!(raw["result"][0]["ID"].is_u64() && raw["result"][0]["SORT"].is_u64());
        let items = all_items(&mut s, 6);
        let p = Progress::compute(&items, &statuses, 3, &[client(&s)]);
        assert_eq!((p.total, p.done, p.remaining), (24, 7, 17));
        let pos = p.position.unwrap();
        assert_eq!((pos.place, pos.of, pos.status.as_str()), (8, 24, "IN_WORK"));
        let removed = p.bars.iter().find(|b| b.status_id == "NO_ANSWER").unwrap();
        assert_eq!((removed.name.as_deref(), removed.count), (None, 1));
        assert_eq!(
            p.bars
                .iter()
                .find(|b| b.status_id == "STOP_CALLING")
                .unwrap()
                .count,
            1
        );
        // The campaign's contacts exist in the CRM, with a phone.
        for item in &items {
            let body = ok(
                &mut s,
                (
                    "crm.item.get",
                    json!({"entityTypeId": 3, "id": item.entity_id}),
                ),
            );
            assert!(
                body["result"]["item"]["phone"]
                    .as_str()
                    .is_some_and(|p| !p.is_empty())
            );
        }
    }

    #[test]
    fn items_page_by_fifty_without_next_and_end_in_access_error() {
        let mut s = sim("scenario=campaign&calllist_size=120");
        let page = |s: &mut Sim, start: i64| {
            s.rest(
                "crm.calllist.items.get",
                &json!({"LIST_ID": 6, "start": start}),
            )
        };
        let first = page(&mut s, 0).unwrap();
        assert_eq!(first["result"].as_array().unwrap().len(), 50);
        assert!(first.get("next").is_none() && first.get("total").is_none());
        assert_eq!(first["result"][0]["ENTITY_TYPE"], 3);
        assert_eq!(
            page(&mut s, 100).unwrap()["result"]
                .as_array()
                .unwrap()
                .len(),
            20
        );
        let (status, body) = page(&mut s, 150).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("ACCESS_ERROR"))
        );
        assert_eq!(all_items(&mut s, 6).len(), 120);
        // A status filter pages the same way, and must name a status of the directory.
        let (m, p) = campaign::items_query(6, Some("IN_WORK"), 0);
        let in_work = ok(&mut s, (m, p))["result"].as_array().unwrap().len();
        assert_eq!(in_work, 50);
        assert_eq!(
            err(
                &mut s,
                "crm.calllist.items.get",
                json!({"LIST_ID": 6, "FILTER": {"STATUS": "NOPE"}})
            ),
            (400, "STATUS_ERROR".into())
        );
        assert_eq!(
            err(&mut s, "crm.calllist.items.get", json!({})),
            (400, "ERROR_ARGUMENT".into())
        );
        assert_eq!(
            err(&mut s, "crm.calllist.items.get", json!({"LIST_ID": 0})),
            (400, "LIST_ID_ERROR".into())
        );
        assert_eq!(
            err(&mut s, "crm.calllist.items.get", json!({"LIST_ID": 99})),
            (400, "LIST_ID_ERROR".into())
        );
        // Outside the campaign scenario the list holds the CRM's own contacts only.
        let mut s = sim("scenario=incoming&calllist_size=120");
        assert_eq!(
            all_items(&mut s, 6).len(),
            8,
            "its 8 contacts, the caller among them"
        );
    }

    #[test]
    fn a_ten_thousand_item_campaign() {
        let mut s = sim("scenario=campaign&calllist_size=10000");
        let items = all_items(&mut s, 6);
        assert_eq!(items.len(), 10_000);
        let statuses =
            campaign::decode_statuses(&ok(&mut s, campaign::statuslist_query())["result"]);
        let p = Progress::compute(&items, &statuses, 3, &[client(&s)]);
        assert_eq!((p.total, p.done), (10_000, 3_333));
        assert_eq!(p.position.unwrap().place, 3_334);
        // The list page answers stay small: 200 requests of 50, the two empty pages that end
        // the list, and the statuses.
        assert_eq!(s.request_count(), 200 + 2 + 1);
        let events = s.next_in_campaign();
        assert_eq!(events.len(), 2);
    }

    #[test]
    fn next_marks_the_item_and_moves_on_until_the_end() {
        let mut s = sim("scenario=campaign&calllist_size=5");
        let first = client(&s);
        let call = s.status()["CALL_ID"].clone();
        s.answer();
        assert!(s.next_in_campaign().is_empty(), "no Next while talking");
        s.hangup();
        let events = s.next_in_campaign();
        let [
            SimEvent::EntityChanged(v),
            SimEvent::StateChanged {
                state,
                failed_code: None,
            },
        ] = &events[..]
        else {
            panic!("{events:?}")
        };
        assert_eq!(state, "connecting");
        let now = client(&s);
        assert_ne!(now, first);
        assert_eq!(v["CRM_ENTITY_TYPE"], "CONTACT");
        assert_eq!(v["CRM_ENTITY_ID"], json!(now.id));
        assert!(
            v["PHONE_NUMBER"]
                .as_str()
                .is_some_and(|p| p.starts_with('+'))
        );
        assert_ne!(s.status()["CALL_ID"], call);
        assert_eq!(s.status()["CRM_ACTIVITY_ID"], "");
        assert_eq!(s.status()["CALL_LIST_MODE"], true);
        let items = all_items(&mut s, 6);
        let was = items.iter().find(|i| i.entity_id == first.id).unwrap();
        assert!(["SUCCESS", "CALLBACK", "WRONG_NUMBER"].contains(&was.status.as_str()));
        // To the end: 5 items, the first is done already, the client was the second.
        let mut steps = 0;
        while !s.next_in_campaign().is_empty() {
            steps += 1;
            assert!(steps < 10);
        }
        assert_eq!(steps, 2);
        let last = client(&s);
        assert!(s.next_in_campaign().is_empty(), "it stays");
        assert_eq!(client(&s), last);
        let items = all_items(&mut s, 6);
        assert!(
            items.iter().all(|i| i.status != "IN_WORK"),
            "the last one is marked too"
        );
        // The same seed gives the same outcomes.
        let mut again = sim("scenario=campaign&calllist_size=5");
        while !again.next_in_campaign().is_empty() {}
        again.next_in_campaign();
        assert_eq!(all_items(&mut again, 6), items);
        // Only in the campaign.
        assert!(sim("scenario=outgoing").next_in_campaign().is_empty());
    }

    #[test]
    fn update_overwrites_the_set_and_the_web_form() {
        let mut s = sim("scenario=campaign");
        let me = 1;
        let lists =
            campaign::decode_lists(&ok(&mut s, campaign::recent_lists_query(me, 0))["result"]);
        let main = lists.iter().find(|l| l.id == 6).unwrap().clone();
        let items = all_items(&mut s, 6);
        // Remove the client, keeping the web form.
        let client_ref = client(&s);
        let wanted = campaign::with_client_removed(&items, client_ref.id);
        let cmd = campaign::update_params(&main, &wanted, main.webform_id).unwrap();
        assert_eq!(ok(&mut s, cmd)["result"], true);
        let now = all_items(&mut s, 6);
        assert!(campaign::took_effect_update(&wanted, &now));
        assert_eq!(now.len(), 23);
        let get = ok(&mut s, campaign::list_get_query(6))["result"].clone();
        assert_eq!(
            (get["WEBFORM_ID"].as_str(), get["ENTITY_TYPE"].as_str()),
            (Some("2"), Some("CONTACT"))
        );
        // Add it back: it comes last, IN_WORK; the others keep their statuses.
        let wanted = campaign::with_client_added(&now, client_ref.id);
        ok(
            &mut s,
            campaign::update_params(&main, &wanted, main.webform_id).unwrap(),
        );
        let after = all_items(&mut s, 6);
        assert_eq!(
            after.last().map(|i| (i.entity_id, i.status.as_str())),
            Some((client_ref.id, "IN_WORK"))
        );
        assert_eq!(&after[..23], &now[..]);
        // Omitting WEBFORM_ID clears it, as on the portal.
        ok(
            &mut s,
            campaign::update_params(&main, &wanted, None).unwrap(),
        );
        let get = ok(&mut s, campaign::list_get_query(6))["result"].clone();
        assert_eq!(get["WEBFORM_ID"], Value::Null);
        // Through a batch, form-encoded like the card sends it.
        let mut b = callcard_core::rest::batch::Batch::new();
        let (m, p) = campaign::update_params(&main, &wanted, Some(3)).unwrap();
        b.add("upd", m, p);
        let (m, p) = campaign::list_get_query(6);
        b.add("z_get", m, p);
        let params = &b.to_params()[0];
        let cmd: serde_json::Map<String, Value> = params["cmd"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let body = ok(&mut s, ("batch", json!({"halt": 0, "cmd": cmd})));
        assert_eq!(body["result"]["result"]["upd"], true, "{body}");
        assert_eq!(body["result"]["result"]["z_get"]["WEBFORM_ID"], "3");
        assert_eq!(all_items(&mut s, 6).len(), 24);
    }

    #[test]
    fn writes_refuse_bad_input_with_the_documented_codes() {
        let mut s = sim("scenario=campaign");
        let upd = "crm.calllist.update";
        let before = all_items(&mut s, 6);
        let cases = [
            (
                json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": [12]}),
                "ERROR_ARGUMENT",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "DEAL", "ENTITIES": [41]}),
                "ENTITY_TYPE_ERROR",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "COMPANY", "ENTITIES": [5]}),
                "ENTITY_TYPE_ERROR",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": "12"}),
                "ENTITIES_ERROR",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": []}),
                "ENTITIES_ERROR",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12, 999_999]}),
                "ENTITIES_ERROR",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12, "abc"]}),
                "ENTITIES_ERROR",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12, 12]}),
                "ENTITIES_ERROR",
            ),
            (
                json!({"LIST_ID": 99, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12]}),
                "LIST_ID_ERROR",
            ),
            (
                json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12], "WEBFORM_ID": 77}),
                "WEBFORM_ERROR",
            ),
            (
                json!({"LIST_ID": 4, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12]}),
                "ENTITY_TYPE_ERROR",
            ),
        ];
        for (params, code) in cases {
            assert_eq!(err(&mut s, upd, params.clone()).1, code, "{params}");
        }
        assert_eq!(
            all_items(&mut s, 6),
            before,
            "a refused update changes nothing"
        );
        let add = "crm.calllist.add";
        let cases = [
            (json!({"ENTITIES": [12]}), "ERROR_ARGUMENT"),
            (json!({"ENTITY_TYPE": "CONTACT"}), "ERROR_ARGUMENT"),
            (
                json!({"ENTITY_TYPE": "DEAL", "ENTITIES": [41]}),
                "ENTITY_TYPE_ERROR",
            ),
            (
                json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": 12}),
                "ENTITIES_ERROR",
            ),
            (
                json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": []}),
                "ENTITIES_ERROR",
            ),
            (
                json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": [12, 5_000]}),
                "ENTITY_ERROR",
            ),
            (
                json!({"ENTITY_TYPE": "COMPANY", "ENTITIES": [12]}),
                "ENTITY_ERROR",
            ),
            (
                json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": [12], "WEBFORM_ID": "x"}),
                "WEBFORM_ERROR",
            ),
        ];
        for (params, code) in cases {
            assert_eq!(err(&mut s, add, params.clone()).1, code, "{params}");
        }
        assert_eq!(
            err(&mut s, "crm.calllist.get", json!({})),
            (400, "ERROR_ARGUMENT".into())
        );
        assert_eq!(
            err(&mut s, "crm.calllist.get", json!({"ID": 99})),
            (400, "LIST_ID_ERROR".into())
        );
        assert_eq!(
            err(
                &mut s,
                "crm.calllist.list",
                json!({"FILTER": {"TITLE": "x"}})
            ),
            (400, "100".into())
        );
        let deal = ok(&mut s, campaign::list_get_query(4))["result"].clone();
        assert_eq!(
            (
                deal["ENTITY_TYPE"].as_str(),
                deal["ENTITY_TYPE_ID"].as_str()
            ),
            (Some("DEAL"), Some("2"))
        );
    }

    #[test]
    fn add_creates_a_list_with_its_activity_and_the_timeout_check_finds_it() {
        let mut s = sim("scenario=campaign&lang=ru");
        let client_ref = client(&s);
        let bindings = decode_call_status(&s.status()).unwrap().bindings;
        let plan = campaign::add_params(client_ref, &bindings).unwrap();
        assert!(plan.dropped.iter().any(|d| d.kind == EntityKind::Company));
        let id = campaign::decode_added(&ok(&mut s, plan.command.clone())["result"]).unwrap();
        assert_eq!(id, 8);
        let lists =
            campaign::decode_lists(&ok(&mut s, campaign::recent_lists_query(1, 0))["result"]);
        assert_eq!(lists[0].id, 8);
        assert!(lists[0].created.len() == 19 && lists[0].created.as_bytes()[10] == b' ');
        let by_list: Vec<(u64, Vec<ListItem>)> = lists
            .iter()
            .map(|l| (l.id, all_items(&mut s, l.id)))
            .collect();
        assert_eq!(
            campaign::took_effect_add(&lists, &by_list, plan.kind, 1, &plan.entities, Some(7)),
            Some(8)
        );
        assert!(by_list[0].1.iter().all(|i| i.status == "IN_WORK"));
        let acts = ok(&mut s, campaign::open_activity_query(1));
        assert_eq!(
            campaign::decode_open_activity_lists(&acts["result"]),
            vec![8, 6, 4]
        );
        let rows = ok(
            &mut s,
            (
                "crm.activity.list",
                json!({"filter": {"PROVIDER_ID": "CALL_LIST", "ID": 8106}}),
            ),
        );
        assert_eq!(rows["result"][0]["SUBJECT"], "Обзвон #8");
        assert_eq!(rows["result"][0]["OWNER_TYPE_ID"], "12");
        assert_eq!(rows["total"], 1);
        // Paging of the lists: start skips, start=-1 gives everything.
        let all = ok(&mut s, ("crm.calllist.list", json!({"start": -1})));
        assert_eq!(all["result"].as_array().unwrap().len(), 6);
        let rest = ok(
            &mut s,
            (
                "crm.calllist.list",
                json!({"start": 4, "ORDER": {"ID": "ASC"}}),
            ),
        );
        assert_eq!(rest["result"].as_array().unwrap().len(), 2);
        assert_eq!(rest["result"][0]["ID"], "7");
        let picked = ok(
            &mut s,
            (
                "crm.calllist.list",
                json!({"SELECT": ["ID"], "FILTER": {">ID": 6}}),
            ),
        );
        assert_eq!(picked["result"], json!([{"ID": "7"}, {"ID": "8"}]));
    }

    #[test]
    fn other_activity_queries_are_not_answered_here() {
        let mut s = sim("");
        assert!(super::is_call_list_query(
            &json!({"filter": {"=PROVIDER_ID": "CALL_LIST"}})
        ));
        assert!(!super::is_call_list_query(
            &json!({"filter": {"PROVIDER_ID": "VOXIMPLANT_CALL"}})
        ));
        assert!(!super::is_call_list_query(&json!({})));
        // Left to the general `crm.activity.list` (the client history): no call-list rows.
        let body = s
            .rest("crm.activity.list", &json!({"filter": {"OWNER_ID": 12}}))
            .expect("answered by the history");
        let rows = body["result"].as_array().expect("rows");
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["PROVIDER_ID"] != "CALL_LIST"));
    }
}
