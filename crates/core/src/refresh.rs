//! The refresh pipeline's pure half: what one refresh asks for (one `batch`), and what the
//! answer means for the screen. The browser half (`src/store.rs` in the app) only sends and stores.

use serde_json::{Value, json};

use crate::call::{CallStatus, PhoneNumber};
use crate::client::{
    CrmItem, Money, Person, Phone, Stage, StageBook, decode_item_get, decode_item_list,
    decode_users,
};
use crate::history::{self, ActivityPage, CommentPage, StatsAccess, Timeline};
use crate::model::value::{DecodeError, as_list, value_u64};
use crate::model::{EntityKind, EntityRef};
use crate::rest::error::ErrorClass;
use crate::rest::{Batch, BatchAnswer, RestError};

/// The fields bindings are listed with (`fm` cannot be selected in `crm.item.list`).
const BINDING_SELECT: &[&str] = &[
    "id",
    "title",
    "name",
    "secondName",
    "lastName",
    "stageId",
    "categoryId",
    "opportunity",
    "currencyId",
    "companyTitle",
];

/// Batch keys, shared by [`plan`] and [`decode`].
pub mod key {
    pub const CLIENT: &str = "client";
    pub const COMPANY: &str = "company";
    pub const USER: &str = "user";
    pub const STAGES: &str = "stages";
    pub const HISTORY: &str = "history";
    pub const HISTORY_STATS: &str = "history_stats";
    pub const COMMENTS: &str = "history_notes";
    /// `crm.duplicate.findbycomm` for a number the call is not bound to; `match_<type>` name
    /// its finds through `$result[match][TYPE]` (keys after `match`: the portal runs them later).
    pub const MATCH: &str = "match";
    pub fn match_names(kind: super::EntityKind) -> String {
        format!("match_{}", kind.name().to_ascii_lowercase())
    }
    pub const STAFF: &str = "staff";
    pub const ME: &str = "me";
    pub fn bindings(kind: super::EntityKind) -> String {
        format!("b_{}", kind.name().to_ascii_lowercase())
    }
}

/// What one refresh asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshPlan {
    /// The status this plan was made for.
    pub status: CallStatus,
    /// The one batch; empty when there is nothing to ask (no client, no bindings, stages cached).
    pub batch: Batch,
}

/// Builds the batch for `status`: the client (`crm.item.get`, with phones), its company and its
/// responsible user through `$result` references (so they cost no second round trip), one
/// `crm.item.list` per bound type, and the stage directory only when `stages` is empty.
pub fn plan(status: &CallStatus, stages: &StageBook) -> RefreshPlan {
    let mut batch = Batch::new();
    if let Some(e) = status.entity {
        batch.add(
            key::CLIENT,
            "crm.item.get",
            json!({"entityTypeId": e.kind.type_id(), "id": e.id}),
        );
        if e.kind == EntityKind::Contact {
            // A list (not a get) so that a contact without a company (companyId 0) is an empty
            // answer instead of an error.
            batch.add(
                key::COMPANY,
                "crm.item.list",
                json!({"entityTypeId": 4, "filter": {"=id": Batch::reference(key::CLIENT, &["item", "companyId"])}, "select": ["id", "title"]}),
            );
        }
        batch.add(
            key::USER,
            "user.get",
            json!({"ID": Batch::reference(key::CLIENT, &["item", "assignedById"])}),
        );
        // The client's history rides in the same request: no second round trip.
        add_history(&mut batch, e, None);
    }
    let others = status.other_bindings();
    // Types in the order the portal lists them (no sort: each sort instantiation costs wasm).
    let mut kinds: Vec<EntityKind> = Vec::new();
    for b in &others {
        // Types `crm.item.*` cannot address are shown by type and id, never asked about.
        if b.kind.item_api() && !kinds.contains(&b.kind) {
            kinds.push(b.kind);
        }
    }
    for kind in kinds {
        let ids: Vec<u64> = others
            .iter()
            .filter(|b| b.kind == kind)
            .map(|b| b.id)
            .collect();
        batch.add(
            key::bindings(kind),
            "crm.item.list",
            json!({"entityTypeId": kind.type_id(), "filter": {"@id": ids}, "select": BINDING_SELECT}),
        );
    }
    let needs_stages = !batch.is_empty() && stages.is_empty();
    if needs_stages {
        batch.add(
            key::STAGES,
            "crm.status.list",
            json!({"order": {"SORT": "ASC"}}),
        );
    }
    if status.entity.is_none()
        && let PhoneNumber::Known(number) = &status.phone
    {
        add_match(&mut batch, number);
    }
    RefreshPlan {
        status: status.clone(),
        batch,
    }
}

