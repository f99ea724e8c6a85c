//! The demo portal's client history: CRM activities (`crm.activity.list`) and telephony call
//! statistics (`voximplant.statistic.get`), answered from a stateful store in the real shapes.
//!
//! The store is generated once, on first use, from the seed: a few dozen calls, emails, meetings
//! and tasks across the contacts, companies and leads, some bound to two or three CRM items (the
//! contact plus its company or one of its deals), so `BINDINGS` filters with several pairs return
//! an activity once per matching binding, as the portal does. The dates are offsets from the day
//! of first use (the sim's clock), so the history always ends "yesterday" and a call made in the
//! demo is the newest entry. The showcase contact (the first one) has more than 50 activities, so
//! its history has a second page; the last contact is a new client with no history at all.
//!
//! Calls made in the demo are added when they end ([`History::record_call`]).

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use crate::answer::{
    Fault, Reply, arg, field, object, paged, passes, select_fields, sort_rows, to_u64, values_of,
};
use crate::bilingual::{Pick, Text};
use crate::crm::{Crm, Record};
use crate::dates::{iso, midnight};
use crate::random::Rng;
use crate::timeline::NewTodo;
use callcard_core::call::Direction;
use callcard_core::i18n::Lang;
use callcard_core::model::entity::{EntityKind, EntityRef};

/// Activity ids of the generated history start here; the sim's own calls get ids from 12 000 up,
/// above every generated one.
const FIRST_ACTIVITY_ID: u64 = 7_000;
const FIRST_STAT_ID: u64 = 3_000;
/// How many activities the showcase contact has: more than one page.
const SHOWCASE_ACTIVITIES: u64 = 62;
/// Contacts generated to fill a large campaign (`calllist_size`) beyond the first this many get
/// no history: 10,000 clients with 4–14 activities each made the demo portal take seconds to
/// start and every `crm.activity.list` scan 90,000 rows.
const HISTORY_GENERATED_CONTACTS: u64 = 200;
/// Where the demo says its recordings are.
/// On the demo portal's own host, `crate::DEMO_HOST` (the card links no other host).
const RECORD_BASE: &str = "https://callcard.example.com/demo/records/";

/// The kinds of activity the generator writes: `TYPE_ID`, `PROVIDER_ID`, `PROVIDER_TYPE_ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Call,
    Email,
    Meeting,
    Task,
    /// A to-do (`crm.activity.todo.add`).
    Todo,
}

impl Kind {
    fn codes(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Meeting => ("1", "CRM_MEETING", "MEETING"),
            Kind::Call => ("2", "VOXIMPLANT_CALL", "CALL"),
            Kind::Task => ("3", "TASKS", "TASK"),
            Kind::Email => ("4", "CRM_EMAIL", "EMAIL"),
            Kind::Todo => ("6", "CRM_TODO", "TODO"),
        }
    }
}

const EMAIL_SUBJECTS: [Text; 4] = [
    ["Commercial proposal", "Коммерческое предложение"],
    ["Re: delivery schedule", "Re: график поставок"],
    ["Signed contract", "Подписанный договор"],
    ["Question about the invoice", "Вопрос по счёту"],
];
const MEETING_SUBJECTS: [Text; 3] = [
    ["Product demo", "Демонстрация продукта"],
    ["Contract review meeting", "Встреча по договору"],
    ["Quarterly business review", "Квартальная встреча"],
];
const TASK_SUBJECTS: [Text; 3] = [
    ["Prepare a quote", "Подготовить КП"],
    ["Send the contract draft", "Отправить проект договора"],
    ["Check the delivery status", "Проверить статус поставки"],
];

/// How a call ended, as the statistics code it and the subject names it.
fn call_subject(direction: Direction, code: &str) -> Text {
    match (direction, code) {
        (Direction::Incoming | Direction::IncomingTransfer, "304") => {
            ["Missed call", "Пропущенный звонок"]
        }
        (Direction::Incoming | Direction::IncomingTransfer, _) => {
            ["Incoming call", "Входящий звонок"]
        }
        _ => ["Outgoing call", "Исходящий звонок"],
    }
}

fn failed_reason(code: &str) -> &'static str {
    match code {
        "200" => "",
        "304" => "Missed call",
        "603" => "Declined",
        "603-S" => "Decline self",
        "486" => "Busy here",
        "480" => "Temporarily unavailable",
        _ => "Other",
    }
}

/// Activity `DIRECTION` (1 incoming, 2 outgoing) and statistics `CALL_TYPE` (1 outgoing,
/// 2 incoming, 3 incoming redirected, 4 callback).
fn direction_codes(direction: Direction) -> (&'static str, &'static str) {
    match direction {
        Direction::Incoming => ("1", "2"),
        Direction::IncomingTransfer => ("1", "3"),
        Direction::Outgoing => ("2", "1"),
        Direction::Callback => ("2", "4"),
        // The simulation makes no call of an unknown direction; filed as outgoing if it did.
        Direction::Unknown => ("2", "1"),
    }
}

/// The name a call subject uses: "First Last" for people, the title for companies.
fn display_name(record: &Record) -> String {
    let text = |k: &str| record.fields.get(k).and_then(Value::as_str).unwrap_or("");
    match record.entity.kind {
        EntityKind::Company | EntityKind::Deal => text("title").to_string(),
        _ => format!("{} {}", text("name"), text("lastName"))
            .trim()
            .to_string(),
    }
}

