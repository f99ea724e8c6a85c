//! Changing a list's composition: full-set updates only from a complete read
//! ([`plan_update`]), new lists ([`add_params`]), the check after a write, telling whether a
//! timed-out write took effect, and the texts of the refusals and call-list errors.

use serde_json::json;

use super::CallList;
use super::ListItem;
use super::commands::Command;
use super::pages::ListRead;
use crate::i18n::Text;
use crate::model::entity::{EntityKind, EntityRef};

/// Why a change to a list's composition is not sent. Each has a text ([`Refusal::text_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The read proved members the user may not read: the update would delete them.
    Hidden,
    /// Nothing proves the read complete: the user is no administrator, so members the user may
    /// not read can sit after the last row the portal showed, where no read can see them.
    Uncertain,
    /// The read was cut (page cap, repeated page), an answer was malformed, or rows were unreadable.
    Incomplete,
    /// The list holds another kind of client than the one to add or remove.
    KindMismatch,
    /// REST writes only contact and company lists.
    NotWritable,
    /// The list would be left empty (the portal refuses that).
    Empty,
    /// The client is already in the list (add) or not in it (remove): nothing to send.
    NothingToDo,
    /// The list changed since it was shown (another operator): look again first.
    ChangedSinceShown,
    /// The card's client is no longer the one the lists were shown for.
    ClientChanged,
}

impl Refusal {
    /// A short code for tests and the note's `data-reason`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Hidden => "hidden",
            Refusal::Uncertain => "uncertain",
            Refusal::Incomplete => "incomplete",
            Refusal::KindMismatch => "kind",
            Refusal::NotWritable => "not-writable",
            Refusal::Empty => "empty",
            Refusal::NothingToDo => "nothing",
            Refusal::ChangedSinceShown => "concurrent",
            Refusal::ClientChanged => "client-changed",
        }
    }

    /// The key of the refusal's text in [`crate::i18n`].
    pub fn text_key(self) -> Text {
        match self {
            Refusal::Hidden => Text::ListHiddenMembers,
            Refusal::Uncertain => Text::ListReadUncertain,
            Refusal::Incomplete => Text::ListReadIncomplete,
            Refusal::KindMismatch => Text::ListErrTypeMismatch,
            Refusal::NotWritable => Text::ListErrEntityType,
            Refusal::Empty => Text::ListErrNoEntities,
            Refusal::NothingToDo => Text::ListAlreadyThat,
            Refusal::ChangedSinceShown => Text::ListChangedSinceShown,
            Refusal::ClientChanged => Text::ListClientChanged,
        }
    }
}

/// A read a full-set update may be built from: only [`ListRead::complete`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct CompleteRead {
    items: Vec<ListItem>,
}

impl CompleteRead {
    pub fn items(&self) -> &[ListItem] {
        &self.items
    }
}

impl ListRead {
    /// Whether this read is provably the whole list. `admin`: the user administers the portal,
    /// so the portal leaves nobody out (its permission check passes for every member). For
    /// anyone else nothing in the portal's answers can prove that no member sits, unreadable,
    /// after the last row shown (there is no count), so such a read is [`Refusal::Uncertain`].
    pub fn complete(&self, admin: bool) -> Result<CompleteRead, Refusal> {
        if self.cut.is_some() || !self.ended || self.undecoded > 0 {
            return Err(Refusal::Incomplete);
        }
        if self.hidden_at_least > 0 {
            return Err(Refusal::Hidden);
        }
        if !admin {
            return Err(Refusal::Uncertain);
        }
        Ok(CompleteRead {
            items: self.items.clone(),
        })
    }

    /// The members' ids as a sorted set.
    pub fn id_set(&self) -> Vec<u64> {
        sorted_set(self.items.iter().map(|i| i.entity_id))
    }
}

/// What the operator asked: the client to add to or remove from a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intent {
    pub client: EntityRef,
    pub add: bool,
}

