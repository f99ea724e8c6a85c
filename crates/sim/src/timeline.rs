//! The demo portal's writes from the card: timeline comments (`crm.timeline.comment.add` /
//! `crm.timeline.comment.list`) and to-dos (`crm.activity.todo.add`, which then appear in
//! `crm.activity.list` as open `CRM_TODO` activities through the history, `history.rs`).
//!
//! Shapes follow the REST documentation: `comment.add` takes lowercase
//! `fields{ENTITY_TYPE, ENTITY_ID, COMMENT}` (`ENTITY_TYPE` the lowercase type name) and answers
//! the new id as a number; `comment.list` needs `filter{ENTITY_ID, ENTITY_TYPE}` and answers rows
//! whose values are strings (`ID`, `ENTITY_ID`, `AUTHOR_ID`), `CREATED` an ISO date with offset,
//! `FILES` an empty list, 50 a page. `todo.add` answers `{id}`.
//!
//! The showcase contact (the first one) has a few comments from the past weeks.

use serde_json::{Map, Value, json};

use crate::answer::{Fault, Reply, arg, field, object, paged, sort_rows};
use crate::bilingual::{Pick, Text};
use crate::crm::Crm;
use crate::dates::{iso, midnight};
use callcard_core::i18n::Lang;
use callcard_core::model::entity::{EntityKind, EntityRef};
use callcard_core::model::time::parse_iso8601_ms;

/// Comment ids start here (other items' comments leave gaps below).
const FIRST_COMMENT_ID: u64 = 400;

/// The seeded comments of the showcase contact: days ago, hour (UTC), author, text.
const SEEDED: [(i64, i64, u64, Text); 3] = [
    (
        21,
        10,
        2,
        [
            "Asked for a price list for the new season. Sent it by email.",
            "Просил прайс-лист на новый сезон. Отправил на почту.",
        ],
    ),
    (
        9,
        15,
        1,
        [
            "Prefers calls after 2 pm. Decides together with the finance director.",
            "Удобнее звонить после 14:00. Решение принимает вместе с финдиректором.",
        ],
    ),
    (
        3,
        11,
        1,
        [
            "Ready to sign if delivery is within two weeks.",
            "Готов подписать, если поставка в течение двух недель.",
        ],
    ),
];

/// The entity types a comment can be written to, by their lowercase REST names.
fn kind_of(name: &str) -> Option<EntityKind> {
    match name.trim().to_ascii_lowercase().as_str() {
        "lead" => Some(EntityKind::Lead),
        "deal" => Some(EntityKind::Deal),
        "contact" => Some(EntityKind::Contact),
        "company" => Some(EntityKind::Company),
        _ => None,
    }
}

fn lower_name(kind: EntityKind) -> String {
    kind.name().to_ascii_lowercase()
}

/// An id given as a number or a numeric string.
fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|&id| id > 0)
}

fn bad(code: &'static str, description: impl Into<String>) -> Fault {
    Fault {
        status: 400,
        code: code.into(),
        description: description.into(),
        argument: None,
    }
}

/// The timeline comments store.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    lang: Lang,
    seeded: bool,
    comments: Vec<Map<String, Value>>,
    next_id: u64,
}

/// A to-do as `crm.activity.todo.add` asked for it, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewTodo {
    pub owner: EntityRef,
    /// Unix seconds.
    pub deadline: i64,
    pub title: String,
    pub description: String,
    pub responsible: u64,
}

impl Timeline {
    pub(crate) fn new(lang: Lang) -> Timeline {
        Timeline {
            lang,
            seeded: false,
            comments: Vec::new(),
            next_id: FIRST_COMMENT_ID,
        }
    }

    fn ensure(&mut self, crm: &Crm, now_ms: f64) {
        if self.seeded {
            return;
        }
        self.seeded = true;
        let Some(showcase) = crm.of_kind(EntityKind::Contact).next().map(|r| r.entity) else {
            return;
        };
        let today = midnight((now_ms / 1000.0).floor() as i64);
        for (days, hour, author, text) in SEEDED {
            let at = today - days * 86_400 + hour * 3600;
            let text = self.lang.pick(text).to_string();
            self.push(showcase, at, author, text);
            self.next_id += 3;
        }
    }

