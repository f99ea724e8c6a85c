//! The demo portal's call lists ("обзвон") and the campaign the `campaign` scenario works
//! through: the lists, their generation and "Next". Their REST methods are in `calllist_rest.rs`.
//!
//! Semantics follow the portal's REST implementation of the call-list methods:
//! `crm.calllist.list` and `crm.calllist.items.get` give 50 rows from `start` with neither
//! `next` nor `total` (`list` with `start=-1` gives every row); an `items.get` page with
//! nothing readable on it is 403 `ACCESS_ERROR`; `add`/`update` accept only contact and company
//! lists, check that every id exists, and `update` overwrites the participants (kept ones keep
//! their status, new ones start `IN_WORK`) and clears `WEBFORM_ID` when it is omitted; `add`
//! also opens the list's activity. The demo has no permission model, so "unreadable" means
//! "no longer in the CRM". One difference: the native card raises an item's `RANK` when the
//! operator sets its status; the demo keeps the order, so a place in the list reads as progress.
//!
//! The portal (user 1 is "me"):
//! * #3 companies, mostly called, its activity completed;
//! * #4 deals (a list made in the UI: REST cannot write it, but it is shown), open activity;
//! * #5 contacts, made by user 2 (not "mine"), with the client;
//! * #6 **the campaign**: contacts, `calllist_size` of them (generated contacts fill it up in the
//!   `campaign` scenario), a web form, an open activity; the first third is done with mixed
//!   statuses (the custom `CALLBACK`, and `NO_ANSWER`, a status since removed from the
//!   directory), then the client, then the rest `IN_WORK`;
//! * #7 a newer, small contact list that also holds the client, its activity completed.

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use crate::dates::iso;
use callcard_core::model::entity::{EntityKind, EntityRef};

/// The demo's current user.
pub(crate) const ME: u64 = 1;
/// The first id of the contacts generated to fill the campaign.
pub(crate) const CAMPAIGN_CONTACT_FIRST_ID: u64 = 1001;
/// The largest campaign list `calllist_size` may ask for.
pub(crate) const MAX_SIZE: usize = 10_000;
/// The CRM forms that exist (`WEBFORM_ID`).
pub(crate) const WEBFORMS: &[u64] = &[1, 2, 3];
/// The campaign list's id.
pub(crate) const MAIN: u64 = 6;
pub(crate) const PAGE: usize = 50;
/// `CCrmOwnerType::CallList`.
pub(crate) const OWNER_TYPE_CALL_LIST: u64 = 12;
/// `CCrmActivityType::Provider`.
pub(crate) const ACTIVITY_TYPE_PROVIDER: u64 = 6;
/// The call list table's fields (filter, select and order may name only these).
pub(crate) const LIST_FIELDS: &[&str] = &[
    "ID",
    "DATE_CREATE",
    "CREATED_BY_ID",
    "WEBFORM_ID",
    "ENTITY_TYPE_ID",
    "FILTERED",
    "GRID_ID",
    "FILTER_PARAMS",
];

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) element_id: u64,
    pub(crate) status: Cow<'static, str>,
}

#[derive(Debug, Clone)]
pub(crate) struct List {
    pub(crate) id: u64,
    pub(crate) entity_type_id: u64,
    pub(crate) created: i64,
    pub(crate) created_by: u64,
    pub(crate) webform_id: Option<u64>,
    pub(crate) items: Vec<Item>,
    /// Entities of the list's type the card's user may not read (`calllist_hidden`), sorted:
    /// left out of `items.get` pages, never added by `update`.
    pub(crate) hidden: Vec<u64>,
    /// `calllist_concurrent`: where the other user's change stands.
    pub(crate) other_edit: OtherEdit,
}

/// Another user's edit of a list (`calllist_concurrent=1`): it waits until the card has read
/// the list to its end, then lands on the next first page asked, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OtherEdit {
    Off,
    Waiting,
    Armed,
    Done,
}

#[derive(Debug, Clone)]
pub(crate) struct Activity {
    pub(crate) id: u64,
    pub(crate) list_id: u64,
    pub(crate) responsible: u64,
    pub(crate) completed: bool,
    pub(crate) created: i64,
}