/// The full set to send for `intent` on `list`, from a complete read. Refuses a list REST cannot
/// write, a client of another kind than the list's, a change that changes nothing and a list
/// that would be left empty.
pub fn plan_update(
    list: &CallList,
    read: &CompleteRead,
    intent: Intent,
) -> Result<Vec<u64>, Refusal> {
    let kind = list
        .kind()
        .filter(|k| writable(*k).is_some())
        .ok_or(Refusal::NotWritable)?;
    if intent.client.kind != kind {
        return Err(Refusal::KindMismatch);
    }
    // An item of another type than the list's would be sent under the list's type.
    let list_type = u64::from(kind.type_id());
    if read
        .items
        .iter()
        .any(|i| i.entity_type_id != 0 && i.entity_type_id != list_type)
    {
        return Err(Refusal::Incomplete);
    }
    let has = read.items.iter().any(|i| i.entity_id == intent.client.id);
    if has == intent.add {
        return Err(Refusal::NothingToDo);
    }
    let wanted = if intent.add {
        with_client_added(&read.items, intent.client.id)
    } else {
        with_client_removed(&read.items, intent.client.id)
    };
    if wanted.is_empty() {
        return Err(Refusal::Empty);
    }
    Ok(wanted)
}

/// How a fresh read after a write compares with what was sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AfterWrite {
    /// Members present now that were not sent (someone else added them).
    pub added: Vec<u64>,
    /// Members sent that are not there now (someone else removed them, or the portal refused
    /// to add one the user may not read).
    pub missing: Vec<u64>,
}

impl AfterWrite {
    /// Nothing but the intended change.
    pub fn is_clean(&self) -> bool {
        self.added.is_empty() && self.missing.is_empty()
    }
}

/// Compares the set sent with a fresh read. Nothing is restored: the caller says what differs.
pub fn compare_after_write(sent: &[u64], now: &ListRead) -> AfterWrite {
    let sent = sorted_set(sent.iter().copied());
    let now = now.id_set();
    AfterWrite {
        added: now
            .iter()
            .copied()
            .filter(|id| sent.binary_search(id).is_err())
            .collect(),
        missing: sent
            .iter()
            .copied()
            .filter(|id| now.binary_search(id).is_err())
            .collect(),
    }
}

/// Whether a list changed between two reads (the one the view was built from and a fresh one).
pub fn changed_between(before: &ListRead, now: &ListRead) -> bool {
    before.id_set() != now.id_set()
}

/// Why a write cannot be sent at all (the portal would refuse it anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRefusal {
    /// REST writes only contact and company lists.
    EntityType,
    /// A list cannot be left (or created) empty: `ENTITIES` must not be empty.
    Empty,
}

impl WriteRefusal {
    /// The portal's code for the same refusal, for [`error_text_key`].
    pub fn code(self) -> &'static str {
        match self {
            WriteRefusal::EntityType => "ENTITY_TYPE_ERROR",
            WriteRefusal::Empty => "ENTITIES_ERROR",
        }
    }
}

fn writable(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Contact => Some("CONTACT"),
        EntityKind::Company => Some("COMPANY"),
        _ => None,
    }
}