    fn push(&mut self, entity: EntityRef, at: i64, author: u64, text: String) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.comments.push(object(json!({
            "ID": id.to_string(),
            "CREATED": iso(at),
            "ENTITY_ID": entity.id.to_string(),
            "ENTITY_TYPE": lower_name(entity.kind),
            "AUTHOR_ID": author.to_string(),
            "COMMENT": text,
            "FILES": [],
        })));
        id
    }

    /// `crm.timeline.comment.add`: `fields` (lowercase since crm 23.100.0) with `ENTITY_TYPE`,
    /// `ENTITY_ID` of an existing item and a non-empty `COMMENT`. Answers the new id.
    pub(crate) fn comment_add(
        &mut self,
        crm: &Crm,
        now_ms: f64,
        author: u64,
        params: &Value,
    ) -> Result<Reply, Fault> {
        self.ensure(crm, now_ms);
        let Some(fields) = params.get("fields").and_then(Value::as_object) else {
            return Err(bad("ERROR_ARGUMENT", "Argument 'fields' is null or empty"));
        };
        let get = |name: &str| field(fields, name).map(|(_, v)| v);
        let kind = get("ENTITY_TYPE")
            .and_then(Value::as_str)
            .and_then(kind_of)
            .ok_or_else(|| bad("ERROR_ARGUMENT", "ENTITY_TYPE is not defined or invalid."))?;
        let id = get("ENTITY_ID")
            .and_then(id_of)
            .ok_or_else(|| bad("ERROR_ARGUMENT", "ENTITY_ID is not defined or invalid."))?;
        let entity = EntityRef::new(kind, id);
        if crm.get(entity).is_none() {
            return Err(bad("NOT_FOUND", "Entity not found."));
        }
        let text = match get("COMMENT") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => return Err(bad("ERROR_ARGUMENT", "COMMENT is not defined or empty.")),
        };
        let at = (now_ms / 1000.0).floor() as i64;
        let new_id = self.push(entity, at, author, text);
        Ok(Reply::plain(json!(new_id)))
    }

    /// `crm.timeline.comment.list`: `filter{ENTITY_ID, ENTITY_TYPE}` (both needed), `order`
    /// (default `ID` descending), `select`, 50 a page from `start`.
    pub(crate) fn comment_list(
        &mut self,
        crm: &Crm,
        now_ms: f64,
        params: &Value,
    ) -> Result<Reply, Fault> {
        self.ensure(crm, now_ms);
        let filter = arg(params, "filter").and_then(Value::as_object);
        let get = |name: &str| filter.and_then(|f| field(f, name)).map(|(_, v)| v);
        let id = get("ENTITY_ID")
            .and_then(id_of)
            .ok_or_else(|| bad("ERROR_ARGUMENT", "ENTITY_ID is not defined or invalid."))?;
        let kind = get("ENTITY_TYPE")
            .and_then(Value::as_str)
            .and_then(kind_of)
            .ok_or_else(|| bad("ERROR_ARGUMENT", "ENTITY_TYPE is not defined or invalid."))?;
        let (id, kind) = (id.to_string(), lower_name(kind));
        let mut rows: Vec<&Map<String, Value>> = self
            .comments
            .iter()
            .filter(|c| c["ENTITY_ID"] == id.as_str() && c["ENTITY_TYPE"] == kind.as_str())
            .collect();
        // Ids are numeric strings; order by their numbers.
        rows.sort_by_key(|c| c["ID"].as_str().and_then(|s| s.parse::<u64>().ok()));
        rows.reverse();
        if let Some(order) = arg(params, "order").filter(|o| o.is_object()) {
            sort_rows(&mut rows, Some(order));
        }
        Ok(paged(
            crate::answer::select_fields(rows, params, "ID", ""),
            params,
        ))
    }
}