/// The client as the card shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientView {
    pub entity: EntityRef,
    pub name: String,
    pub post: Option<String>,
    pub company: Option<(EntityRef, String)>,
    pub phones: Vec<Phone>,
    pub responsible: Option<Person>,
    pub stage: Option<Stage>,
}

/// What the card can say about the client slot.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientSlot {
    /// The number is not in the CRM.
    None,
    Loaded(Box<ClientView>),
    /// The item could not be read: deleted, or the user may not see it.
    Unavailable {
        entity: EntityRef,
        class: ErrorClass,
    },
}

/// A binding as the card shows it. `title` is `None` when the item could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct BindingView {
    pub entity: EntityRef,
    pub title: Option<String>,
    pub stage: Option<Stage>,
    pub amount: Option<Money>,
    /// The portal refused to show items of this type to the user.
    pub denied: bool,
    /// False for a type the card cannot read (old invoices): shown by type and id only.
    pub readable: bool,
}

/// Everything one refresh produced.
#[derive(Debug, Clone, PartialEq)]
pub struct CardData {
    pub client: ClientSlot,
    pub bindings: Vec<BindingView>,
    /// A fresh stage directory, when this refresh asked for one (to cache).
    pub new_stages: Option<StageBook>,
    /// A stage code the directory did not know: the cache is stale, ask again next time.
    pub stages_stale: bool,
    /// The client's history (first page), or why it could not be read; `None` without a client.
    pub history: Option<Result<Timeline, ErrorClass>>,
    /// Who else has the number the call is not bound to; `None` when not asked (a client is
    /// bound, or there is no number).
    pub matches: Option<Result<Vec<CrmMatch>, ErrorClass>>,
}

/// The types `crm.duplicate.findbycomm` answers with, in the order the card shows them.
const MATCH_KINDS: [EntityKind; 3] = [EntityKind::Contact, EntityKind::Company, EntityKind::Lead];

/// The most matches the card names (findbycomm gives up to 20 per type).
pub const MAX_MATCHES: usize = 10;

/// A CRM item that has the call's number: "this number belongs to …".
#[derive(Debug, Clone, PartialEq)]
pub struct CrmMatch {
    pub entity: EntityRef,
    /// `None` when the name could not be read (no access, or the list failed).
    pub name: Option<String>,
}

/// Adds the number search and the names of what it finds: the names come from one
/// `crm.item.list` per type filtered by `@id` = `$result[match][TYPE]`, so the whole search
/// costs the refresh no request of its own. A type with no match resolves to `""` and lists
/// nothing; the decoder trusts only ids findbycomm itself returned.
fn add_match(batch: &mut Batch, number: &str) {
    batch.add(
        key::MATCH,
        "crm.duplicate.findbycomm",
        json!({"type": "PHONE", "values": [number]}),
    );
    for kind in MATCH_KINDS {
        batch.add(
            key::match_names(kind),
            "crm.item.list",
            json!({"entityTypeId": kind.type_id(),
                   "filter": {"@id": Batch::reference(key::MATCH, &[&kind.name()])},
                   "select": ["id", "title", "name", "secondName", "lastName"]}),
        );
    }
}