/// The list's entity ids in order, without duplicates. O(n log n): a list can hold 10,000.
fn current_ids(items: &[ListItem]) -> Vec<u64> {
    let ids: Vec<u64> = items.iter().map(|i| i.entity_id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let mut dups: Vec<u64> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    if dups.is_empty() {
        return ids;
    }
    dups.dedup();
    let mut emitted: Vec<u64> = Vec::new();
    ids.into_iter()
        .filter(|id| {
            if dups.binary_search(id).is_err() {
                return true;
            }
            if emitted.contains(id) {
                return false;
            }
            emitted.push(*id);
            true
        })
        .collect()
}

/// `ids` as a sorted set.
fn sorted_set(ids: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut v: Vec<u64> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The full set to send to add `client_id` to a list: every current participant (in order,
/// duplicates dropped) and the client at the end, unless already there.
pub fn with_client_added(items: &[ListItem], client_id: u64) -> Vec<u64> {
    let mut ids = current_ids(items);
    if !ids.contains(&client_id) {
        ids.push(client_id);
    }
    ids
}

/// The full set to send to take `client_id` out of a list: every other participant.
pub fn with_client_removed(items: &[ListItem], client_id: u64) -> Vec<u64> {
    let mut ids = current_ids(items);
    ids.retain(|id| *id != client_id);
    ids
}

/// `crm.calllist.update` with the full wanted set and the list's web form (omitting it would
/// clear it). `list` must be a contact or company list and `entities` non-empty.
pub fn update_params(
    list: &CallList,
    entities: &[u64],
    webform_id: Option<u64>,
) -> Result<Command, WriteRefusal> {
    let entity_type = list
        .kind()
        .and_then(writable)
        .ok_or(WriteRefusal::EntityType)?;
    if entities.is_empty() {
        return Err(WriteRefusal::Empty);
    }
    let mut p = json!({"LIST_ID": list.id, "ENTITY_TYPE": entity_type, "ENTITIES": entities});
    if let Some(w) = webform_id {
        p["WEBFORM_ID"] = json!(w);
    }
    Ok(("crm.calllist.update", p))
}

/// A new list from the client and its bindings, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct AddPlan {
    /// `Contact` or `Company`.
    pub kind: EntityKind,
    /// The participants, client first.
    pub entities: Vec<u64>,
    /// Bindings left out: another type than the list's (tell the operator).
    pub dropped: Vec<EntityRef>,
    /// The `crm.calllist.add` call.
    pub command: Command,
}

/// Plans `crm.calllist.add` for the current client and the contacts/companies among its
/// bindings. A list holds one type: the client's when it is a contact or company, else the
/// first contact/company binding's. Everything of another type is in [`AddPlan::dropped`].
pub fn add_params(client: EntityRef, bindings: &[EntityRef]) -> Result<AddPlan, WriteRefusal> {
    let kind = std::iter::once(&client)
        .chain(bindings)
        .map(|e| e.kind)
        .find(|k| writable(*k).is_some())
        .ok_or(WriteRefusal::EntityType)?;
    let mut entities = Vec::new();
    let mut dropped = Vec::new();
    for e in std::iter::once(&client).chain(bindings) {
        if e.kind == kind {
            if !entities.contains(&e.id) {
                entities.push(e.id);
            }
        } else if !dropped.contains(e) {
            dropped.push(*e);
        }
    }
    let entity_type = writable(kind).unwrap_or("CONTACT");
    let command = (
        "crm.calllist.add",
        json!({"ENTITY_TYPE": entity_type, "ENTITIES": entities}),
    );
    Ok(AddPlan {
        kind,
        entities,
        dropped,
        command,
    })
}

/// After a timed-out `crm.calllist.update`: did it happen? `items_now` is a fresh read of the
/// list; it happened when the participants are exactly the wanted set (order aside).
pub fn took_effect_update(wanted: &[u64], items_now: &[ListItem]) -> bool {
    sorted_set(wanted.iter().copied()) == sorted_set(items_now.iter().map(|i| i.entity_id))
}

/// After a timed-out `crm.calllist.add`: the id of the list it created, if it did. Looks for a
/// list of `kind` created by `me`, newer than `newest_before` (the highest list id seen before
/// the add, if known), whose participants are exactly `wanted`; the newest such list wins.
pub fn took_effect_add(
    lists_now: &[CallList],
    items_by_list: &[(u64, Vec<ListItem>)],
    kind: EntityKind,
    me: u64,
    wanted: &[u64],
    newest_before: Option<u64>,
) -> Option<u64> {
    lists_now
        .iter()
        .filter(|l| l.created_by == Some(me) && l.kind() == Some(kind))
        .filter(|l| newest_before.is_none_or(|n| l.id > n))
        .filter(|l| {
            items_by_list
                .iter()
                .find(|(id, _)| *id == l.id)
                .is_some_and(|(_, items)| took_effect_update(wanted, items))
        })
        .map(|l| l.id)
        .max()
}

/// The key of the text ([`crate::i18n`]) the operator is told for a call-list error code (`error`
/// of the answer). The portal
/// sometimes sends the description in `error` (`"Incorrect list id"`), so the documented
/// descriptions are read too; anything else gets a general text.
pub fn error_text_key(code: &str) -> Text {
    let c = code.trim();
    let is = |s: &str| c.eq_ignore_ascii_case(s);
    if is("ENTITY_TYPE_ERROR") || is("Incorrect entity type") || is("EntityType is incorrect") {
        Text::ListErrEntityType
    } else if is("Discrepancy between the type of call participants and incoming type") {
        Text::ListErrTypeMismatch
    } else if is("ACCESS_ERROR") || is("Access denied") || is("ACCESS_DENIED") {
        Text::ListErrAccess
    } else if is("LIST_ID_ERROR")
        || is("Incorrect list id")
        || is("Incorrect list id or access denied")
        || is("Call list is not found")
        || is("List id should be positive")
    {
        Text::ListErrNotFound
    } else if is("ENTITIES_ERROR") || is("Entities is not array") {
        Text::ListErrNoEntities
    } else if is("ENTITY_ERROR") || is("Incorrect entities id") {
        Text::ListErrEntityMissing
    } else if is("WEBFORM_ERROR") || is("Incorrect webform id") {
        Text::ListErrWebform
    } else if is("STATUS_ERROR") || is("Incorrect status") {
        Text::ListErrStatus
    } else if is("ERROR_ARGUMENT") || is("Invalid parameters") || is("Invalid parameters.") {
        Text::ListErrArgument
    } else {
        Text::ListErrOther
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::fixtures::*;
    use crate::campaign::*;
    use crate::i18n::{Lang, tr};
    use crate::model::entity::{EntityKind, EntityRef};
    use serde_json::json;

    fn read_of(items: Vec<ListItem>) -> ListRead {
        ListRead {
            items,
            ended: true,
            ..ListRead::default()
        }
    }

    #[test]
    fn plan_update_checks_kind_completeness_and_intent() {
        let contacts = list(6, 3);
        let companies = list(3, 4);
        let deals = list(4, 2);
        let read = read_of(vec![item(12, "SUCCESS"), item(13, "IN_WORK")]);
        let full = read.complete(true).unwrap();
        let add = |c| Intent {
            client: c,
            add: true,
        };
        let remove = |c| Intent {
            client: c,
            add: false,
        };
        assert_eq!(
            plan_update(&contacts, &full, add(contact(20))),
            Ok(vec![12, 13, 20])
        );
        assert_eq!(
            plan_update(&contacts, &full, remove(contact(12))),
            Ok(vec![13])
        );
        // A company is never sent to a contact list, nor a contact to a company list.
        let company = EntityRef::new(EntityKind::Company, 20);
        assert_eq!(
            plan_update(&contacts, &full, add(company)),
            Err(Refusal::KindMismatch)
        );
        assert_eq!(
            plan_update(&companies, &full, add(contact(20))),
            Err(Refusal::KindMismatch)
        );
        assert_eq!(
            plan_update(&deals, &full, add(EntityRef::new(EntityKind::Deal, 41))),
            Err(Refusal::NotWritable)
        );
        // Already in / not in: nothing is sent.
        assert_eq!(
            plan_update(&contacts, &full, add(contact(12))),
            Err(Refusal::NothingToDo)
        );
        assert_eq!(
            plan_update(&contacts, &full, remove(contact(99))),
            Err(Refusal::NothingToDo)
        );
        // The last member cannot be removed (the portal refuses an empty set).
        let one = read_of(vec![item(12, "IN_WORK")]).complete(true).unwrap();
        assert_eq!(
            plan_update(&contacts, &one, remove(contact(12))),
            Err(Refusal::Empty)
        );
        // An item of another type in a contact list: the read is not trusted.
        let odd = read_of(vec![
            item(12, "IN_WORK"),
            ListItem {
                entity_id: 5,
                status: "IN_WORK".into(),
                entity_type_id: 4,
            },
        ]);
        assert_eq!(
            plan_update(&contacts, &odd.complete(true).unwrap(), add(contact(1))),
            Err(Refusal::Incomplete)
        );
        // Every refusal has its own readable text in both languages.
        let all = [
            Refusal::Hidden,
            Refusal::Uncertain,
            Refusal::Incomplete,
            Refusal::KindMismatch,
            Refusal::NotWritable,
            Refusal::Empty,
            Refusal::NothingToDo,
            Refusal::ChangedSinceShown,
            Refusal::ClientChanged,
        ];
        let mut seen = Vec::new();
        for r in all {
            let (en, ru) = (tr(Lang::En, r.text_key()), tr(Lang::Ru, r.text_key()));
            assert!(en.is_ascii() && en.ends_with('.'), "{r:?}: {en}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{r:?}");
            assert!(!seen.contains(&en), "{r:?} shares a text");
            seen.push(en);
            assert!(!r.code().is_empty());
        }
    }

    #[test]
    fn after_a_write_other_changes_are_reported_not_restored() {
        let sent = vec![12, 13, 20];
        let clean = read_of(vec![
            item(20, "IN_WORK"),
            item(12, "SUCCESS"),
            item(13, "IN_WORK"),
        ]);
        assert!(compare_after_write(&sent, &clean).is_clean());
        // Another operator added 30 and removed 13 meanwhile.
        let other = read_of(vec![
            item(12, "SUCCESS"),
            item(20, "IN_WORK"),
            item(30, "IN_WORK"),
        ]);
        assert_eq!(
            compare_after_write(&sent, &other),
            AfterWrite {
                added: vec![30],
                missing: vec![13]
            }
        );
        assert!(changed_between(&clean, &other));
        assert!(
            !changed_between(
                &clean,
                &read_of(vec![
                    item(13, "SUCCESS"),
                    item(12, "SUCCESS"),
                    item(20, "CALLBACK")
                ])
            ),
            "a status change or another order is no change of the members"
        );
    }

    #[test]
    fn full_set_updates_keep_everyone_and_the_web_form() {
        let items = vec![
            item(12, "SUCCESS"),
            item(13, "IN_WORK"),
            item(12, "SUCCESS"),
            item(14, "CALLBACK"),
        ];
        assert_eq!(with_client_added(&items, 20), vec![12, 13, 14, 20]);
        assert_eq!(
            with_client_added(&items, 13),
            vec![12, 13, 14],
            "no duplicates"
        );
        assert_eq!(with_client_removed(&items, 13), vec![12, 14]);
        assert_eq!(with_client_removed(&items, 12), vec![13, 14]);
        assert_eq!(with_client_removed(&items, 99), vec![12, 13, 14]);

        let mut l = list(6, 3);
        l.webform_id = Some(2);
        let (m, p) = update_params(&l, &[12, 13, 14, 20], l.webform_id).unwrap();
        assert_eq!(m, "crm.calllist.update");
        assert_eq!(
            p,
            json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12, 13, 14, 20], "WEBFORM_ID": 2})
        );
        let (_, p) = update_params(&list(3, 4), &[5], None).unwrap();
        assert_eq!(p["ENTITY_TYPE"], "COMPANY");
        assert!(p.get("WEBFORM_ID").is_none());
        assert_eq!(
            update_params(&list(4, 2), &[41], None),
            Err(WriteRefusal::EntityType)
        );
        assert_eq!(update_params(&l, &[], Some(2)), Err(WriteRefusal::Empty));
        assert_eq!(WriteRefusal::Empty.code(), "ENTITIES_ERROR");
    }

    #[test]
    fn new_lists_take_the_clients_type_and_say_what_is_dropped() {
        let company = EntityRef::new(EntityKind::Company, 5);
        let deal = EntityRef::new(EntityKind::Deal, 41);
        let plan = add_params(contact(12), &[deal, company, contact(13), contact(12)]).unwrap();
        assert_eq!(plan.kind, EntityKind::Contact);
        assert_eq!(plan.entities, vec![12, 13]);
        assert_eq!(plan.dropped, vec![deal, company]);
        assert_eq!(
            plan.command,
            (
                "crm.calllist.add",
                json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": [12, 13]})
            )
        );
        let plan = add_params(company, &[deal, contact(12)]).unwrap();
        assert_eq!(
            (plan.kind, plan.entities.clone()),
            (EntityKind::Company, vec![5])
        );
        // A lead client: the first contact/company binding decides; the lead is dropped.
        let lead = EntityRef::new(EntityKind::Lead, 31);
        let plan = add_params(lead, &[company]).unwrap();
        assert_eq!(
            (plan.kind, plan.dropped.clone()),
            (EntityKind::Company, vec![lead])
        );
        assert_eq!(add_params(lead, &[deal]), Err(WriteRefusal::EntityType));
    }

    #[test]
    fn took_effect_checks() {
        let now = vec![
            item(12, "SUCCESS"),
            item(13, "IN_WORK"),
            item(20, "IN_WORK"),
        ];
        assert!(
            took_effect_update(&[20, 13, 12], &now),
            "order does not matter"
        );
        assert!(took_effect_update(&[12, 13, 20, 20], &now));
        assert!(!took_effect_update(&[12, 13], &now), "not yet removed");
        assert!(
            !took_effect_update(&[12, 13, 20, 21], &now),
            "not yet added"
        );

        let mut mine = list(11, 3);
        mine.created_by = Some(1);
        let mut theirs = list(12, 3);
        theirs.created_by = Some(2);
        let companies = list(13, 4);
        let older = list(5, 3);
        let lists = vec![theirs, companies, mine, older];
        let by_list = vec![
            (11, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
            (12, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
            (13, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
            (5, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
        ];
        let k = EntityKind::Contact;
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[13, 12], Some(10)),
            Some(11)
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[13, 12], None),
            Some(11),
            "the newest"
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[13, 12], Some(11)),
            None
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[12], Some(10)),
            None
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 2, &[12, 13], Some(11)),
            Some(12)
        );
    }

    #[test]
    fn every_documented_code_has_a_readable_text() {
        let codes = [
            "ENTITY_TYPE_ERROR",
            "ACCESS_ERROR",
            "LIST_ID_ERROR",
            "ENTITIES_ERROR",
            "ENTITY_ERROR",
            "WEBFORM_ERROR",
            "STATUS_ERROR",
            "ERROR_ARGUMENT",
        ];
        let fallback_en = tr(Lang::En, error_text_key("SOMETHING_NEW"));
        let fallback_ru = tr(Lang::Ru, error_text_key("SOMETHING_NEW"));
        let mut seen = Vec::new();
        for code in codes {
            let en = tr(Lang::En, error_text_key(code));
            let ru = tr(Lang::Ru, error_text_key(code));
            assert_ne!(en, fallback_en, "{code}");
            assert_ne!(ru, fallback_ru, "{code}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{code}: {ru}");
            assert!(en.is_ascii() && en.ends_with('.'), "{code}: {en}");
            assert!(!seen.contains(&en), "{code} shares a text");
            seen.push(en);
        }
        // The portal's descriptions in `error`, as the docs' examples show them.
        assert_eq!(
            tr(Lang::En, error_text_key("Incorrect list id")),
            tr(Lang::En, error_text_key("LIST_ID_ERROR"))
        );
        assert_eq!(
            tr(Lang::Ru, error_text_key("incorrect status")),
            tr(Lang::Ru, error_text_key("STATUS_ERROR"))
        );
        assert_ne!(
            tr(
                Lang::En,
                error_text_key(
                    "Discrepancy between the type of call participants and incoming type"
                ),
            ),
            fallback_en
        );
        // The codes are classified for retry decisions as well.
        use crate::rest::error::{ErrorClass, classify};
        for code in codes {
            assert_ne!(classify(400, code), ErrorClass::Unavailable, "{code}");
        }
    }
}