/// A call that just ended in the demo, as [`History::record_call`] files it.
#[derive(Debug, Clone)]
pub(crate) struct EndedCall {
    pub(crate) activity_id: u64,
    pub(crate) party: EntityRef,
    /// Everything the call is bound to (the card's `CRM_BINDINGS`), the party included.
    pub(crate) bindings: Vec<EntityRef>,
    pub(crate) direction: Direction,
    pub(crate) call_id: String,
    /// `CALL_FAILED_CODE`: `200` answered, `304` missed, `603-S` cancelled, `486` busy, …
    pub(crate) code: &'static str,
    /// When the call started (answered, or ended for a call that never connected), Unix seconds.
    pub(crate) start_secs: i64,
    pub(crate) duration_secs: u64,
    /// The operator (the current user).
    pub(crate) user_id: u64,
}

#[derive(Debug, Clone)]
struct Activity {
    fields: Map<String, Value>,
    bindings: Vec<EntityRef>,
}

/// One `{OWNER_TYPE_ID?, OWNER_ID?}` pair of a `BINDINGS` filter.
#[derive(Debug, Clone, Copy)]
struct Pair {
    type_id: Option<u64>,
    id: Option<u64>,
}

impl Pair {
    fn matches(&self, b: &EntityRef) -> bool {
        self.type_id
            .is_none_or(|t| t == u64::from(b.kind.type_id()))
            && self.id.is_none_or(|id| id == b.id)
    }
}

/// A draft of a generated activity, before ids are handed out in creation order.
struct Draft {
    created: i64,
    activity: Activity,
    /// The statistics row of a call that took place (without ids yet).
    stat: Option<Map<String, Value>>,
}

/// The history store.
#[derive(Debug, Clone)]
pub(crate) struct History {
    lang: Lang,
    seed: u64,
    stats_denied: bool,
    generated: bool,
    activities: Vec<Activity>,
    stats: Vec<Map<String, Value>>,
    next_stat_id: u64,
    /// `markup=1`: activity subjects carry markup payloads.
    markup: bool,
}

impl History {
    pub(crate) fn new(lang: Lang, seed: u64, stats_denied: bool) -> History {
        History {
            lang,
            seed,
            stats_denied,
            generated: false,
            activities: Vec::new(),
            stats: Vec::new(),
            next_stat_id: FIRST_STAT_ID,
            markup: false,
        }
    }

    pub(crate) fn with_markup(mut self, on: bool) -> History {
        self.markup = on;
        self
    }

    /// Generates the history on first use, dated back from `now_ms`.
    fn ensure(&mut self, crm: &Crm, now_ms: f64) {
        if self.generated {
            return;
        }
        self.generated = true;
        let mut rng = Rng(self.seed ^ 0x4157_0B1E_5EED_0005);
        let today = midnight((now_ms / 1000.0).floor() as i64);
        let users = crm.users.len().max(1) as u64;
        let contacts: Vec<&Record> = crm.of_kind(EntityKind::Contact).collect();
        let mut parties: Vec<(&Record, u64)> = Vec::new();
        for (i, r) in contacts.iter().enumerate() {
            let generated = r.entity.id
                >= crate::calllist::CAMPAIGN_CONTACT_FIRST_ID + HISTORY_GENERATED_CONTACTS;
            let n = if i == 0 {
                SHOWCASE_ACTIVITIES
            } else if i + 1 == contacts.len() || generated {
                0
            } else {
                rng.between(4, 14)
            };
            parties.push((r, n));
        }
        for r in crm.of_kind(EntityKind::Company) {
            parties.push((r, rng.between(2, 6)));
        }
        for r in crm.of_kind(EntityKind::Lead) {
            parties.push((r, rng.between(1, 5)));
        }
        let mut drafts = Vec::new();
        for (record, n) in parties {
            for _ in 0..n {
                drafts.push(self.draft(crm, record, today, users, &mut rng));
            }
        }
        // Ids in creation order, with the gaps other clients' activities leave.
        drafts.sort_by_key(|d| d.created);
        let mut id = FIRST_ACTIVITY_ID;
        for mut d in drafts {
            id += rng.between(1, 9);
            d.activity.fields.insert("ID".into(), id.to_string().into());
            if let Some(mut stat) = d.stat {
                self.add_stat(&mut stat, id);
                self.stats.push(stat);
            }
            self.activities.push(d.activity);
        }
        if self.markup {
            let payloads = crate::crm::MARKUP_PAYLOADS;
            for (n, a) in self.activities.iter_mut().enumerate() {
                if let Some(Value::String(v)) = a.fields.get_mut("SUBJECT") {
                    *v = format!("{v} {}", payloads[n % payloads.len()]);
                }
            }
        }
    }

    fn add_stat(&mut self, stat: &mut Map<String, Value>, activity_id: u64) {
        stat.insert("ID".into(), self.next_stat_id.to_string().into());
        stat.insert("CRM_ACTIVITY_ID".into(), activity_id.to_string().into());
        if stat.get("CALL_RECORD_URL").is_some_and(|u| u == "yes") {
            let url = format!("{RECORD_BASE}{activity_id}.mp3");
            stat.insert("CALL_RECORD_URL".into(), url.into());
        }
        self.next_stat_id += 1;
    }