/// What the lists are built from: the rest of the generated portal.
pub(crate) struct Setup<'a> {
    pub ru: bool,
    pub seed: u64,
    /// The size `calllist_size` asked for (1..=[`MAX_SIZE`]).
    pub size: usize,
    /// Whether the campaign may be filled with generated contacts (the `campaign` scenario).
    pub fill: bool,
    /// The scenario's client.
    pub client: Option<EntityRef>,
    /// Contacts with a phone, companies and deals of the CRM, in id order.
    pub contacts: &'a [u64],
    pub companies: &'a [u64],
    pub deals: &'a [u64],
    /// The day the CRM is dated around (unix seconds).
    pub today: i64,
    /// `calllist_hidden`: members of every list the card's user may not read.
    pub hidden: usize,
    /// `calllist_concurrent`: another user edits each list once, between the card's reads.
    pub concurrent: bool,
}

/// A generated contact for the campaign: the entity, its `crm.item.get` fields and its number as
/// the card reports it.
pub(crate) type NewContact = (EntityRef, Map<String, Value>, Option<String>);

/// The portal's call lists and their activities.
#[derive(Debug, Clone)]
pub(crate) struct CallLists {
    pub(crate) lists: Vec<List>,
    pub(crate) activities: Vec<Activity>,
    pub(crate) next_list_id: u64,
    pub(crate) next_activity_id: u64,
    pub(crate) seed: u64,
    pub(crate) ru: bool,
}

/// SplitMix64 of one value: the demo's outcomes depend on the seed and the item, not on the
/// order things happen in.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How a call to `element` of `list` ends: mostly a success, sometimes a call back later (the
/// custom status) or a wrong number.
pub(crate) fn outcome(seed: u64, list: u64, element: u64) -> &'static str {
    match mix(seed ^ mix(list << 32 ^ element)) % 20 {
        0..=13 => "SUCCESS",
        14..=16 => "CALLBACK",
        _ => "WRONG_NUMBER",
    }
}

/// The status of an item that was already called when the demo starts: [`outcome`]'s, plus a
/// "do not call again" and one `NO_ANSWER`, a custom status since deleted from the directory.
pub(crate) fn earlier_status(seed: u64, list: u64, index: usize, element: u64) -> &'static str {
    match index {
        2 => "NO_ANSWER",
        4 => "STOP_CALLING",
        _ => outcome(seed, list, element),
    }
}

pub(crate) const MALE: [[&str; 2]; 10] = [
    ["Adam", "Алексей"],
    ["Brian", "Борис"],
    ["Colin", "Виктор"],
    ["David", "Григорий"],
    ["Edward", "Денис"],
    ["Frank", "Евгений"],
    ["George", "Константин"],
    ["Henry", "Максим"],
    ["Ian", "Олег"],
    ["Jack", "Павел"],
];
pub(crate) const FEMALE: [[&str; 2]; 10] = [
    ["Alice", "Алина"],
    ["Bella", "Вера"],
    ["Clara", "Галина"],
    ["Diana", "Дарья"],
    ["Emma", "Екатерина"],
    ["Fiona", "Зоя"],
    ["Grace", "Ирина"],
    ["Hannah", "Ксения"],
    ["Isla", "Людмила"],
    ["Julia", "Марина"],
];
/// `[english, russian masculine, russian feminine]`.
pub(crate) const LAST: [[&str; 3]; 12] = [
    ["Abbott", "Антонов", "Антонова"],
    ["Barker", "Белов", "Белова"],
    ["Chapman", "Голубев", "Голубева"],
    ["Dixon", "Давыдов", "Давыдова"],
    ["Ellis", "Егоров", "Егорова"],
    ["Fletcher", "Журавлёв", "Журавлёва"],
    ["Gibson", "Зайцев", "Зайцева"],
    ["Hughes", "Ильин", "Ильина"],
    ["Jenkins", "Комаров", "Комарова"],
    ["Lambert", "Лебедев", "Лебедева"],
    ["Murray", "Медведев", "Медведева"],
    ["Norris", "Никитин", "Никитина"],
];