/// Reads `crm.duplicate.findbycomm`'s `result`: `{CONTACT: [ids], COMPANY: [...], LEAD: [...]}`,
/// or `[]` (PHP's empty map) when nothing matched. Leniently: ids as numbers or strings, a
/// type's list as a PHP map (`{"0": 5}`), unknown types and unreadable ids skipped, each item
/// once. Only a `result` that is neither a map nor a list is an error.
pub fn decode_findbycomm(result: &Value) -> Result<Vec<EntityRef>, DecodeError> {
    let map = match result {
        Value::Object(m) => m,
        other => {
            as_list(other, "findbycomm map")?;
            return Ok(Vec::new());
        }
    };
    let mut found = Vec::new();
    for kind in MATCH_KINDS {
        let Some((_, ids)) = map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&kind.name()))
        else {
            continue;
        };
        let ids: Vec<&Value> = match ids {
            Value::Array(a) => a.iter().collect(),
            Value::Object(m) => m.values().collect(),
            v => vec![v],
        };
        for id in ids {
            if let Ok(Some(id)) = value_u64(id)
                && id > 0
            {
                let e = EntityRef::new(kind, id);
                if !found.contains(&e) {
                    found.push(e);
                }
            }
        }
    }
    Ok(found)
}

/// The number search of a refresh answer, with names where the lists gave them.
fn decode_matches(answer: &BatchAnswer) -> Result<Vec<CrmMatch>, ErrorClass> {
    let a = answer.get(key::MATCH).map_err(|e| e.class())?;
    let found = decode_findbycomm(&a.result).map_err(|e| RestError::Decode(e).class())?;
    Ok(found
        .into_iter()
        .take(MAX_MATCHES)
        .map(|entity| {
            let name = answer
                .get(&key::match_names(entity.kind))
                .ok()
                .and_then(|l| decode_item_list(entity.kind, &l.result).ok())
                .and_then(|items| items.into_iter().find(|i| i.entity == entity))
                .and_then(|i| i.display_name());
            CrmMatch { entity, name }
        })
        .collect())
}

/// The history part of a batch answer (keys [`key::HISTORY`] and [`key::HISTORY_STATS`]):
/// also used for the first page alone, after a call ends.
pub fn decode_history(answer: &BatchAnswer) -> Result<Timeline, ErrorClass> {
    let (page, stats) = decode_history_page(answer).map_err(|e| unavailable_class(&e))?;
    let mut t = Timeline::new();
    t.apply_first_page(page, stats);
    t.take_comments(decode_comment_page(answer));
    Ok(t)
}

/// The comment page of a batch answer (key [`key::COMMENTS`]); `None` when it was not asked,
/// failed (no access, an old portal without the method) or could not be read.
pub fn decode_comment_page(answer: &BatchAnswer) -> Option<CommentPage> {
    let a = answer.get(key::COMMENTS).ok()?;
    history::decode_comments(&a.result).ok()
}

/// One history page and its statistics from a batch answer (first page or "show more").
pub fn decode_history_page(answer: &BatchAnswer) -> Result<(ActivityPage, StatsAccess), RestError> {
    let page = history::decode_activities(&answer.get(key::HISTORY)?.result)?;
    Ok((
        page,
        StatsAccess::from_answer(answer.get(key::HISTORY_STATS)),
    ))
}

/// Adds the portal's first 50 users (names for the history) to a refresh batch: asked only
/// while the card's user cache is empty, so the history's names cost no request of their own.
pub fn add_staff(batch: &mut Batch) {
    batch.add(key::STAFF, "user.get", json!({"FILTER": {"ACTIVE": true}}));
}

/// The users a refresh brought with [`add_staff`].
pub fn decode_staff(answer: &BatchAnswer) -> Vec<Person> {
    answer
        .get(key::STAFF)
        .ok()
        .and_then(|a| decode_users(&a.result).ok())
        .unwrap_or_default()
}

/// Adds `user.current` to a refresh batch: asked once, on the first start on a browser, so the
/// card's kept values can carry the user (`crate::storage`). Costs no request of its own.
pub fn add_me(batch: &mut Batch) {
    batch.add(key::ME, "user.current", json!({}));
}

/// The user's id from [`add_me`]'s answer (`"5"` or `5`).
pub fn decode_me(answer: &BatchAnswer) -> Option<u64> {
    let a = answer.get(key::ME).ok()?;
    crate::model::value::value_u64(a.result.get("ID")?)
        .ok()
        .flatten()
        .filter(|id| *id > 0)
}

/// The batch for the history's first page of `entity` alone (activities, statistics, comments).
pub fn history_batch(entity: EntityRef) -> Batch {
    let mut batch = Batch::new();
    add_history(&mut batch, entity, None);
    batch
}