    /// One generated activity of `party`.
    fn draft(&self, crm: &Crm, party: &Record, today: i64, users: u64, rng: &mut Rng) -> Draft {
        let lang = self.lang;
        let roll = rng.below(100);
        let kind = match roll {
            0..72 => Kind::Call,
            72..82 => Kind::Email,
            82..91 => Kind::Meeting,
            _ => Kind::Task,
        };
        // Most of it is past; some meetings, tasks and call-backs are planned for the coming days.
        let planned = match kind {
            Kind::Call => rng.chance(0.05),
            Kind::Meeting | Kind::Task => rng.chance(0.3),
            // Never generated: to-dos come from `crm.activity.todo.add` only.
            Kind::Email | Kind::Todo => false,
        };
        let hour = rng.between(8 * 3600, 19 * 3600) as i64;
        let (start, created) = if planned {
            let start = today + rng.between(1, 10) as i64 * 86_400 + hour;
            (start, today - rng.between(0, 5) as i64 * 86_400 + hour / 2)
        } else {
            let start = today - rng.between(1, 200) as i64 * 86_400 + hour;
            (start, start)
        };
        let responsible = match party.id_field("assignedById") {
            Some(id) if !rng.chance(0.25) => id,
            _ => rng.between(1, users),
        };
        let mut bindings = vec![party.entity];
        if party.entity.kind == EntityKind::Contact {
            if let Some(company) = party.id_field("companyId").filter(|_| rng.chance(0.4)) {
                bindings.push(EntityRef::new(EntityKind::Company, company));
            }
            let deals: Vec<EntityRef> = crm
                .of_kind(EntityKind::Deal)
                .filter(|d| d.id_field("contactId") == Some(party.entity.id))
                .map(|d| d.entity)
                .collect();
            if !deals.is_empty() && rng.chance(0.3) {
                bindings.push(deals[rng.below(deals.len() as u64) as usize]);
            }
        }
        let name = display_name(party);
        let (direction, subject, completed, duration, stat) = match kind {
            Kind::Call => {
                let direction = if rng.chance(0.45) {
                    Direction::Incoming
                } else {
                    Direction::Outgoing
                };
                let code = if planned {
                    None
                } else {
                    Some(match direction {
                        Direction::Incoming if rng.chance(0.2) => "304",
                        Direction::Incoming => "200",
                        _ => match rng.below(10) {
                            0..7 => "200",
                            7 => "486",
                            8 => "603",
                            _ => ["603-S", "480"][rng.below(2) as usize],
                        },
                    })
                };
                let duration = match code {
                    Some("200") => rng.between(15, 900),
                    _ => 0,
                };
                let subject = format!(
                    "{} {name}",
                    lang.pick(call_subject(direction, code.unwrap_or("")))
                );
                // A missed call stays open: the client is waiting for a call back.
                let completed = !planned && code != Some("304");
                // Most calls that took place have a statistics row.
                let stat = code.filter(|_| rng.chance(0.88)).map(|code| {
                    let recorded = code == "200" && duration > 30 && rng.chance(0.6);
                    let call_id = format!(
                        "externalCall.{:016x}{:016x}.{start}",
                        rng.next_u64(),
                        rng.next_u64()
                    );
                    self.stat_row(&StatFacts {
                        party,
                        user_id: responsible,
                        direction,
                        call_id,
                        code,
                        start,
                        duration,
                        recorded,
                    })
                });
                (Some(direction), subject, completed, duration, stat)
            }
            Kind::Email => {
                let direction = if rng.chance(0.5) {
                    Direction::Incoming
                } else {
                    Direction::Outgoing
                };
                let subject = lang.pick(EMAIL_SUBJECTS[rng.below(4) as usize]).to_string();
                let completed = direction == Direction::Outgoing || rng.chance(0.8);
                (Some(direction), subject, completed, 0, None)
            }
            Kind::Meeting | Kind::Task | Kind::Todo => {
                let table: &[Text] = if kind == Kind::Meeting {
                    &MEETING_SUBJECTS
                } else {
                    &TASK_SUBJECTS
                };
                let subject = lang.pick(table[rng.below(table.len() as u64) as usize]);
                let completed = !planned && (kind == Kind::Meeting || rng.chance(0.8));
                let length = if kind == Kind::Meeting { 3_600 } else { 0 };
                (None, subject.to_string(), completed, length, None)
            }
        };
        let direction_code = direction.map_or("0", |d| direction_codes(d).0);
        let activity = Activity {
            fields: activity_fields(ActivityFacts {
                kind,
                party: party.entity,
                direction_code,
                subject,
                created,
                start,
                end: start + duration as i64,
                completed,
                responsible,
                origin: None,
            }),
            bindings,
        };
        Draft {
            created,
            activity,
            stat,
        }
    }

    fn stat_row(&self, f: &StatFacts) -> Map<String, Value> {
        let lang = self.lang;
        object(json!({
            "PORTAL_USER_ID": f.user_id.to_string(),
            "PORTAL_NUMBER": lang.pick(["+1 555 0100", "+7 495 000-00-00"]),
            "PHONE_NUMBER": f.party.phone.clone().unwrap_or_default(),
            "CALL_ID": f.call_id,
            "EXTERNAL_CALL_ID": null,
            "CALL_CATEGORY": "external",
            "CALL_LOG": null,
            "CALL_DURATION": f.duration.to_string(),
            "CALL_START_DATE": iso(f.start),
            // Filled in with the activity id once it is known.
            "CALL_RECORD_URL": if f.recorded { "yes" } else { "" },
            "CALL_VOTE": null,
            "COST": "0.0000",
            "COST_CURRENCY": lang.pick(["USD", "RUB"]),
            "CALL_FAILED_CODE": f.code,
            "CALL_FAILED_REASON": failed_reason(f.code),
            "CRM_ENTITY_TYPE": f.party.entity.kind.name(),
            "CRM_ENTITY_ID": f.party.entity.id.to_string(),
            "REST_APP_ID": null,
            "REST_APP_NAME": null,
            "TRANSCRIPT_ID": null,
            "TRANSCRIPT_PENDING": "N",
            "SESSION_ID": null,
            "REDIAL_ATTEMPT": null,
            "COMMENT": null,
            "RECORD_DURATION": if f.recorded { Value::from(f.duration.to_string()) } else { Value::Null },
            "CALL_TYPE": direction_codes(f.direction).1,
        }))
    }