/// `count` contacts for the campaign, ids from [`CAMPAIGN_CONTACT_FIRST_ID`], each with one
/// mobile number in a range the template CRM does not use (US numbers stay in the fictional
/// 555-01xx block).
pub(crate) fn campaign_contacts(ru: bool, seed: u64, count: usize, today: i64) -> Vec<NewContact> {
    let lang = usize::from(ru);
    (0..count)
        .map(|i| {
            let id = CAMPAIGN_CONTACT_FIRST_ID + i as u64;
            let h = mix(seed ^ id);
            let female = h & 1 == 1;
            let first = if female { FEMALE } else { MALE }[(h >> 8) as usize % 10][lang];
            let last = LAST[(h >> 16) as usize % LAST.len()];
            let last = if ru {
                last[1 + usize::from(female)]
            } else {
                last[0]
            };
            let (shown, digits) = if ru {
                let n = i as u64;
                (
                    format!(
                        "+7 958 {:03}-{:02}-{:02}",
                        n / 10_000,
                        n / 100 % 100,
                        n % 100
                    ),
                    format!("+7958{n:07}"),
                )
            } else {
                let (area, n) = (700 + i as u64 / 100, i as u64 % 100);
                (
                    format!("+1 ({area}) 555-01{n:02}"),
                    format!("+1{area}55501{n:02}"),
                )
            };
            let created = today - 86_400 * (5 + (h >> 24) as i64 % 60);
            let honorific = match (ru, female) {
                (true, false) => "HNR_RU_1",
                (true, true) => "HNR_RU_2",
                (false, false) => "HNR_EN_1",
                (false, true) => "HNR_EN_3",
            };
            let fields = json!({
                "id": id,
                "honorific": honorific,
                "name": first,
                "secondName": "",
                "lastName": last,
                "post": "",
                "companyId": 0,
                "companyIds": [],
                "typeId": "CLIENT",
                "sourceId": "CALL",
                "assignedById": ME,
                "createdTime": iso(created),
                "updatedTime": iso(created),
                "fm": [{"id": 5000 + id, "typeId": "PHONE", "valueType": "MOBILE", "value": shown}],
                "phone": shown,
                "email": "",
            });
            let Value::Object(fields) = fields else {
                unreachable!("a JSON object literal")
            };
            (
                EntityRef::new(EntityKind::Contact, id),
                fields,
                Some(digits),
            )
        })
        .collect()
}

/// `ids` sorted and without repeats, for `binary_search`.
pub(crate) fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `n` members of `list` the card's user may not read, spread evenly over the list (the middle of
/// each of `n` equal stretches), never the scenario's client, and one member always readable.
pub(crate) fn hidden_members(list: &List, client: Option<EntityRef>, n: usize) -> Vec<u64> {
    let is_client = |id: u64| {
        client.is_some_and(|c| c.id == id && u64::from(c.kind.type_id()) == list.entity_type_id)
    };
    let others: Vec<u64> = list
        .items
        .iter()
        .map(|i| i.element_id)
        .filter(|id| !is_client(*id))
        .collect();
    let readable_left = usize::from(others.len() == list.items.len());
    let n = n.min(others.len().saturating_sub(readable_left));
    sorted(
        (0..n)
            .map(|k| others[(2 * k + 1) * others.len() / (2 * n)])
            .collect(),
    )
}

/// Another user's edit of `list`: the first entity of the list's type (`known`, sorted) not in
/// it joins at the end, `IN_WORK`; when every one is in already, the last member leaves.
pub(crate) fn other_users_edit(list: &mut List, known: &[u64]) {
    let members = sorted(list.items.iter().map(|i| i.element_id).collect());
    match known.iter().find(|id| members.binary_search(id).is_err()) {
        Some(id) => list.items.push(Item {
            element_id: *id,
            status: "IN_WORK".into(),
        }),
        None => {
            list.items.pop();
        }
    }
}