/// The batch for "show more": the activity page before `before` (with its statistics) and the
/// comment page from `comment_start`, each only while it has more. Empty when neither has.
pub fn more_batch(entity: EntityRef, before: Option<u64>, comment_start: Option<usize>) -> Batch {
    let mut batch = Batch::new();
    if let Some(id) = before {
        add_activities(&mut batch, entity, Some(id));
    }
    if let Some(start) = comment_start {
        let (method, params) = history::comment_query(entity, start);
        batch.add(key::COMMENTS, method, params);
    }
    batch
}

/// The history's first page of `entity` (`before: None`) or the page before activity `before`,
/// the matching call statistics and, for the first page, the newest comments, under
/// [`key::HISTORY`], [`key::HISTORY_STATS`] and [`key::COMMENTS`].
fn add_history(batch: &mut Batch, entity: EntityRef, before: Option<u64>) {
    add_activities(batch, entity, before);
    if before.is_none() {
        let (method, params) = history::comment_query(entity, 0);
        batch.add(key::COMMENTS, method, params);
    }
}

fn add_activities(batch: &mut Batch, entity: EntityRef, before: Option<u64>) {
    let (method, params) = history::activity_query(entity, before);
    batch.add(key::HISTORY, method, params);
    let (method, params) = history::statistic_query(entity, before);
    batch.add(key::HISTORY_STATS, method, params);
}

fn unavailable_class(e: &RestError) -> ErrorClass {
    match e.class() {
        ErrorClass::Argument => ErrorClass::NotFound,
        c => c,
    }
}

/// Reads the batch answer for `plan`. A failed sub-call degrades its part only.
pub fn decode(plan: &RefreshPlan, answer: &BatchAnswer, cached: &StageBook) -> CardData {
    let new_stages = answer
        .get(key::STAGES)
        .ok()
        .and_then(|a| StageBook::decode(&a.result).ok());
    let book = new_stages.as_ref().unwrap_or(cached);
    let mut stale = false;
    let mut stage_of = |item: &CrmItem| {
        let s = book.stage_of(item);
        if s.is_none() && item.stage_id.is_some() && item.stage_directory().is_some() {
            stale = true;
        }
        s
    };

    let client = match plan.status.entity {
        None => ClientSlot::None,
        Some(entity) => match answer.get(key::CLIENT) {
            Err(e) => ClientSlot::Unavailable {
                entity,
                class: unavailable_class(&e),
            },
            Ok(a) => match decode_item_get(entity.kind, &a.result) {
                Err(e) => ClientSlot::Unavailable {
                    entity,
                    class: unavailable_class(&RestError::Decode(e)),
                },
                Ok(item) => {
                    let responsible = answer
                        .get(key::USER)
                        .ok()
                        .and_then(|u| decode_users(&u.result).ok())
                        .and_then(|users| {
                            users.into_iter().find(|p| Some(p.id) == item.assigned_by)
                        });
                    let company = answer
                        .get(key::COMPANY)
                        .ok()
                        .and_then(|c| decode_item_list(EntityKind::Company, &c.result).ok())
                        .and_then(|list| {
                            list.into_iter()
                                .find(|c| Some(c.entity.id) == item.company_id)
                        })
                        .and_then(|c| Some((c.entity, c.title?)));
                    let company = company.or_else(|| {
                        // Leads carry the company as text only.
                        item.company_title
                            .clone()
                            .map(|t| (EntityRef::new(EntityKind::Company, 0), t))
                    });
                    let stage = if entity.kind == EntityKind::Lead {
                        stage_of(&item)
                    } else {
                        None
                    };
                    ClientSlot::Loaded(Box::new(ClientView {
                        entity,
                        name: item.display_name().unwrap_or_default(),
                        post: item.post.clone(),
                        company,
                        phones: item.phones.clone(),
                        responsible,
                        stage,
                    }))
                }
            },
        },
    };

    let mut bindings = Vec::new();
    for b in plan.status.other_bindings() {
        if !b.kind.item_api() {
            bindings.push(BindingView {
                entity: b,
                title: None,
                stage: None,
                amount: None,
                denied: false,
                readable: false,
            });
            continue;
        }
        let got = answer.get(&key::bindings(b.kind));
        let denied = matches!(&got, Err(e) if e.class() == ErrorClass::AccessDenied);
        let item = got
            .ok()
            .and_then(|a| decode_item_list(b.kind, &a.result).ok())
            .and_then(|items| items.into_iter().find(|i| i.entity == b));
        bindings.push(match item {
            Some(i) => BindingView {
                entity: b,
                title: i.display_name(),
                stage: stage_of(&i),
                amount: i.amount.clone(),
                denied: false,
                readable: true,
            },
            None => BindingView {
                entity: b,
                title: None,
                stage: None,
                amount: None,
                denied,
                readable: true,
            },
        });
    }
    CardData {
        client,
        bindings,
        new_stages,
        stages_stale: stale,
        history: plan.status.entity.map(|_| decode_history(answer)),
        matches: plan
            .batch
            .commands
            .iter()
            .any(|c| c.key == key::MATCH)
            .then(|| decode_matches(answer)),
    }
}