    /// Files a call that ended in the demo: its activity (bound to everything the card showed
    /// it bound to) and its statistics row.
    pub(crate) fn record_call(&mut self, crm: &Crm, now_ms: f64, call: EndedCall) {
        self.ensure(crm, now_ms);
        let Some(party) = crm.get(call.party) else {
            return;
        };
        let lang = self.lang;
        let subject = format!(
            "{} {}",
            lang.pick(call_subject(call.direction, call.code)),
            display_name(party)
        );
        // A call that never connected and that the client is still waiting for (missed, busy,
        // unavailable) stays open; answered and self-cancelled calls are done.
        let completed = matches!(call.code, "200" | "603-S" | "603");
        let fields = activity_fields(ActivityFacts {
            kind: Kind::Call,
            party: call.party,
            direction_code: direction_codes(call.direction).0,
            subject,
            created: call.start_secs,
            start: call.start_secs,
            end: call.start_secs + call.duration_secs as i64,
            completed,
            responsible: call.user_id,
            origin: Some(format!("VI_{}", call.call_id)),
        });
        let mut fields = fields;
        fields.insert("ID".into(), call.activity_id.to_string().into());
        let mut bindings = call.bindings.clone();
        if !bindings.contains(&call.party) {
            bindings.push(call.party);
        }
        self.activities
            .retain(|a| a.fields.get("ID") != fields.get("ID"));
        self.activities.push(Activity { fields, bindings });
        let mut stat = self.stat_row(&StatFacts {
            party,
            user_id: call.user_id,
            direction: call.direction,
            call_id: call.call_id,
            code: call.code,
            start: call.start_secs,
            duration: call.duration_secs,
            recorded: call.code == "200",
        });
        self.add_stat(&mut stat, call.activity_id);
        self.stats.push(stat);
    }

    /// Files a to-do (`crm.activity.todo.add`): an open `CRM_TODO` activity of its owner,
    /// `START_TIME`/`END_TIME`/`DEADLINE` at its deadline, created now.
    pub(crate) fn add_todo(&mut self, crm: &Crm, now_ms: f64, id: u64, todo: NewTodo) {
        self.ensure(crm, now_ms);
        let now = (now_ms / 1000.0).floor() as i64;
        let mut fields = activity_fields(ActivityFacts {
            kind: Kind::Todo,
            party: todo.owner,
            direction_code: "0",
            subject: todo.title,
            created: now,
            start: todo.deadline,
            end: todo.deadline,
            completed: false,
            responsible: todo.responsible,
            origin: None,
        });
        fields.insert("ID".into(), id.to_string().into());
        fields.insert("LAST_UPDATED".into(), iso(now).into());
        fields.insert("DESCRIPTION".into(), todo.description.into());
        self.activities.push(Activity {
            fields,
            bindings: vec![todo.owner],
        });
    }

    /// `crm.activity.list`: `filter` (with `BINDINGS`: one row per binding that matches any of the
    /// pairs, so an activity bound to two of them comes twice), `order` (default `START_TIME`
    /// ascending), `select` (`*` or none: every field; otherwise `ID` plus the named ones),
    /// 50 a page from `start` (`-1`: the first page without `total`/`next`).
    pub(crate) fn activity_list(
        &mut self,
        crm: &Crm,
        now_ms: f64,
        params: &Value,
    ) -> Result<Reply, Fault> {
        self.ensure(crm, now_ms);
        let mut pairs: Option<Vec<Pair>> = None;
        let mut filter = Map::new();
        if let Some(Value::Object(f)) = arg(params, "filter") {
            for (key, value) in f {
                if key.eq_ignore_ascii_case("BINDINGS") {
                    let list: Vec<Pair> = values_of(value)
                        .into_iter()
                        .filter_map(Value::as_object)
                        .map(|p| Pair {
                            type_id: field(p, "OWNER_TYPE_ID").and_then(|(_, v)| to_u64(v)),
                            id: field(p, "OWNER_ID").and_then(|(_, v)| to_u64(v)),
                        })
                        .collect();
                    pairs = (!list.is_empty()).then_some(list);
                } else {
                    filter.insert(key.clone(), value.clone());
                }
            }
        }
        let mut rows: Vec<&Map<String, Value>> = Vec::new();
        for a in &self.activities {
            if !passes(&a.fields, &filter) {
                continue;
            }
            let copies = match &pairs {
                None => 1,
                Some(pairs) => a
                    .bindings
                    .iter()
                    .filter(|b| pairs.iter().any(|p| p.matches(b)))
                    .count(),
            };
            rows.extend(std::iter::repeat_n(&a.fields, copies));
        }
        let default_order = json!({"START_TIME": "ASC"});
        sort_rows(
            &mut rows,
            Some(arg(params, "order").unwrap_or(&default_order)),
        );
        Ok(paged(select_fields(rows, params, "ID", ""), params))
    }

    /// `voximplant.statistic.get`: `FILTER` (any field, e.g. `CRM_ENTITY_TYPE`, `CRM_ENTITY_ID`,
    /// `CRM_ACTIVITY_ID`, with the usual operators), `SORT` + `ORDER`, 50 a page from `start`.
    /// With `stats=denied` the user may not read statistics: 403 `ACCESS_DENIED`.
    pub(crate) fn statistic_get(
        &mut self,
        crm: &Crm,
        now_ms: f64,
        params: &Value,
    ) -> Result<Reply, Fault> {
        if self.stats_denied {
            return Err(Fault {
                status: 403,
                code: Cow::Borrowed("ACCESS_DENIED"),
                description: "Access denied!".into(),
                argument: None,
            });
        }
        self.ensure(crm, now_ms);
        let filter = arg(params, "FILTER").and_then(Value::as_object);
        let mut rows: Vec<&Map<String, Value>> = self
            .stats
            .iter()
            .filter(|s| filter.is_none_or(|f| passes(s, f)))
            .collect();
        if let Some(sort) = arg(params, "SORT").and_then(Value::as_str) {
            let order = arg(params, "ORDER")
                .and_then(Value::as_str)
                .unwrap_or("ASC");
            sort_rows(&mut rows, Some(&json!({ sort.trim(): order })));
        }
        Ok(paged(
            rows.into_iter().map(|r| Value::Object(r.clone())).collect(),
            params,
        ))
    }
}