impl CallLists {
    /// The demo's lists and the campaign contacts to add to the CRM (none outside the
    /// `campaign` scenario: there the campaign holds the CRM's own contacts only).
    pub(crate) fn generate(s: &Setup) -> (CallLists, Vec<NewContact>) {
        let client_contact = s
            .client
            .filter(|c| c.kind == EntityKind::Contact)
            .map(|c| c.id);
        let others: Vec<u64> = s
            .contacts
            .iter()
            .copied()
            .filter(|id| Some(*id) != client_contact)
            .collect();
        let size = s.size.clamp(1, MAX_SIZE);
        let want_others = size - usize::from(client_contact.is_some());
        let extra = if s.fill {
            want_others.saturating_sub(others.len())
        } else {
            0
        };
        let new_contacts = campaign_contacts(s.ru, s.seed, extra, s.today);
        let mut main_ids: Vec<u64> = others
            .iter()
            .copied()
            .chain(new_contacts.iter().map(|(e, _, _)| e.id))
            .take(want_others)
            .collect();
        let at = main_ids.len() / 3;
        if let Some(c) = client_contact {
            main_ids.insert(at, c);
        }
        let seed = s.seed;
        let day = 86_400;
        let hour = 3_600;
        let items = |list: u64, ids: &[u64], done: usize| -> Vec<Item> {
            ids.iter()
                .enumerate()
                .map(|(i, id)| Item {
                    element_id: *id,
                    status: if i < done {
                        earlier_status(seed, list, i, *id).into()
                    } else {
                        "IN_WORK".into()
                    },
                })
                .collect()
        };
        let follow_up: Vec<u64> = client_contact
            .into_iter()
            .chain(others.iter().copied().take(3))
            .collect();
        let mut follow_items = items(7, &follow_up, 0);
        for (i, item) in follow_items.iter_mut().enumerate().skip(1) {
            item.status = if i % 2 == 1 { "SUCCESS" } else { "CALLBACK" }.into();
        }
        let all_contacts: Vec<u64> = s.contacts.to_vec();
        let lists = vec![
            List {
                id: 3,
                entity_type_id: 4,
                created: s.today - 40 * day + 10 * hour,
                created_by: ME,
                webform_id: None,
                items: items(3, s.companies, s.companies.len().saturating_sub(1)),
                hidden: Vec::new(),
                other_edit: OtherEdit::Off,
            },
            List {
                id: 4,
                entity_type_id: 2,
                created: s.today - 21 * day + 11 * hour,
                created_by: ME,
                webform_id: None,
                items: items(4, s.deals, s.deals.len() / 2),
                hidden: Vec::new(),
                other_edit: OtherEdit::Off,
            },
            List {
                id: 5,
                entity_type_id: 3,
                created: s.today - 9 * day + 15 * hour,
                created_by: 2,
                webform_id: None,
                items: items(5, &all_contacts, 0),
                hidden: Vec::new(),
                other_edit: OtherEdit::Off,
            },
            List {
                id: MAIN,
                entity_type_id: 3,
                created: s.today - 3 * day + 9 * hour,
                created_by: ME,
                webform_id: Some(2),
                items: items(MAIN, &main_ids, at),
                hidden: Vec::new(),
                other_edit: OtherEdit::Off,
            },
            List {
                id: 7,
                entity_type_id: 3,
                created: s.today - day + 16 * hour,
                created_by: ME,
                webform_id: None,
                items: follow_items,
                hidden: Vec::new(),
                other_edit: OtherEdit::Off,
            },
        ];
        let mut lists = lists;
        for l in &mut lists {
            l.hidden = hidden_members(l, s.client, s.hidden);
            if s.concurrent {
                l.other_edit = OtherEdit::Waiting;
            }
        }
        let activities = [
            (3, ME, true),
            (4, ME, false),
            (5, 2, false),
            (MAIN, ME, false),
            (7, ME, true),
        ]
        .iter()
        .enumerate()
        .map(|(i, (list_id, responsible, completed))| Activity {
            id: 8_101 + i as u64,
            list_id: *list_id,
            responsible: *responsible,
            completed: *completed,
            created: lists[i].created + 60,
        })
        .collect();
        let lists = CallLists {
            lists,
            activities,
            next_list_id: 8,
            next_activity_id: 8_106,
            seed,
            ru: s.ru,
        };
        (lists, new_contacts)
    }

    pub(crate) fn list(&self, id: u64) -> Option<&List> {
        self.lists.iter().find(|l| l.id == id)
    }

    /// The campaign's "next": the current client's item (if it is in the campaign and still
    /// `IN_WORK`) gets its call's outcome, and the next `IN_WORK` item after it — the first one
    /// when the client is not in the campaign — is returned. `None` at the end of the list
    /// (the item is marked all the same).
    pub(crate) fn advance(&mut self, current: Option<EntityRef>) -> Option<EntityRef> {
        let seed = self.seed;
        let list = self.lists.iter_mut().find(|l| l.id == MAIN)?;
        let at = current
            .filter(|c| u64::from(c.kind.type_id()) == list.entity_type_id)
            .and_then(|c| list.items.iter().position(|i| i.element_id == c.id));
        if let Some(i) = at {
            let item = &mut list.items[i];
            if item.status == "IN_WORK" {
                item.status = outcome(seed, MAIN, item.element_id).into();
            }
        }
        let from = at.map_or(0, |i| i + 1);
        let next = list
            .items
            .get(from..)?
            .iter()
            .find(|i| i.status == "IN_WORK")?;
        let kind = EntityKind::from_type_id(list.entity_type_id)?;
        Some(EntityRef::new(kind, next.element_id))
    }

    /// Each list's true size (every member, those the card may not read included), by id.
    pub(crate) fn sizes(&self) -> Vec<(u64, usize)> {
        self.lists.iter().map(|l| (l.id, l.items.len())).collect()
    }
}