/// Checks `crm.activity.todo.add`'s parameters: `ownerTypeId`, `ownerId` of an existing item,
/// `deadline` (ISO with offset; without one it is portal time, which is UTC in the demo),
/// `title`, `description`, `responsibleId` (default: the caller).
pub(crate) fn todo_params(crm: &Crm, me: u64, params: &Value) -> Result<NewTodo, Fault> {
    let need = |name: &'static str| {
        arg(params, name)
            .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
            .ok_or_else(|| Fault {
                status: 400,
                code: "ERROR_ARGUMENT".into(),
                description: format!("Required parameter \"{name}\" is missing."),
                argument: Some(name),
            })
    };
    let type_id = id_of(need("ownerTypeId")?)
        .ok_or_else(|| bad("ERROR_ARGUMENT", "ownerTypeId is invalid."))?;
    let kind = EntityKind::from_type_id(type_id)
        .filter(|k| {
            matches!(
                k,
                EntityKind::Lead | EntityKind::Deal | EntityKind::Contact | EntityKind::Company
            )
        })
        .ok_or_else(|| bad("ERROR_ARGUMENT", "ownerTypeId is invalid."))?;
    let id = id_of(need("ownerId")?).ok_or_else(|| bad("ERROR_ARGUMENT", "ownerId is invalid."))?;
    let owner = EntityRef::new(kind, id);
    if crm.get(owner).is_none() {
        return Err(bad("NOT_FOUND", "Owner not found."));
    }
    let deadline = need("deadline")?
        .as_str()
        .and_then(parse_deadline)
        .ok_or_else(|| bad("ERROR_ARGUMENT", "deadline is not a date and time."))?;
    let text = |name: &str| {
        arg(params, name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_default()
    };
    let responsible = match arg(params, "responsibleId") {
        None | Some(Value::Null) => me,
        Some(v) => id_of(v).ok_or_else(|| bad("ERROR_ARGUMENT", "responsibleId is invalid."))?,
    };
    Ok(NewTodo {
        owner,
        deadline,
        title: text("title"),
        description: text("description"),
        responsible,
    })
}

/// A deadline: ISO 8601 with an offset, or without one in portal time (UTC in the demo).
fn parse_deadline(s: &str) -> Option<i64> {
    let s = s.trim();
    let ms = parse_iso8601_ms(s).or_else(|| parse_iso8601_ms(&format!("{s}+00:00")))?;
    Some((ms / 1000.0).floor() as i64)
}

/// The portal's auto-close of the card after a call (`disableAutoClose` / `enableAutoClose`), on the sim's clock:
/// the call ends → the card closes `delay` later (65 s; `autoclose=N` in the demo), unless the
/// app holds it. `disableAutoClose` holds it for 65 s from that moment (and restarts a running
/// countdown at 65 s); when the countdown ends while held the portal fires `BeforeClose`
/// instead and waits another 65 s.
/// `enableAutoClose` lifts the hold: after the call (the countdown running) the card closes at
/// once, during a call it only lifts the hold. A new call reopens the card.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AutoClose {
    delay_ms: f64,
    /// How long one `disableAutoClose` holds the card (the portal's 65 s, whatever the delay).
    hold_ms: f64,
    /// The hold lasts until then (ms), if any.
    held_until: Option<f64>,
    /// When the running countdown ends (ms).
    due: Option<f64>,
    closed: bool,
}

/// One `disableAutoClose` holds the card this long (the portal's documented hold).
const HOLD_MS: f64 = 65_000.0;

/// What the auto-close did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CloseStep {
    /// `CallCard::BeforeClose`: a close was blocked (the card stays).
    BeforeClose,
    /// The card closed (`BeforeClose` first, as the portal's `close()` fires it).
    Closed,
}

impl AutoClose {
    pub(crate) fn new(delay_s: u32) -> AutoClose {
        AutoClose {
            delay_ms: f64::from(delay_s) * 1000.0,
            hold_ms: HOLD_MS,
            held_until: None,
            due: None,
            closed: false,
        }
    }

    pub(crate) fn held(&self, now_ms: f64) -> bool {
        self.held_until.is_some_and(|t| t >= now_ms)
    }

    pub(crate) fn closed(&self) -> bool {
        self.closed
    }

    /// When something happens next, if anything is running.
    pub(crate) fn due(&self) -> Option<f64> {
        self.due.filter(|_| !self.closed)
    }

    pub(crate) fn call_ended(&mut self, now_ms: f64) {
        self.due = Some(now_ms + self.delay_ms);
    }