/// What a statistics row says.
struct StatFacts<'a> {
    party: &'a Record,
    user_id: u64,
    direction: Direction,
    call_id: String,
    code: &'static str,
    start: i64,
    duration: u64,
    recorded: bool,
}

/// What an activity row says.
struct ActivityFacts {
    kind: Kind,
    party: EntityRef,
    direction_code: &'static str,
    subject: String,
    created: i64,
    start: i64,
    end: i64,
    completed: bool,
    responsible: u64,
    origin: Option<String>,
}

/// An activity row as `crm.activity.list` sends it: every value a string (or null, or `[]`).
fn activity_fields(f: ActivityFacts) -> Map<String, Value> {
    let (type_id, provider, provider_type) = f.kind.codes();
    let flag = if f.completed { "Y" } else { "N" };
    object(json!({
        "OWNER_ID": f.party.id.to_string(),
        "OWNER_TYPE_ID": f.party.kind.type_id().to_string(),
        "TYPE_ID": type_id,
        "PROVIDER_ID": provider,
        "PROVIDER_TYPE_ID": provider_type,
        "PROVIDER_GROUP_ID": null,
        "ASSOCIATED_ENTITY_ID": "0",
        "SUBJECT": f.subject,
        "CREATED": iso(f.created),
        "LAST_UPDATED": iso(f.end.max(f.created)),
        "START_TIME": iso(f.start),
        "END_TIME": iso(f.end),
        "DEADLINE": iso(f.start),
        "COMPLETED": flag,
        "STATUS": if f.completed { "2" } else { "1" },
        "RESPONSIBLE_ID": f.responsible.to_string(),
        "PRIORITY": "2",
        "DESCRIPTION": "",
        "DESCRIPTION_TYPE": "1",
        "DIRECTION": f.direction_code,
        "LOCATION": "",
        "SETTINGS": [],
        "ORIGINATOR_ID": null,
        "ORIGIN_ID": f.origin,
        "AUTHOR_ID": f.responsible.to_string(),
        "EDITOR_ID": f.responsible.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recordings_are_on_the_demo_portals_host() {
        assert!(callcard_core::history::recording_on_portal(
            &format!("{}1.mp3", super::RECORD_BASE),
            crate::DEMO_HOST
        ));
    }

    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    use crate::{DemoConfig, Sim};
    use callcard_core::call::Direction as HDir;
    use callcard_core::call::decode_call_status;
    use callcard_core::history::{
        self, ActivityKind, CallOutcome, StatsAccess, StatsState, Timeline,
    };
    use callcard_core::model::entity::{EntityKind, EntityRef};
    use callcard_core::rest::batch::{Batch, decode_answer};
    use callcard_core::rest::paging::Reason;

    fn sim(query: &str) -> Sim {
        Sim::new(&DemoConfig::from_query(query))
    }

    fn ok(s: &mut Sim, method: &str, params: Value) -> Value {
        s.rest(method, &params)
            .unwrap_or_else(|e| panic!("{method} failed: {e:?}"))
    }

    fn client(s: &Sim) -> EntityRef {
        decode_call_status(&s.status()).unwrap().entity.unwrap()
    }

    fn ids(result: &Value) -> Vec<u64> {
        result
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ID"].as_str().unwrap().parse().unwrap())
            .collect()
    }

    fn activities(s: &mut Sim, filter: Value) -> Value {
        let body = ok(
            s,
            "crm.activity.list",
            json!({"filter": filter, "order": {"ID": "DESC"}, "start": 0}),
        );
        let mut rows = body["result"].as_array().unwrap().clone();
        let mut next = body.get("next").and_then(Value::as_u64);
        while let Some(start) = next {
            let b = ok(
                s,
                "crm.activity.list",
                json!({"filter": filter, "order": {"ID": "DESC"}, "start": start}),
            );
            rows.extend(b["result"].as_array().unwrap().iter().cloned());
            next = b.get("next").and_then(Value::as_u64);
        }
        Value::Array(rows)
    }

    /// The entry with the highest id: the activity created last. (Not necessarily the first
    /// entry: planned meetings and tasks start later.)
    fn latest(t: &Timeline) -> &history::HistoryItem {
        t.items().iter().max_by_key(|i| i.id).unwrap()
    }

    fn binding(e: EntityRef) -> Value {
        json!({"OWNER_TYPE_ID": e.kind.type_id(), "OWNER_ID": e.id})
    }

    /// Loads a client's whole history the way the card does: a batch with both queries, then
    /// "show more" batches with the cursor until the timeline says there is no more.
    fn load_timeline(s: &mut Sim, entity: EntityRef) -> (Timeline, usize) {
        let mut t = Timeline::new();
        let mut batches = 0;
        let mut cursor = None;
        loop {
            let mut b = Batch::new();
            let (m, p) = history::activity_query(entity, cursor);
            b.add("h_acts", m, p);
            let (m, p) = history::statistic_query(entity, cursor);
            b.add("h_stats", m, p);
            let body = ok(s, "batch", b.to_params().remove(0));
            let answer = decode_answer(&body["result"]).unwrap();
            let page = history::decode_activities(&answer.get("h_acts").unwrap().result).unwrap();
            let stats = StatsAccess::from_answer(answer.get("h_stats"));
            if cursor.is_none() {
                t.apply_first_page(page, stats);
            } else {
                t.append_page(page, stats);
            }
            batches += 1;
            match t.next_cursor() {
                Some(c) => cursor = Some(c),
                None => return (t, batches),
            }
        }
    }

    #[test]
    fn the_showcase_client_has_two_pages_and_the_last_contact_none() {
        for lang in ["en", "ru"] {
            let mut s = sim(&format!("lang={lang}"));
            let me = client(&s);
            assert_eq!(me.kind, EntityKind::Contact);
            let (first_method, first) = history::activity_query(me, None);
            let body = ok(&mut s, first_method, first);
            assert_eq!(body["result"].as_array().unwrap().len(), 50);
            assert!(
                body.get("total").is_none() && body.get("next").is_none(),
                "start=-1"
            );
            let (t, batches) = load_timeline(&mut s, me);
            assert_eq!(batches, 2, "{lang}");
            assert_eq!(t.end(), Some(Reason::ShortPage));
            assert!(t.items().len() > 50, "{lang}: {}", t.items().len());
            assert!(t.items().iter().any(|i| i.kind == ActivityKind::Email));
            assert!(
                t.items()
                    .iter()
                    .any(|i| i.kind == ActivityKind::Meeting || i.kind == ActivityKind::Task)
            );
            let calls: Vec<_> = t.items().iter().filter(|i| i.is_call()).collect();
            assert!(calls.len() > 30);
            assert!(calls.iter().any(|c| c.direction == HDir::Incoming));
            assert!(calls.iter().any(|c| c.direction == HDir::Outgoing));
            assert!(
                calls.iter().any(|c| !c.completed),
                "missed or planned calls stay open"
            );
            // Most, not all, calls have statistics; both pages' calls found theirs.
            let with = calls.iter().filter(|c| c.call.is_some()).count();
            assert!(
                with * 10 >= calls.len() * 7 && with < calls.len(),
                "{with}/{}",
                calls.len()
            );
            assert!(
                t.items()[50..].iter().any(|c| c.call.is_some()),
                "the second page joined too"
            );
            assert!(
                calls
                    .iter()
                    .any(|c| c.call.as_ref().is_some_and(|f| f.record_url.is_some()))
            );
            assert!(calls.iter().any(|c| {
                c.call
                    .as_ref()
                    .is_some_and(|f| f.outcome == Some(CallOutcome::Missed))
            }));
            // Newest first, dates parse, all in the past or planned ahead; every start readable.
            assert!(t.items().iter().all(|i| i.start_ms.is_some()));
            // Issue 11: by date and time, not by id.
            assert!(
                t.items()
                    .windows(2)
                    .all(|w| (w[0].start_ms, w[0].id) > (w[1].start_ms, w[1].id))
            );
            let subject = &calls[0].subject;
            let cyrillic = subject
                .chars()
                .any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
            assert_eq!(cyrillic, lang == "ru", "{subject}");

            // The last contact is a new client.
            let last = EntityRef::new(EntityKind::Contact, 19);
            assert!(
                ok(&mut s, "crm.item.get", json!({"entityTypeId": 3, "id": 19}))["result"]["item"]
                    ["id"]
                    == 19
            );
            let (t, batches) = load_timeline(&mut s, last);
            assert_eq!(
                (t.items().len(), batches, t.end()),
                (0, 1, Some(Reason::Empty))
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let run = |q: &str| {
            let mut s = sim(q);
            let me = client(&s);
            let (m, p) = history::activity_query(me, None);
            ok(&mut s, m, p)["result"].clone()
        };
        assert_eq!(run("seed=3"), run("seed=3"));
        assert_ne!(run("seed=3"), run("seed=4"));
    }

    #[test]
    fn several_binding_pairs_return_duplicates() {
        let mut s = sim("");
        let me = client(&s);
        let company = ok(
            &mut s,
            "crm.item.get",
            json!({"entityTypeId": 3, "id": me.id}),
        )["result"]["item"]["companyId"]
            .as_u64()
            .unwrap();
        let company = EntityRef::new(EntityKind::Company, company);
        let mine = ids(&activities(&mut s, json!({"BINDINGS": [binding(me)]})));
        let theirs = ids(&activities(&mut s, json!({"BINDINGS": [binding(company)]})));
        let both = ids(&activities(
            &mut s,
            json!({"BINDINGS": [binding(me), binding(company)]}),
        ));
        assert_eq!(
            both.len(),
            mine.len() + theirs.len(),
            "one row per matching binding"
        );
        let unique: BTreeSet<u64> = both.iter().copied().collect();
        assert!(
            unique.len() < both.len(),
            "some activities are bound to both"
        );
        let shared: Vec<u64> = mine
            .iter()
            .filter(|id| theirs.contains(id))
            .copied()
            .collect();
        assert!(!shared.is_empty());
        // Duplicates sit next to each other in ID order, as a JOIN sorted by ID returns them.
        let pos = both.iter().position(|id| *id == shared[0]).unwrap();
        assert_eq!(both[pos + 1], shared[0]);
        // Pairs with only a type: every contact activity binding.
        let contacts = ids(&activities(
            &mut s,
            json!({"BINDINGS": [{"OWNER_TYPE_ID": 3}]}),
        ));
        assert!(contacts.len() > mine.len());
        // A deal sees the contact activities bound to it.
        let deals: Vec<u64> = decode_call_status(&s.status())
            .unwrap()
            .other_bindings()
            .iter()
            .filter(|b| b.kind == EntityKind::Deal)
            .map(|b| b.id)
            .collect();
        let on_deals: usize = deals
            .iter()
            .map(|d| {
                ids(&activities(
                    &mut s,
                    json!({"BINDINGS": [binding(EntityRef::new(EntityKind::Deal, *d))]}),
                ))
                .len()
            })
            .sum();
        assert!(on_deals > 0);
        // The timeline shows each once.
        let (m, mut p) = history::activity_query(me, None);
        p["filter"]["BINDINGS"] = json!([binding(me), binding(company)]);
        let page = history::decode_activities(&ok(&mut s, m, p)["result"]).unwrap();
        let mut t = Timeline::new();
        t.apply_first_page(page.clone(), StatsAccess::Unknown);
        assert!(t.items().len() < page.rows);
        let shown: BTreeSet<u64> = t.items().iter().map(|i| i.id).collect();
        assert_eq!(shown.len(), t.items().len());
    }

    #[test]
    fn list_paging_filters_order_and_select() {
        let mut s = sim("");
        let me = client(&s);
        let all = ids(&activities(&mut s, json!({"BINDINGS": [binding(me)]})));
        assert!(all.len() > 50 && all.windows(2).all(|w| w[0] > w[1]));
        let filter = json!({"BINDINGS": [binding(me)]});
        let body = ok(
            &mut s,
            "crm.activity.list",
            json!({"filter": filter, "order": {"ID": "DESC"}}),
        );
        assert_eq!(body["total"], all.len());
        assert_eq!(body["next"], 50);
        // `<ID` continues below the cursor; `>ID` above it.
        let cursor = all[49];
        let below = ok(
            &mut s,
            "crm.activity.list",
            json!({"filter": {"BINDINGS": [binding(me)], "<ID": cursor}, "order": {"ID": "DESC"}, "start": -1}),
        );
        assert_eq!(ids(&below["result"]), all[50..].to_vec());
        let above = ok(
            &mut s,
            "crm.activity.list",
            json!({"filter": {"BINDINGS": [binding(me)], ">ID": cursor}, "order": {"ID": "ASC"}, "start": -1}),
        );
        let mut expect = all[..49].to_vec();
        expect.reverse();
        assert_eq!(ids(&above["result"]), expect);
        // TYPE_ID, select, START_TIME order (the default is ascending).
        let calls = ok(
            &mut s,
            "crm.activity.list",
            json!({"filter": {"BINDINGS": [binding(me)], "TYPE_ID": 2}, "select": ["SUBJECT"], "start": -1}),
        );
        let rows = calls["result"].as_array().unwrap();
        assert!(!rows.is_empty());
        for r in rows {
            let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
            assert_eq!(keys, vec!["ID", "SUBJECT"]);
        }
        let dated = ok(
            &mut s,
            "crm.activity.list",
            json!({"filter": {"BINDINGS": [binding(me)]}, "order": {"START_TIME": "DESC"}, "start": -1}),
        );
        let times: Vec<&str> = dated["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["START_TIME"].as_str().unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]));
        // Whole rows have the documented shape: strings throughout.
        let row = &dated["result"][0];
        for key in [
            "ID",
            "OWNER_ID",
            "OWNER_TYPE_ID",
            "TYPE_ID",
            "DIRECTION",
            "RESPONSIBLE_ID",
            "STATUS",
        ] {
            assert!(row[key].is_string(), "{key}");
        }
        assert_eq!(row["SETTINGS"], json!([]));
        // Through a batch (PHP-style query strings) the same filters hold.
        let mut b = Batch::new();
        let (m, p) = history::activity_query(me, Some(cursor));
        b.add("a", m, p);
        let body = ok(&mut s, "batch", b.to_params().remove(0));
        assert_eq!(ids(&body["result"]["result"]["a"]), all[50..].to_vec());
        assert_eq!(
            body["result"]["result_total"],
            json!([]),
            "start=-1 counts nothing"
        );
    }

    #[test]
    fn statistics_filter_and_denial() {
        let mut s = sim("");
        let me = client(&s);
        let (m, p) = history::statistic_query(me, None);
        let body = ok(&mut s, m, p);
        let rows = body["result"].as_array().unwrap();
        assert!(!rows.is_empty() && rows.len() <= 50);
        assert!(
            rows.iter().all(|r| r["CRM_ENTITY_TYPE"] == "CONTACT"
                && r["CRM_ENTITY_ID"] == json!(me.id.to_string()))
        );
        let acts: Vec<u64> = rows
            .iter()
            .map(|r| r["CRM_ACTIVITY_ID"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(
            acts.windows(2).all(|w| w[0] > w[1]),
            "sorted by activity, newest first"
        );
        let one = ok(
            &mut s,
            "voximplant.statistic.get",
            json!({"FILTER": {"CRM_ACTIVITY_ID": acts[3]}}),
        );
        assert_eq!(one["result"].as_array().unwrap().len(), 1);
        assert_eq!(one["total"], 1);
        // Every row points at a call activity of this client.
        let calls = ids(&activities(
            &mut s,
            json!({"BINDINGS": [binding(me)], "TYPE_ID": 2}),
        ));
        assert!(acts.iter().all(|a| calls.contains(a)));

        let mut denied = sim("stats=denied");
        let err = denied
            .rest(m, &history::statistic_query(me, None).1)
            .unwrap_err();
        assert_eq!(err.0, 403);
        assert_eq!(err.1["error"], "ACCESS_DENIED");
        // In a batch: that key fails, the activities still come, and the timeline says so.
        let (t, _) = load_timeline(&mut denied, me);
        assert_eq!(t.stats_state(), StatsState::Denied);
        assert!(t.items().len() > 50);
        assert!(t.items().iter().all(|i| i.call.is_none()));
        let (t, _) = load_timeline(&mut s, me);
        assert_eq!(t.stats_state(), StatsState::Allowed);
    }

    #[test]
    fn an_answered_call_appears_in_the_history() {
        for (query, subject, direction, call_type) in [
            ("", "Incoming call Emily Carter", "1", "2"),
            ("lang=ru", "Входящий звонок Анна Петрова", "1", "2"),
            (
                "scenario=outgoing",
                "Outgoing call Northwind Traders Ltd",
                "2",
                "1",
            ),
        ] {
            let mut s = sim(query);
            let me = client(&s);
            let t0 = 1_800_000_000_000.0;
            s.set_now_ms(t0);
            let (before, _) = load_timeline(&mut s, me);
            s.answer();
            let activity = decode_call_status(&s.status())
                .unwrap()
                .activity_id
                .unwrap();
            s.set_now_ms(t0 + 95_400.0);
            s.hangup();
            let rows = activities(&mut s, json!({"BINDINGS": [binding(me)], "ID": activity}));
            let row = &rows[0];
            assert_eq!(rows.as_array().unwrap().len(), 1, "{query}");
            assert_eq!(row["SUBJECT"], subject);
            assert_eq!(row["DIRECTION"], direction);
            assert_eq!(row["COMPLETED"], "Y");
            assert_eq!(row["RESPONSIBLE_ID"], "1");
            assert_eq!(row["START_TIME"], "2027-01-15T08:00:00+00:00");
            assert_eq!(row["TYPE_ID"], "2");
            let stats = ok(
                &mut s,
                "voximplant.statistic.get",
                json!({"FILTER": {"CRM_ACTIVITY_ID": activity}}),
            );
            let stat = &stats["result"][0];
            assert_eq!(stat["CALL_DURATION"], "95");
            assert_eq!(stat["CALL_FAILED_CODE"], "200");
            assert_eq!(stat["CALL_TYPE"], call_type);
            assert_eq!(stat["CRM_ENTITY_ID"], me.id.to_string());
            assert_eq!(
                stat["CALL_ID"],
                json!(decode_call_status(&s.status()).unwrap().call_id)
            );
            // The card's timeline: the call is the newest past entry (only planned ones come
            // before it), with its facts.
            let (after, _) = load_timeline(&mut s, me);
            assert_eq!(after.items().len(), before.items().len() + 1);
            let top = latest(&after);
            let at = after.items().iter().position(|i| i.id == activity).unwrap();
            assert!(
                after.items()[..at]
                    .iter()
                    .all(|i| i.start_ms > top.start_ms && !i.completed)
            );
            assert_eq!(top.id, activity);
            assert_eq!(top.start_ms, Some(1_800_000_000_000));
            let facts = top.call.as_ref().unwrap();
            assert_eq!(
                (facts.duration_s, facts.outcome.clone()),
                (Some(95), Some(CallOutcome::Answered))
            );
            assert!(facts.record_url.is_some());
            // It is bound to everything the card showed: the deals see it too.
            for b in decode_call_status(&s.status()).unwrap().bindings {
                let on = ids(&activities(
                    &mut s,
                    json!({"BINDINGS": [binding(b)], "ID": activity}),
                ));
                assert_eq!(on, vec![activity], "{b:?}");
            }
        }
    }

    #[test]
    fn garbage_params_never_panic() {
        let garbage = [
            json!(null),
            json!("x"),
            json!([1]),
            json!({"filter": "x", "order": [1], "select": 5, "start": "abc"}),
            json!({"filter": {"BINDINGS": "x"}}),
            json!({"filter": {"BINDINGS": [null, 1, [], {"OWNER_TYPE_ID": [3], "OWNER_ID": {"a": 1}}]}}),
            json!({"filter": {"bindings": {"0": {"OWNER_ID": "-5"}}, "<ID": null, ">ID": [1, 2]},
                   "order": {"START_TIME": 5, "nope": "desc"}, "select": [null, "", "*"], "start": -99}),
            json!({"FILTER": [1], "SORT": {"a": 1}, "ORDER": 7, "start": "99999999999999999999999"}),
            json!({"FILTER": {"<CRM_ACTIVITY_ID": "abc", "CRM_ENTITY_TYPE": null}, "SORT": "", "ORDER": "sideways"}),
        ];
        let mut s = sim("");
        for method in ["crm.activity.list", "voximplant.statistic.get"] {
            for params in &garbage {
                match s.rest(method, params) {
                    Ok(body) => assert!(body["result"].is_array(), "{method} {params}: {body}"),
                    Err((status, body)) => panic!("{method} {params}: {status} {body}"),
                }
            }
        }
    }

    #[test]
    fn calls_that_never_connected_are_filed_too() {
        // Busy: an open outgoing call with the failed code; the card still shows no activity.
        let mut s = sim("scenario=failed");
        let me = client(&s);
        s.answer();
        assert_eq!(decode_call_status(&s.status()).unwrap().activity_id, None);
        let (t, _) = load_timeline(&mut s, me);
        let top = latest(&t);
        assert!(top.is_call() && !top.completed);
        assert_eq!(top.direction, HDir::Outgoing);
        assert_eq!(
            top.call.as_ref().unwrap().outcome,
            Some(CallOutcome::Failed("486".into()))
        );
        assert_eq!(top.call.as_ref().unwrap().duration_s, Some(0));
        assert!(top.subject.starts_with("Outgoing call"));
        // Redial and busy again: a second entry.
        s.redial();
        s.answer();
        let (t2, _) = load_timeline(&mut s, me);
        assert_eq!(t2.items().len(), t.items().len() + 1);

        // An incoming call dropped while ringing is missed; an outgoing one cancelled.
        let mut s = sim("");
        let me = client(&s);
        s.hangup();
        let (t, _) = load_timeline(&mut s, me);
        assert_eq!(
            latest(&t).call.as_ref().unwrap().outcome,
            Some(CallOutcome::Missed)
        );
        assert!(latest(&t).subject.starts_with("Missed call"));
        assert!(!latest(&t).completed);
        let missed = latest(&t).id;
        s.redial();
        s.hangup();
        let (t, _) = load_timeline(&mut s, me);
        assert_eq!(
            latest(&t).call.as_ref().unwrap().outcome,
            Some(CallOutcome::Cancelled)
        );
        assert!(latest(&t).completed);
        assert!(latest(&t).id > missed);

        // Nobody to file an unknown caller under.
        let mut s = sim("scenario=unknown");
        s.answer();
        s.hangup();
        let all = activities(&mut s, json!({}));
        assert!(ids(&all).iter().all(|id| *id < 12_000));
    }
}