/// The stage cache entry kept across reloads: the book and when it was fetched.
pub fn stage_cache_value(book: &StageBook, fetched_at_ms: f64) -> Value {
    json!({"at": fetched_at_ms, "rows": book.to_cache()})
}

/// How long stage names are trusted (they change when an admin edits a pipeline).
pub const STAGE_CACHE_TTL_MS: f64 = 60.0 * 60.0 * 1000.0;

/// Reads a stage cache entry; expired or malformed entries give an empty book.
pub fn stage_cache_read(v: &Value, now_ms: f64) -> StageBook {
    match v.get("at").and_then(|a| a.as_f64()) {
        Some(at) if now_ms >= at && now_ms - at < STAGE_CACHE_TTL_MS => {
            StageBook::from_cache(v.get("rows").unwrap_or(&Value::Null))
        }
        _ => StageBook::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::decode_call_status;
    use crate::rest::batch::decode_answer;

    fn status() -> CallStatus {
        decode_call_status(&json!({"CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":797,
            "CRM_BINDINGS":[{"ENTITY_TYPE":"DEAL","ENTITY_ID":4615},{"ENTITY_TYPE":"DEAL","ENTITY_ID":4616},
                            {"ENTITY_TYPE":"COMPANY","ENTITY_ID":643},{"ENTITY_TYPE":"CONTACT","ENTITY_ID":797}]}))
        .unwrap()
    }

    #[test]
    fn one_batch_with_references_and_one_list_per_type() {
        let p = plan(&status(), &StageBook::default());
        let keys: Vec<&str> = p.batch.commands.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "client",
                "company",
                "user",
                "history",
                "history_stats",
                "history_notes",
                "b_deal",
                "b_company",
                "stages"
            ]
        );
        let cmd = &p.batch.to_params()[0]["cmd"];
        assert_eq!(
            cmd["b_deal"],
            "crm.item.list?entityTypeId=2&filter[%40id][0]=4615&filter[%40id][1]=4616&select[0]=id&select[1]=title&select[2]=name&select[3]=secondName&select[4]=lastName&select[5]=stageId&select[6]=categoryId&select[7]=opportunity&select[8]=currencyId&select[9]=companyTitle"
        );
        assert!(
            cmd["user"]
                .as_str()
                .unwrap()
                .contains("%24result%5Bclient%5D%5Bitem%5D%5BassignedById%5D")
        );
        // The portal runs commands in key order: `company` and `user` must sort after `client`.
        assert_eq!(p.batch.check_references(), Ok(()));
    }

    #[test]
    fn cached_stages_are_not_asked_again() {
        let book =
            StageBook::decode(&json!([{"ENTITY_ID":"DEAL_STAGE","STATUS_ID":"NEW","NAME":"New"}]))
                .unwrap();
        let p = plan(&status(), &book);
        assert!(
            p.batch
                .commands
                .iter()
                .all(|c| c.method != "crm.status.list")
        );
    }

    #[test]
    fn nothing_to_ask_means_no_request() {
        for status in [json!({"PHONE_NUMBER": "hidden"}), json!({})] {
            let s = decode_call_status(&status).unwrap();
            assert!(plan(&s, &StageBook::default()).batch.is_empty(), "{status}");
        }
    }

    /// Issue 11: a number the call is not bound to is searched, and what is found is named,
    /// in the same one batch (`$result[match][TYPE]`), without the stage directory.
    #[test]
    fn an_unbound_number_is_searched_and_named_in_the_batch() {
        let s = decode_call_status(&json!({"PHONE_NUMBER": "+7 495 000-00-00"})).unwrap();
        let p = plan(&s, &StageBook::default());
        let keys: Vec<&str> = p.batch.commands.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["match", "match_contact", "match_company", "match_lead"]
        );
        assert_eq!(p.batch.check_references(), Ok(()));
        assert_eq!(p.batch.to_params().len(), 1, "one request");
        let cmd = &p.batch.to_params()[0]["cmd"];
        assert_eq!(
            cmd["match"],
            "crm.duplicate.findbycomm?type=PHONE&values[0]=%2B7%20495%20000-00-00"
        );
        assert!(
            cmd["match_company"].as_str().unwrap().starts_with(
                "crm.item.list?entityTypeId=4&filter[%40id]=%24result%5Bmatch%5D%5BCOMPANY%5D"
            ),
            "{}",
            cmd["match_company"]
        );
        let answer = decode_answer(&json!({
            "result": {
                "match": {"CONTACT": [797, "12"], "LEAD": ["5"]},
                // A list that ignored the filter: only findbycomm's ids are trusted.
                "match_contact": {"items": [{"id": 797, "name": "Anna", "lastName": "Petrova"}, {"id": 1, "name": "Other"}]},
                "match_company": {"items": []},
                "match_lead": {"items": [{"id": 5, "title": "Website request"}]}
            },
            "result_error": []
        }))
        .unwrap();
        let d = decode(&p, &answer, &StageBook::default());
        assert_eq!(d.client, ClientSlot::None);
        assert_eq!(d.history, None);
        let m = d.matches.unwrap().unwrap();
        let shown: Vec<(String, Option<&str>)> = m
            .iter()
            .map(|m| (m.entity.key(), m.name.as_deref()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("CONTACT:797".to_string(), Some("Anna Petrova")),
                ("CONTACT:12".to_string(), None),
                ("LEAD:5".to_string(), Some("Website request")),
            ]
        );
        // The search failed: said so, the rest of the card unaffected.
        let answer = decode_answer(&json!({"result": [],
            "result_error": {"match": {"error": "ACCESS_DENIED", "error_description": ""}}}))
        .unwrap();
        let d = decode(&p, &answer, &StageBook::default());
        assert_eq!(d.matches, Some(Err(ErrorClass::AccessDenied)));
        // A bound call does not search.
        let d = decode(
            &plan(&status(), &StageBook::default()),
            &answer,
            &StageBook::default(),
        );
        assert_eq!(d.matches, None);
    }

    #[test]
    fn findbycomm_answers_decode_leniently() {
        let c = |id| EntityRef::new(EntityKind::Contact, id);
        assert_eq!(decode_findbycomm(&json!([])).unwrap(), vec![]);
        assert_eq!(decode_findbycomm(&json!({})).unwrap(), vec![]);
        assert_eq!(
            decode_findbycomm(&json!({"COMPANY": {"0": "3"}, "contact": [5, 5, "5", 0, -1, "x", null, 6.0], "DEAL": [9]}))
                .unwrap(),
            vec![c(5), c(6), EntityRef::new(EntityKind::Company, 3)]
        );
        assert_eq!(
            decode_findbycomm(&json!({"LEAD": 7})).unwrap(),
            vec![EntityRef::new(EntityKind::Lead, 7)]
        );
        for bad in [json!("x"), json!(5), json!(null), json!(true)] {
            assert!(decode_findbycomm(&bad).is_err(), "{bad}");
        }
        // At most MAX_MATCHES are named.
        let ids: Vec<u64> = (1..=20).collect();
        let p = plan(
            &decode_call_status(&json!({"PHONE_NUMBER": "+100"})).unwrap(),
            &StageBook::default(),
        );
        let answer =
            decode_answer(&json!({"result": {"match": {"CONTACT": ids}}, "result_error": []}))
                .unwrap();
        assert_eq!(
            decode(&p, &answer, &StageBook::default())
                .matches
                .unwrap()
                .unwrap()
                .len(),
            MAX_MATCHES
        );
    }

    /// Issue 11: the first history page brings the client's comments; "show more" asks for
    /// each kind only while it has more.
    #[test]
    fn comments_ride_with_the_history() {
        let e = EntityRef::new(EntityKind::Contact, 797);
        let b = history_batch(e);
        let methods: Vec<&str> = b.commands.iter().map(|c| c.method.as_str()).collect();
        assert_eq!(
            methods,
            [
                "crm.activity.list",
                "voximplant.statistic.get",
                "crm.timeline.comment.list"
            ]
        );
        assert!(more_batch(e, None, None).is_empty());
        let keys =
            |b: &Batch| -> Vec<String> { b.commands.iter().map(|c| c.key.clone()).collect() };
        assert_eq!(
            keys(&more_batch(e, Some(100), None)),
            ["history", "history_stats"]
        );
        assert_eq!(keys(&more_batch(e, None, Some(50))), ["history_notes"]);
        assert_eq!(
            more_batch(e, None, Some(50)).commands[0].params["start"],
            50
        );
        let answer = decode_answer(&json!({
            "result": {"history": [{"ID": "9", "TYPE_ID": "2", "START_TIME": "2024-04-12T10:00:00+03:00", "COMPLETED": "Y"}],
                       "history_notes": [{"ID": "3", "CREATED": "2024-04-12T11:00:00+03:00", "COMMENT": "Agreed", "AUTHOR_ID": "1"}]},
            "result_error": {"history_stats": {"error": "ACCESS_DENIED"}}
        }))
        .unwrap();
        let t = decode_history(&answer).unwrap();
        assert_eq!(t.entries().len(), 2);
        assert!(matches!(t.entries()[0], history::Entry::Comment(c) if c.text == "Agreed"));
        // Comments that cannot be read leave the history as it was.
        let answer = decode_answer(&json!({
            "result": {"history": [{"ID": "9", "TYPE_ID": "2", "COMPLETED": "Y"}]},
            "result_error": {"history_notes": {"error": "ERROR_METHOD_NOT_FOUND"}}
        }))
        .unwrap();
        let t = decode_history(&answer).unwrap();
        assert_eq!((t.items().len(), t.comments().len()), (1, 0));
    }

    #[test]
    fn lead_and_company_clients_do_not_ask_for_a_company() {
        let s = decode_call_status(&json!({"CRM_ENTITY_TYPE":"LEAD","CRM_ENTITY_ID":"5"})).unwrap();
        let p = plan(&s, &StageBook::default());
        let keys: Vec<&str> = p.batch.commands.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "client",
                "user",
                "history",
                "history_stats",
                "history_notes",
                "stages"
            ]
        );
    }

    #[test]
    fn decodes_a_full_answer() {
        let p = plan(&status(), &StageBook::default());
        let answer = decode_answer(&json!({
            "result": {
                "client": {"item": {"id": 797, "name": "Anna", "lastName": "Petrova", "post": "CFO", "companyId": 643, "assignedById": 5,
                    "fm": [{"typeId": "PHONE", "valueType": "WORK", "value": "+74950000000"}]}},
                "company": {"items": [{"id": 643, "title": "Northwind"}]},
                "user": [{"ID": "5", "NAME": "Ivan", "LAST_NAME": "Orlov"}],
                "b_deal": {"items": [{"id": 4615, "title": "Supply", "stageId": "WON", "categoryId": 0, "opportunity": 100, "currencyId": "USD"}]},
                "b_company": {"items": [{"id": 643, "title": "Northwind"}]},
                "stages": [{"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "WON", "NAME": "Won", "SEMANTICS": "S"}]
            },
            "result_error": []
        }))
        .unwrap();
        let d = decode(&p, &answer, &StageBook::default());
        let ClientSlot::Loaded(c) = &d.client else {
            panic!("{:?}", d.client)
        };
        assert_eq!(c.name, "Anna Petrova");
        assert_eq!(c.company.as_ref().unwrap().1, "Northwind");
        assert_eq!(c.responsible.as_ref().unwrap().name, "Ivan Orlov");
        assert_eq!(d.bindings.len(), 3);
        assert_eq!(d.bindings[0].stage.as_ref().unwrap().name, "Won");
        assert_eq!(
            d.bindings[0].amount,
            Some(Money {
                amount: 100.0,
                currency: "USD".into()
            })
        );
        assert_eq!(
            d.bindings[1].title, None,
            "deal 4616 was not returned: no access or deleted"
        );
        assert!(d.new_stages.is_some());
        assert!(!d.stages_stale);
    }

    #[test]
    fn failed_client_is_unavailable_and_unknown_stage_marks_cache_stale() {
        let p = plan(&status(), &StageBook::default());
        let answer = decode_answer(&json!({
            "result": {"b_deal": {"items": [{"id": 4615, "title": "X", "stageId": "C9:ODD", "categoryId": 9}]}, "stages": []},
            "result_error": {"client": {"error": "ACCESS_DENIED", "error_description": ""}}
        }))
        .unwrap();
        let d = decode(&p, &answer, &StageBook::default());
        assert_eq!(
            d.client,
            ClientSlot::Unavailable {
                entity: EntityRef::new(EntityKind::Contact, 797),
                class: ErrorClass::AccessDenied
            }
        );
        assert!(d.stages_stale);
    }

    /// Issue 9: an order, an unknown type and an old invoice among the bindings: the batch asks
    /// `crm.item.*` only for the types it can address, and the known bindings still decode.
    #[test]
    fn bindings_the_item_api_cannot_address_are_not_asked_for() {
        let s = decode_call_status(&json!({"CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":797,
            "CRM_BINDINGS":[{"ENTITY_TYPE":"ORDER","ENTITY_ID":12},{"ENTITY_TYPE":"INVOICE","ENTITY_ID":3},
                {"ENTITY_TYPE":"DEAL","ENTITY_ID":4615},{"ENTITY_TYPE":"DYNAMIC_130","ENTITY_ID":8},"garbage"]}))
        .unwrap();
        let p = plan(&s, &StageBook::default());
        let lists: Vec<(&str, &str)> = p
            .batch
            .commands
            .iter()
            .filter(|c| c.key.starts_with("b_"))
            .map(|c| (c.key.as_str(), c.method.as_str()))
            .collect();
        assert_eq!(
            lists,
            vec![
                ("b_deal", "crm.item.list"),
                ("b_dynamic_130", "crm.item.list")
            ]
        );
        for c in &p.batch.commands {
            let params = c.params.to_string();
            assert!(!params.contains("\"entityTypeId\":5"), "{params}");
            assert!(!params.contains("\"entityTypeId\":14"), "{params}");
        }
        let answer = decode_answer(&json!({
            "result": {"b_deal": {"items": [{"id": 4615, "title": "Supply"}]},
                       "b_dynamic_130": {"items": [{"id": 8, "title": "Project"}]}},
            "result_error": []
        }))
        .unwrap();
        let d = decode(&p, &answer, &StageBook::default());
        let shown: Vec<(String, Option<&str>, bool)> = d
            .bindings
            .iter()
            .map(|b| (b.entity.key(), b.title.as_deref(), b.readable))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("INVOICE:3".to_string(), None, false),
                ("DEAL:4615".to_string(), Some("Supply"), true),
                ("DYNAMIC_130:8".to_string(), Some("Project"), true),
            ]
        );
        assert_eq!(s.other_items[0].key(), "ORDER:12");
        assert_eq!(s.unreadable_bindings, 1);
    }

    #[test]
    fn stage_cache_expires() {
        let book =
            StageBook::decode(&json!([{"ENTITY_ID":"STATUS","STATUS_ID":"NEW","NAME":"New"}]))
                .unwrap();
        let v = stage_cache_value(&book, 1000.0);
        assert_eq!(stage_cache_read(&v, 2000.0), book);
        assert!(stage_cache_read(&v, 1000.0 + STAGE_CACHE_TTL_MS + 1.0).is_empty());
        assert!(stage_cache_read(&json!(null), 0.0).is_empty());
    }
}