    /// A new call: the card is open again and nothing counts down.
    pub(crate) fn call_started(&mut self) {
        self.due = None;
        self.closed = false;
    }

    /// `disableAutoClose` (`enabled == false`) or `enableAutoClose`.
    pub(crate) fn command(&mut self, enabled: bool, now_ms: f64) -> Vec<CloseStep> {
        if self.closed {
            return Vec::new();
        }
        if enabled {
            self.held_until = None;
            // "If the call has already ended and the countdown was running, the card closes
            // immediately" (as the portal documents `enableAutoClose`).
            if self.due.is_some() {
                self.closed = true;
                self.due = None;
                return vec![CloseStep::BeforeClose, CloseStep::Closed];
            }
        } else {
            self.held_until = Some(now_ms + self.hold_ms);
            if self.due.is_some() {
                self.due = Some(now_ms + self.hold_ms);
            }
        }
        Vec::new()
    }

    /// Runs the countdown to `now_ms`.
    pub(crate) fn tick(&mut self, now_ms: f64) -> Vec<CloseStep> {
        match self.due {
            Some(due) if !self.closed && now_ms >= due => {
                if self.held(now_ms) {
                    self.due = Some(now_ms + self.hold_ms);
                    vec![CloseStep::BeforeClose]
                } else {
                    self.closed = true;
                    self.due = None;
                    vec![CloseStep::BeforeClose, CloseStep::Closed]
                }
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DemoConfig, Sim};

    fn sim() -> Sim {
        Sim::new(&DemoConfig::from_query("lang=en"))
    }

    fn ok(s: &mut Sim, method: &str, params: Value) -> Value {
        s.rest(method, &params)
            .unwrap_or_else(|e| panic!("{method} failed: {e:?}"))
    }

    /// The showcase contact's id (the first contact).
    const SHOWCASE: u64 = 12;

    fn list(s: &mut Sim, id: u64) -> Vec<Value> {
        let body = ok(
            s,
            "crm.timeline.comment.list",
            json!({"filter": {"ENTITY_ID": id, "ENTITY_TYPE": "contact"}, "order": {"ID": "DESC"}}),
        );
        body["result"].as_array().cloned().unwrap()
    }

    #[test]
    fn the_showcase_contact_has_seeded_comments_newest_first_in_string_shapes() {
        let mut s = sim();
        let rows = list(&mut s, SHOWCASE);
        assert_eq!(rows.len(), 3);
        let ids: Vec<u64> = rows
            .iter()
            .map(|r| r["ID"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
        let row = &rows[0];
        assert_eq!(row["ENTITY_ID"], SHOWCASE.to_string());
        assert_eq!(row["ENTITY_TYPE"], "contact");
        assert!(row["AUTHOR_ID"].is_string());
        assert!(row["CREATED"].as_str().unwrap().ends_with("+00:00"));
        assert_eq!(row["FILES"], json!([]));
        // Another contact has none.
        assert!(list(&mut s, SHOWCASE + 1).is_empty());
    }

    #[test]
    fn an_added_comment_comes_back_first_with_its_id_and_author() {
        let mut s = sim();
        let body = ok(
            &mut s,
            "crm.timeline.comment.add",
            json!({"fields": {"ENTITY_TYPE": "contact", "ENTITY_ID": SHOWCASE.to_string(), "COMMENT": "Reached · <b>x</b>"}}),
        );
        let id = body["result"].as_u64().expect("a numeric id");
        let rows = list(&mut s, SHOWCASE);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0]["ID"], id.to_string());
        assert_eq!(rows[0]["COMMENT"], "Reached · <b>x</b>");
        assert_eq!(rows[0]["AUTHOR_ID"], "1");
        // CREATED order gives the same newest-first answer; select keeps ID.
        let by_date = ok(
            &mut s,
            "crm.timeline.comment.list",
            json!({"filter": {"ENTITY_ID": SHOWCASE, "ENTITY_TYPE": "contact"}, "order": {"CREATED": "DESC"}, "select": ["COMMENT"]}),
        );
        assert_eq!(
            by_date["result"][0],
            json!({"ID": id.to_string(), "COMMENT": "Reached · <b>x</b>"})
        );
        assert_eq!(by_date["total"], 4);
    }

    #[test]
    fn bad_comments_are_refused_and_nothing_is_stored() {
        let mut s = sim();
        for params in [
            json!({}),
            json!({"FIELDS": {"ENTITY_TYPE": "contact", "ENTITY_ID": SHOWCASE, "COMMENT": "x"}}),
            json!({"fields": {"ENTITY_TYPE": "quote", "ENTITY_ID": SHOWCASE, "COMMENT": "x"}}),
            json!({"fields": {"ENTITY_TYPE": "contact", "ENTITY_ID": "abc", "COMMENT": "x"}}),
            json!({"fields": {"ENTITY_TYPE": "contact", "ENTITY_ID": 999_999, "COMMENT": "x"}}),
            json!({"fields": {"ENTITY_TYPE": "contact", "ENTITY_ID": SHOWCASE, "COMMENT": "  "}}),
        ] {
            let (status, body) = s.rest("crm.timeline.comment.add", &params).unwrap_err();
            assert_eq!(status, 400, "{params}");
            assert!(body["error"].is_string());
        }
        assert_eq!(list(&mut s, SHOWCASE).len(), 3);
        let (status, _) = s
            .rest(
                "crm.timeline.comment.list",
                &json!({"filter": {"ENTITY_TYPE": "contact"}}),
            )
            .unwrap_err();
        assert_eq!(status, 400);
    }

    #[test]
    fn a_todo_becomes_an_open_crm_todo_activity_with_its_deadline() {
        let mut s = sim();
        let body = ok(
            &mut s,
            "crm.activity.todo.add",
            json!({"ownerTypeId": 3, "ownerId": SHOWCASE, "deadline": "2026-12-02T09:00:00+03:00",
                   "title": "Call back", "description": "About the offer", "responsibleId": 2}),
        );
        let id = body["result"]["id"].as_u64().expect("{id}");
        let acts = ok(
            &mut s,
            "crm.activity.list",
            json!({"filter": {"BINDINGS": [{"OWNER_TYPE_ID": 3, "OWNER_ID": SHOWCASE}], "ID": id}}),
        );
        let row = &acts["result"][0];
        assert_eq!(row["ID"], id.to_string());
        assert_eq!(row["TYPE_ID"], "6");
        assert_eq!(row["PROVIDER_ID"], "CRM_TODO");
        assert_eq!(row["COMPLETED"], "N");
        assert_eq!(row["DEADLINE"], "2026-12-02T06:00:00+00:00");
        assert_eq!(row["SUBJECT"], "Call back");
        assert_eq!(row["DESCRIPTION"], "About the offer");
        assert_eq!(row["RESPONSIBLE_ID"], "2");
        assert_eq!(row["OWNER_ID"], SHOWCASE.to_string());
    }

    #[test]
    fn bad_todos_are_refused() {
        let mut s = sim();
        for params in [
            json!({"ownerId": SHOWCASE, "deadline": "2026-12-02T09:00:00+03:00"}),
            json!({"ownerTypeId": 3, "deadline": "2026-12-02T09:00:00+03:00"}),
            json!({"ownerTypeId": 3, "ownerId": SHOWCASE}),
            json!({"ownerTypeId": 3, "ownerId": SHOWCASE, "deadline": "soon"}),
            json!({"ownerTypeId": 3, "ownerId": 999_999, "deadline": "2026-12-02T09:00:00+03:00"}),
            json!({"ownerTypeId": 99, "ownerId": SHOWCASE, "deadline": "2026-12-02T09:00:00+03:00"}),
        ] {
            let (status, _) = s.rest("crm.activity.todo.add", &params).unwrap_err();
            assert_eq!(status, 400, "{params}");
        }
    }

    #[test]
    fn comment_and_todo_in_one_batch() {
        let mut s = sim();
        let before = s.request_count();
        let body = ok(
            &mut s,
            "batch",
            json!({"halt": 0, "cmd": {
                "note": format!("crm.timeline.comment.add?fields[ENTITY_TYPE]=contact&fields[ENTITY_ID]={SHOWCASE}&fields[COMMENT]=Hi"),
                "todo": format!("crm.activity.todo.add?ownerTypeId=3&ownerId={SHOWCASE}&deadline=2026-12-02T09:00:00%2B03:00&title=Call"),
            }}),
        );
        assert_eq!(s.request_count(), before + 1);
        assert!(
            body["result"]["result"]["note"].as_u64().is_some(),
            "{body}"
        );
        assert!(
            body["result"]["result"]["todo"]["id"].as_u64().is_some(),
            "{body}"
        );
        assert_eq!(list(&mut s, SHOWCASE)[0]["COMMENT"], "Hi");
    }

    #[test]
    fn the_card_closes_65_s_after_the_call_unless_held() {
        let mut a = AutoClose::new(65);
        assert_eq!(a.tick(1e6), vec![], "nothing runs during a call");
        a.call_ended(0.0);
        assert_eq!(a.due(), Some(65_000.0));
        assert_eq!(a.tick(64_999.0), vec![]);
        assert_eq!(
            a.tick(65_000.0),
            vec![CloseStep::BeforeClose, CloseStep::Closed]
        );
        assert!(a.closed() && a.due().is_none());
        assert_eq!(
            a.command(false, 66_000.0),
            vec![],
            "a closed card takes no commands"
        );
        a.call_started();
        assert!(!a.closed());
    }

    #[test]
    fn a_renewed_hold_keeps_the_card_and_enable_releases_it() {
        let mut a = AutoClose::new(65);
        a.call_ended(0.0);
        assert_eq!(a.command(false, 10_000.0), vec![]);
        assert!(a.held(10_000.0));
        assert_eq!(a.due(), Some(75_000.0), "the countdown restarts");
        // Renewed every 50 s: the close is blocked (BeforeClose) and the card stays.
        for k in 1..5 {
            let now = 10_000.0 + f64::from(k) * 50_000.0;
            a.command(false, now);
            assert_eq!(a.tick(now + 1.0), vec![]);
        }
        assert_eq!(a.command(false, 260_000.0), vec![]);
        // Not renewed: the hold lapses 65 s after the last command and the card closes.
        assert_eq!(a.tick(324_999.0), vec![]);
        // The countdown ends as the hold does: blocked once, then the card stays 65 s more.
        assert_eq!(a.tick(325_000.0), vec![CloseStep::BeforeClose]);
        assert_eq!(a.tick(389_999.0), vec![]);
        assert_eq!(
            a.tick(390_000.0),
            vec![CloseStep::BeforeClose, CloseStep::Closed]
        );

        // Blocked once, then released: closes at once.
        let mut b = AutoClose::new(65);
        b.call_ended(0.0);
        b.command(false, 1_000.0);
        assert_eq!(b.tick(66_000.0), vec![CloseStep::BeforeClose]);
        assert!(!b.closed());
        assert_eq!(
            b.command(true, 67_000.0),
            vec![CloseStep::BeforeClose, CloseStep::Closed]
        );
        // Released after the call, before any close was blocked: it closes at once too.
        let mut c = AutoClose::new(65);
        c.call_ended(0.0);
        c.command(false, 5_000.0);
        assert_eq!(
            c.command(true, 20_000.0),
            vec![CloseStep::BeforeClose, CloseStep::Closed]
        );
        // During a call it only lifts the hold.
        let mut d = AutoClose::new(65);
        d.command(false, 0.0);
        assert_eq!(d.command(true, 1_000.0), vec![]);
        assert!(!d.held(1_000.0) && !d.closed());
    }

    #[test]
    fn deadline_with_and_without_offset() {
        assert_eq!(
            parse_deadline("2026-12-02T09:00:00+03:00"),
            Some(1_796_191_200)
        );
        assert_eq!(parse_deadline("2026-12-02T06:00:00"), Some(1_796_191_200));
        assert_eq!(parse_deadline("2026-12-02 06:00:00"), Some(1_796_191_200));
        assert_eq!(parse_deadline("tomorrow"), None);
        assert_eq!(parse_deadline(""), None);
    }

    #[test]
    fn entity_type_names() {
        assert_eq!(kind_of("contact"), Some(EntityKind::Contact));
        assert_eq!(kind_of(" Company "), Some(EntityKind::Company));
        assert_eq!(kind_of("quote"), None);
        assert_eq!(lower_name(EntityKind::Deal), "deal");
    }
}
