//! The wrap-up after a call, pure: the result list (from `BX24.appOption`, ru/en defaults),
//! callback presets → a deadline in the portal's time zone, the comment's text, the ONE save
//! batch (`crm.timeline.comment.add` + `crm.activity.todo.add`), its answer, the read-back
//! that tells whether a save of unknown outcome took effect, and the draft kept as it is typed.
//!
//! Time: the portal's zone is a fixed UTC offset in minutes (learned from the `time.date_start`
//! of a REST answer, see [`utc_offset_min`]); everything here takes it as a parameter.

use serde_json::{Map, Value, json};

use crate::call::{Direction, PhoneNumber};
use crate::i18n::Lang;
use crate::model::entity::{EntityKind, EntityRef};
use crate::rest::batch::{Batch, BatchAnswer};
use crate::rest::{RestError, retry};

/// The app option holding the administrator's result list.
pub const RESULTS_OPTION: &str = "wrapup_results";
/// The user option holding the current draft where the browser refuses storage.
pub const DRAFT_OPTION: &str = "wrapup_draft";
/// At most this many results, each at most [`MAX_LABEL`] characters.
pub const MAX_RESULTS: usize = 12;
pub const MAX_LABEL: usize = 40;
/// The longest note the panel takes (characters).
pub const MAX_NOTE: usize = 4_000;
/// The hour "tomorrow morning" means, portal time.
pub const MORNING_HOUR: i64 = 9;
/// Before this hour "tomorrow morning" is still the coming morning (the same calendar day).
pub const NIGHT_ENDS_HOUR: i64 = 5;

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/// One result chip: a stable id (`data-result`) and what the operator reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultChoice {
    pub id: String,
    pub label: String,
}

const DEFAULTS: [(&str, &str, &str); 5] = [
    ("reached", "Reached", "Дозвонились"),
    ("no-answer", "No answer", "Не дозвонились"),
    ("call-back", "Call back", "Перезвонить"),
    ("not-interested", "Not interested", "Не интересно"),
    ("wrong-number", "Wrong number", "Ошибочный номер"),
];

/// The default results in the operator's language.
pub fn default_results(lang: Lang) -> Vec<ResultChoice> {
    DEFAULTS
        .iter()
        .map(|(id, en, ru)| ResultChoice {
            id: (*id).to_string(),
            label: (if lang == Lang::Ru { ru } else { en }).to_string(),
        })
        .collect()
}

/// A label as kept: one line, trimmed, at most [`MAX_LABEL`] characters.
fn clean_label(s: &str) -> String {
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

fn clean_id(s: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/// The UTC offset (minutes) of an ISO 8601 date with an offset (`…+03:00`, `…Z`).
pub fn utc_offset_min(iso: &str) -> Option<i32> {
    let s = iso.trim();
    if s.len() < 20 || !s.is_ascii() {
        return None;
    }
    let tail = &s[19..];
    let tail = tail
        .strip_prefix('.')
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
        .unwrap_or(tail);
    if tail.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let z = tail[1..].replace(':', "");
    if z.len() != 4 || !z.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = (z[..2].parse().ok()?, z[2..].parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

use crate::rest::operating::days_from_civil;

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A wall-clock moment in the portal's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
}

/// Unix seconds → the portal's wall clock.
pub fn local_of(unix_secs: i64, offset_min: i32) -> Local {
    let t = unix_secs + i64::from(offset_min) * 60;
    let (year, month, day) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    Local {
        year,
        month,
        day,
        hour: s / 3600,
        minute: s % 3600 / 60,
        second: s % 60,
    }
}

/// The portal's wall clock → Unix seconds.
pub fn unix_of(l: Local, offset_min: i32) -> i64 {
    days_from_civil(l.year, l.month, l.day) * 86_400 + l.hour * 3600 + l.minute * 60 + l.second
        - i64::from(offset_min) * 60
}

fn offset_text(offset_min: i32) -> String {
    let sign = if offset_min < 0 { '-' } else { '+' };
    let a = offset_min.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 60, a % 60)
}

/// `YYYY-MM-DDTHH:MM:SS±HH:MM` in the portal's zone, the form REST takes dates in.
pub fn iso_in_zone(unix_secs: i64, offset_min: i32) -> String {
    let l = local_of(unix_secs, offset_min);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        l.year,
        l.month,
        l.day,
        l.hour,
        l.minute,
        l.second,
        offset_text(offset_min)
    )
}

/// `01.12.2026 11:48` (ru) / `2026-12-01 11:48` (en), portal time.
pub fn date_time_text(lang: Lang, unix_secs: i64, offset_min: i32) -> String {
    let l = local_of(unix_secs, offset_min);
    match lang {
        Lang::Ru => format!(
            "{:02}.{:02}.{:04} {:02}:{:02}",
            l.day, l.month, l.year, l.hour, l.minute
        ),
        Lang::En => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year, l.month, l.day, l.hour, l.minute
        ),
    }
}

/// `YYYY-MM-DDTHH:MM` (what `<input type=datetime-local>` gives) → the portal's wall clock.
pub fn parse_local_input(s: &str) -> Option<Local> {
    let s = s.trim();
    let b = s.as_bytes();
    if !(b.len() == 16 || b.len() == 19) || !s.is_ascii() {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' {
        return None;
    }
    let num = |a: usize, z: usize| -> Option<i64> {
        let p = &s[a..z];
        p.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse().ok())?
    };
    let second = if b.len() == 19 {
        if b[16] != b':' {
            return None;
        }
        num(17, 19)?
    } else {
        0
    };
    let l = Local {
        year: num(0, 4)?,
        month: num(5, 7)?,
        day: num(8, 10)?,
        hour: num(11, 13)?,
        minute: num(14, 16)?,
        second,
    };
    let (y, m, d) = civil_from_days(days_from_civil(l.year, l.month, l.day));
    let valid = (1..=12).contains(&l.month)
        && (y, m, d) == (l.year, l.month, l.day)
        && l.hour < 24
        && l.minute < 60
        && l.second < 60;
    valid.then_some(l)
}

/// The `datetime-local` value of a moment, portal time (`YYYY-MM-DDTHH:MM`).
pub fn local_input_of(unix_secs: i64, offset_min: i32) -> String {
    let l = local_of(unix_secs, offset_min);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        l.year, l.month, l.day, l.hour, l.minute
    )
}

// ---------------------------------------------------------------------------------------------
// Callback
// ---------------------------------------------------------------------------------------------

/// When to call back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Callback {
    #[default]
    None,
    InHour,
    TomorrowMorning,
    InThreeDays,
    /// A date and time the operator chose, portal time, as `YYYY-MM-DDTHH:MM` (may be
    /// unfinished or invalid while typed: [`deadline`] says so).
    At(String),
}

impl Callback {
    /// The short code kept in drafts and used as `data-callback`.
    pub fn code(&self) -> &str {
        match self {
            Callback::None => "none",
            Callback::InHour => "1h",
            Callback::TomorrowMorning => "tomorrow",
            Callback::InThreeDays => "3d",
            Callback::At(_) => "at",
        }
    }

    pub fn from_code(code: &str, at: &str) -> Callback {
        match code {
            "1h" => Callback::InHour,
            "tomorrow" => Callback::TomorrowMorning,
            "3d" => Callback::InThreeDays,
            "at" => Callback::At(at.chars().take(19).collect()),
            _ => Callback::None,
        }
    }

    pub fn is_none(&self) -> bool {
        *self == Callback::None
    }
}

/// Why a callback has no deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineError {
    /// The custom date and time is missing or not a date.
    Invalid,
    /// The custom moment has passed.
    Past,
}

/// The callback's moment (Unix seconds), from `now` in the portal's zone; `Ok(None)` when none
/// is planned. Presets: in an hour (to the minute); tomorrow 09:00 (before 05:00 the coming
/// morning, the same calendar day); in three days, the same time. A custom moment must be at
/// least a minute ahead.
pub fn deadline(
    cb: &Callback,
    now_secs: i64,
    offset_min: i32,
) -> Result<Option<i64>, DeadlineError> {
    let minute = |t: i64| t - t.rem_euclid(60);
    let at = match cb {
        Callback::None => return Ok(None),
        Callback::InHour => minute(now_secs + 3_600),
        Callback::InThreeDays => minute(now_secs + 3 * 86_400),
        Callback::TomorrowMorning => {
            let l = local_of(now_secs, offset_min);
            let base =
                days_from_civil(l.year, l.month, l.day) + i64::from(l.hour >= NIGHT_ENDS_HOUR);
            let (year, month, day) = civil_from_days(base);
            unix_of(
                Local {
                    year,
                    month,
                    day,
                    hour: MORNING_HOUR,
                    minute: 0,
                    second: 0,
                },
                offset_min,
            )
        }
        Callback::At(text) => {
            let l = parse_local_input(text).ok_or(DeadlineError::Invalid)?;
            let t = unix_of(l, offset_min);
            if t < now_secs + 60 {
                return Err(DeadlineError::Past);
            }
            t
        }
    };
    Ok(Some(at))
}

// ---------------------------------------------------------------------------------------------
// The comment
// ---------------------------------------------------------------------------------------------

/// What the comment says about the call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFacts {
    pub at_secs: i64,
    pub direction: Direction,
    pub phone: PhoneNumber,
}

fn call_words(lang: Lang, f: &CallFacts) -> String {
    let incoming = f.direction.is_incoming();
    let (kind, with) = match (lang, f.direction) {
        (Lang::En, Direction::Callback) => ("Callback", "to"),
        (Lang::En, _) if incoming => ("Incoming call", "from"),
        (Lang::En, _) => ("Outgoing call", "to"),
        (Lang::Ru, Direction::Callback) => ("Обратный звонок", "на"),
        (Lang::Ru, _) if incoming => ("Входящий звонок", "с"),
        (Lang::Ru, _) => ("Исходящий звонок", "на"),
    };
    match &f.phone {
        PhoneNumber::Known(n) => format!("{kind} {with} {n}"),
        PhoneNumber::Hidden => match lang {
            Lang::En => format!("{kind} from a hidden number"),
            Lang::Ru => format!("{kind} со скрытого номера"),
        },
        PhoneNumber::Unknown => kind.to_string(),
    }
}

/// The comment: `[Result — ]date time, direction number`, then the note, then the planned
/// callback. Text only (the timeline shows it as text).
pub fn compose_comment(
    lang: Lang,
    facts: &CallFacts,
    offset_min: i32,
    result: Option<&str>,
    note: &str,
    callback_at: Option<i64>,
) -> String {
    let when = date_time_text(lang, facts.at_secs, offset_min);
    let head = format!("{when}, {}", call_words(lang, facts));
    let head = match result.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("{r} — {head}"),
        None => head,
    };
    let mut out = head;
    let note = note.trim();
    if !note.is_empty() {
        out.push('\n');
        out.push_str(note);
    }
    if let Some(at) = callback_at {
        let label = match lang {
            Lang::En => "Call back",
            Lang::Ru => "Перезвонить",
        };
        out.push('\n');
        out.push_str(&format!(
            "{label}: {}",
            date_time_text(lang, at, offset_min)
        ));
    }
    out
}

/// The to-do's title: "Call back: <client>" / "Перезвонить: <клиент>".
pub fn todo_title(lang: Lang, client: Option<&str>) -> String {
    let base = match lang {
        Lang::En => "Call back",
        Lang::Ru => "Перезвонить",
    };
    match client.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => format!("{base}: {}", c.chars().take(120).collect::<String>()),
        None => base.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Saving
// ---------------------------------------------------------------------------------------------

/// The lowercase `ENTITY_TYPE` a comment can go to; other kinds cannot take one from the card.
pub fn comment_entity_type(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Contact => Some("contact"),
        EntityKind::Company => Some("company"),
        EntityKind::Lead => Some("lead"),
        EntityKind::Deal => Some("deal"),
        _ => None,
    }
}

/// A planned to-do.
#[derive(Debug, Clone, PartialEq)]
pub struct TodoSpec {
    pub deadline_secs: i64,
    pub title: String,
    pub description: String,
    pub responsible: u64,
}

/// What one save sends. Parts already saved (a partial failure before) are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct SavePlan {
    pub target: EntityRef,
    pub comment: Option<String>,
    pub todo: Option<TodoSpec>,
    pub offset_min: i32,
}

pub const NOTE_KEY: &str = "note";
pub const TODO_KEY: &str = "todo";

/// The ONE batch of a save: the comment and the to-do (each when planned), `halt` off so one
/// failing does not stop the other. `None` when there is nothing to send or the target cannot
/// take a comment.
pub fn save_batch(plan: &SavePlan) -> Option<Batch> {
    let entity_type = comment_entity_type(plan.target.kind)?;
    let mut b = Batch::new();
    if let Some(text) = &plan.comment {
        b.add(
            NOTE_KEY,
            "crm.timeline.comment.add",
            json!({"fields": {"ENTITY_TYPE": entity_type, "ENTITY_ID": plan.target.id, "COMMENT": text}}),
        );
    }
    if let Some(t) = &plan.todo {
        b.add(
            TODO_KEY,
            "crm.activity.todo.add",
            json!({
                "ownerTypeId": plan.target.kind.type_id(),
                "ownerId": plan.target.id,
                "deadline": iso_in_zone(t.deadline_secs, plan.offset_min),
                "title": t.title,
                "description": t.description,
                "responsibleId": t.responsible,
            }),
        );
    }
    (!b.is_empty()).then_some(b)
}

/// How one part of a save ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Not part of this save.
    NotAsked,
    Saved(u64),
    /// The portal refused it (a known outcome: safe to send again after a fix).
    Failed(RestError),
    /// Nobody knows whether it took effect: read back before sending again.
    Unknown,
    /// Read back after an unknown outcome and not there: the portal never got it (safe to send
    /// again).
    Lost,
}

impl Part {
    pub fn is_done(&self) -> bool {
        matches!(self, Part::NotAsked | Part::Saved(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SaveOutcome {
    pub note: Part,
    pub todo: Part,
}

impl SaveOutcome {
    pub fn all_done(&self) -> bool {
        self.note.is_done() && self.todo.is_done()
    }

    pub fn any_unknown(&self) -> bool {
        self.note == Part::Unknown || self.todo == Part::Unknown
    }
}

/// An id as the portal sends it: a number, a numeric string, or `{id}` / `{ID}`.
fn id_in(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Object(m) => m.get("id").or_else(|| m.get("ID")).and_then(id_in),
        _ => None,
    }
    .filter(|&id| id > 0)
}

/// Decodes a save: the whole request's result, or its failure. A request whose outcome is
/// unknown (timeout, bare 5xx) leaves every asked part [`Part::Unknown`]; a per-command error
/// fails that part only; an answer without a readable id is unknown too.
pub fn decode_save(plan: &SavePlan, got: &Result<BatchAnswer, RestError>) -> SaveOutcome {
    let part = |asked: bool, key: &str| -> Part {
        if !asked {
            return Part::NotAsked;
        }
        match got {
            Err(e) if retry::outcome_unknown(e) => Part::Unknown,
            Err(e) => Part::Failed(e.clone()),
            Ok(answer) => match answer.get(key) {
                Ok(a) => id_in(&a.result).map_or(Part::Unknown, Part::Saved),
                Err(RestError::Decode(_)) => Part::Unknown,
                Err(e) => Part::Failed(e),
            },
        }
    };
    SaveOutcome {
        note: part(plan.comment.is_some(), NOTE_KEY),
        todo: part(plan.todo.is_some(), TODO_KEY),
    }
}

pub const READ_NOTE_KEY: &str = "readNote";
pub const READ_TODO_KEY: &str = "readTodo";

/// The read-back after an unknown outcome: the target's newest comments (and open to-dos when
/// one was asked), in one batch.
pub fn read_back_batch(plan: &SavePlan, outcome: &SaveOutcome) -> Batch {
    let mut b = Batch::new();
    let entity_type = comment_entity_type(plan.target.kind).unwrap_or("contact");
    if outcome.note == Part::Unknown {
        b.add(
            READ_NOTE_KEY,
            "crm.timeline.comment.list",
            json!({"filter": {"ENTITY_ID": plan.target.id, "ENTITY_TYPE": entity_type},
                   "order": {"ID": "DESC"}, "select": ["ID", "COMMENT"], "start": -1}),
        );
    }
    if outcome.todo == Part::Unknown {
        b.add(
            READ_TODO_KEY,
            "crm.activity.list",
            json!({"filter": {"OWNER_TYPE_ID": plan.target.kind.type_id(), "OWNER_ID": plan.target.id,
                              "PROVIDER_ID": "CRM_TODO", "COMPLETED": "N"},
                   "order": {"ID": "DESC"}, "select": ["ID", "SUBJECT", "DEADLINE"], "start": -1}),
        );
    }
    b
}

/// Line ends as the portal may store them.
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.replace("\r\n", "\n").trim().to_string();
    norm(a) == norm(b)
}

/// The id of the comment that carries `text` among a `crm.timeline.comment.list` page.
pub fn find_comment(rows: &Value, text: &str) -> Option<u64> {
    rows.as_array()?
        .iter()
        .find(|r| {
            r.get("COMMENT")
                .and_then(Value::as_str)
                .is_some_and(|c| same_text(c, text))
        })
        .and_then(|r| r.get("ID").and_then(id_in))
}

/// The id of the open to-do with this title and deadline among a `crm.activity.list` page.
pub fn find_todo(rows: &Value, title: &str, deadline_secs: i64) -> Option<u64> {
    rows.as_array()?
        .iter()
        .find(|r| {
            r.get("SUBJECT")
                .and_then(Value::as_str)
                .is_some_and(|s| same_text(s, title))
                && r.get("DEADLINE")
                    .and_then(Value::as_str)
                    .and_then(crate::rest::operating::parse_iso8601_ms)
                    .is_some_and(|ms| (ms / 1000.0).floor() as i64 == deadline_secs)
        })
        .and_then(|r| r.get("ID").and_then(id_in))
}

/// Applies a read-back to an outcome: found → saved (never sent again); not found → failed
/// (safe to send again); the read-back itself failing leaves it unknown. When the to-do cannot
/// be read back but the comment of the same batch is found, the batch ran: the to-do is taken
/// as saved too (a batch runs all its commands or none reaches the portal).
pub fn apply_read_back(
    plan: &SavePlan,
    outcome: &SaveOutcome,
    got: &Result<BatchAnswer, RestError>,
) -> SaveOutcome {
    let Ok(answer) = got else {
        return outcome.clone();
    };
    let not_there = || Part::Lost;
    let mut next = outcome.clone();
    if outcome.note == Part::Unknown
        && let (Some(text), Ok(a)) = (&plan.comment, answer.get(READ_NOTE_KEY))
    {
        next.note = find_comment(&a.result, text).map_or_else(not_there, Part::Saved);
    }
    if outcome.todo == Part::Unknown
        && let Some(t) = &plan.todo
    {
        match answer.get(READ_TODO_KEY) {
            Ok(a) => {
                next.todo = find_todo(&a.result, &t.title, t.deadline_secs)
                    .map_or_else(not_there, Part::Saved);
            }
            Err(_) => {
                if outcome.note == Part::Unknown {
                    next.todo = match next.note {
                        Part::Saved(_) => Part::Saved(0),
                        Part::Lost => not_there(),
                        _ => Part::Unknown,
                    };
                }
            }
        }
    }
    next
}

// ---------------------------------------------------------------------------------------------
// The draft
// ---------------------------------------------------------------------------------------------

/// What the operator typed for one call, kept as it is typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub call_id: String,
    pub note: String,
    pub result: Option<String>,
    pub callback: Callback,
    /// When the call took place (Unix seconds), for the comment's first line.
    pub call_at_secs: i64,
    /// Parts saved already (a partial failure keeps them from being sent again).
    pub saved_note: Option<u64>,
    pub saved_todo: Option<u64>,
    /// A save was sent and its outcome is unknown: read back before sending anything again.
    pub unsure: bool,
}

impl Draft {
    pub fn new(call_id: &str, call_at_secs: i64) -> Draft {
        Draft {
            call_id: call_id.to_string(),
            call_at_secs,
            ..Draft::default()
        }
    }

    /// Whether there is anything typed or chosen that is not saved yet.
    pub fn has_content(&self) -> bool {
        (self.saved_note.is_none() && (!self.note.trim().is_empty() || self.result.is_some()))
            || (self.saved_todo.is_none() && !self.callback.is_none())
    }
}

/// The draft as kept (JSON text).
pub fn encode_draft(d: &Draft) -> String {
    let mut m = Map::new();
    m.insert("v".into(), 1.into());
    m.insert("call".into(), d.call_id.clone().into());
    m.insert(
        "note".into(),
        d.note.chars().take(MAX_NOTE).collect::<String>().into(),
    );
    if let Some(r) = &d.result {
        m.insert("result".into(), r.clone().into());
    }
    m.insert("cb".into(), d.callback.code().into());
    if let Callback::At(at) = &d.callback {
        m.insert("cbAt".into(), at.clone().into());
    }
    m.insert("at".into(), d.call_at_secs.into());
    if let Some(n) = d.saved_note {
        m.insert("savedNote".into(), n.into());
    }
    if let Some(t) = d.saved_todo {
        m.insert("savedTodo".into(), t.into());
    }
    if d.unsure {
        m.insert("unsure".into(), true.into());
    }
    Value::Object(m).to_string()
}

/// A kept draft for `call_id`: lenient (unknown keys ignored, a wrong type is a default) but
/// never another call's draft, and nothing from unreadable text.
pub fn decode_draft(text: &str, call_id: &str) -> Option<Draft> {
    let v: Value = serde_json::from_str(text).ok()?;
    let m = v.as_object()?;
    let call = m.get("call").and_then(Value::as_str)?;
    if call != call_id || call.is_empty() {
        return None;
    }
    let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
    let n = |k: &str| m.get(k).and_then(id_in);
    Some(Draft {
        call_id: call.to_string(),
        note: s("note").chars().take(MAX_NOTE).collect(),
        result: m
            .get("result")
            .and_then(Value::as_str)
            .map(clean_id)
            .filter(|r| !r.is_empty()),
        callback: Callback::from_code(s("cb"), s("cbAt")),
        call_at_secs: m.get("at").and_then(Value::as_i64).unwrap_or(0).max(0),
        saved_note: n("savedNote"),
        saved_todo: n("savedTodo"),
        unsure: m.get("unsure").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// The session-storage name of a call's draft.
pub fn draft_name(call_id: &str) -> String {
    format!("wrapup.{call_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::RestAnswer;

    const MSK: i32 = 180;
    /// 2026-12-01 11:48:42 UTC (14:48:42 in Moscow).
    const NOW: i64 = 1_796_125_722;

    fn contact(id: u64) -> EntityRef {
        EntityRef::new(EntityKind::Contact, id)
    }

    fn facts() -> CallFacts {
        CallFacts {
            at_secs: NOW,
            direction: Direction::Incoming,
            phone: PhoneNumber::Known("+7 903 123-45-67".into()),
        }
    }

    #[test]
    fn offsets_from_rest_dates() {
        assert_eq!(utc_offset_min("2026-12-01T14:48:42+03:00"), Some(180));
        assert_eq!(utc_offset_min("2026-12-01T06:48:42-05:00"), Some(-300));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42+05:30"), Some(330));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42.123+0100"), Some(60));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42Z"), Some(0));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42"), None);
        assert_eq!(utc_offset_min("2026-12-01T11:48:42+25:00"), None);
        assert_eq!(utc_offset_min("garbage"), None);
    }

    #[test]
    fn wall_clock_round_trips_and_iso_in_zone() {
        assert_eq!(iso_in_zone(NOW, MSK), "2026-12-01T14:48:42+03:00");
        assert_eq!(iso_in_zone(NOW, -300), "2026-12-01T06:48:42-05:00");
        assert_eq!(iso_in_zone(NOW, 0), "2026-12-01T11:48:42+00:00");
        for off in [-720, -300, 0, 180, 330, 840] {
            assert_eq!(unix_of(local_of(NOW, off), off), NOW);
        }
        assert_eq!(date_time_text(Lang::Ru, NOW, MSK), "01.12.2026 14:48");
        assert_eq!(date_time_text(Lang::En, NOW, MSK), "2026-12-01 14:48");
        // The same moment is the next day further east.
        assert_eq!(date_time_text(Lang::En, NOW, 720), "2026-12-01 23:48");
        assert_eq!(date_time_text(Lang::En, NOW, 780), "2026-12-02 00:48");
    }

    #[test]
    fn presets_in_the_portals_zone() {
        let d = |cb: &Callback, now: i64, off: i32| deadline(cb, now, off).unwrap().unwrap();
        assert_eq!(deadline(&Callback::None, NOW, MSK), Ok(None));
        assert_eq!(
            iso_in_zone(d(&Callback::InHour, NOW, MSK), MSK),
            "2026-12-01T15:48:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, MSK), MSK),
            "2026-12-02T09:00:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::InThreeDays, NOW, MSK), MSK),
            "2026-12-04T14:48:00+03:00"
        );
        // Tomorrow morning is 09:00 of the PORTAL's next day: in New York it is still 1 Dec.
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, -300), -300),
            "2026-12-02T09:00:00-05:00"
        );
        // In Kamchatka (+12) it is already 23:48 — tomorrow is 2 Dec; at +13 it is 00:48 on
        // 2 Dec: before 05:00 "tomorrow morning" is the coming morning, the same date.
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, 720), 720),
            "2026-12-02T09:00:00+12:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, 780), 780),
            "2026-12-02T09:00:00+13:00"
        );
        // In an hour across midnight and across the year's end.
        let late = unix_of(
            Local {
                year: 2026,
                month: 12,
                day: 31,
                hour: 23,
                minute: 30,
                second: 15,
            },
            MSK,
        );
        assert_eq!(
            iso_in_zone(d(&Callback::InHour, late, MSK), MSK),
            "2027-01-01T00:30:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, late, MSK), MSK),
            "2027-01-01T09:00:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::InThreeDays, late, MSK), MSK),
            "2027-01-03T23:30:00+03:00"
        );
        // Leap day.
        let feb = unix_of(
            Local {
                year: 2028,
                month: 2,
                day: 28,
                hour: 18,
                minute: 0,
                second: 0,
            },
            0,
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, feb, 0), 0),
            "2028-02-29T09:00:00+00:00"
        );
    }

    #[test]
    fn custom_moments_are_portal_time_and_must_be_ahead() {
        let at = |s: &str| deadline(&Callback::At(s.into()), NOW, MSK);
        let t = at("2026-12-03T10:30").unwrap().unwrap();
        assert_eq!(iso_in_zone(t, MSK), "2026-12-03T10:30:00+03:00");
        assert_eq!(iso_in_zone(t, 0), "2026-12-03T07:30:00+00:00");
        assert_eq!(at("2026-12-01T14:00"), Err(DeadlineError::Past));
        assert_eq!(
            at("2026-12-01T14:49"),
            Err(DeadlineError::Past),
            "less than a minute ahead"
        );
        for bad in [
            "",
            "2026-12-0",
            "2026-02-30T10:00",
            "2026-13-01T10:00",
            "2026-12-03T24:00",
            "tomorrow",
        ] {
            assert_eq!(at(bad), Err(DeadlineError::Invalid), "{bad}");
        }
        assert_eq!(local_input_of(t, MSK), "2026-12-03T10:30");
        assert_eq!(
            parse_local_input("2026-12-03 10:30:05").map(|l| l.second),
            Some(5)
        );
    }

    #[test]
    fn the_comment_reads_on_its_own_and_the_result_leads() {
        let text = compose_comment(
            Lang::En,
            &facts(),
            MSK,
            Some("Reached"),
            "  Wants the price list.\nCall Anna.  ",
            None,
        );
        assert_eq!(
            text,
            "Reached — 2026-12-01 14:48, Incoming call from +7 903 123-45-67\nWants the price list.\nCall Anna."
        );
        let tomorrow = deadline(&Callback::TomorrowMorning, NOW, MSK).unwrap();
        let ru = compose_comment(Lang::Ru, &facts(), MSK, None, "", tomorrow);
        assert_eq!(
            ru,
            "01.12.2026 14:48, Входящий звонок с +7 903 123-45-67\nПерезвонить: 02.12.2026 09:00"
        );
        let mut f = facts();
        f.direction = Direction::Outgoing;
        f.phone = PhoneNumber::Hidden;
        assert!(
            compose_comment(Lang::Ru, &f, 0, Some(" "), "x", None)
                .starts_with("01.12.2026 11:48, Исходящий звонок со скрытого номера")
        );
        f.phone = PhoneNumber::Unknown;
        f.direction = Direction::Callback;
        assert_eq!(
            compose_comment(Lang::En, &f, 0, None, "", None),
            "2026-12-01 11:48, Callback"
        );
        // Markup stays text.
        assert!(
            compose_comment(Lang::En, &facts(), 0, None, "<b>x</b>", None).ends_with("\n<b>x</b>")
        );
        assert_eq!(
            todo_title(Lang::En, Some(" Klaus Weber ")),
            "Call back: Klaus Weber"
        );
        assert_eq!(todo_title(Lang::Ru, None), "Перезвонить");
    }

    fn plan(comment: bool, todo: bool) -> SavePlan {
        SavePlan {
            target: contact(797),
            comment: comment.then(|| "Reached — note".to_string()),
            todo: todo.then(|| TodoSpec {
                deadline_secs: deadline(&Callback::TomorrowMorning, NOW, MSK)
                    .unwrap()
                    .unwrap(),
                title: "Call back: Klaus Weber".into(),
                description: "Reached — note".into(),
                responsible: 5,
            }),
            offset_min: MSK,
        }
    }

    #[test]
    fn one_batch_with_both_commands() {
        let b = save_batch(&plan(true, true)).unwrap();
        assert_eq!(b.len(), 2);
        assert!(!b.halt);
        let params = b.to_params();
        assert_eq!(params.len(), 1, "one HTTP request");
        let note = &b.commands[0];
        assert_eq!(
            (note.key.as_str(), note.method.as_str()),
            (NOTE_KEY, "crm.timeline.comment.add")
        );
        assert_eq!(note.params["fields"]["ENTITY_TYPE"], "contact");
        assert_eq!(note.params["fields"]["ENTITY_ID"], 797);
        assert_eq!(note.params["fields"]["COMMENT"], "Reached — note");
        let todo = &b.commands[1];
        assert_eq!(todo.method, "crm.activity.todo.add");
        assert_eq!(todo.params["ownerTypeId"], 3);
        assert_eq!(todo.params["ownerId"], 797);
        assert_eq!(todo.params["deadline"], "2026-12-02T09:00:00+03:00");
        assert_eq!(todo.params["responsibleId"], 5);
        assert_eq!(todo.params["title"], "Call back: Klaus Weber");
        // The encoded line is what the portal parses.
        let line = params[0]["cmd"][NOTE_KEY].as_str().unwrap();
        assert!(line.starts_with("crm.timeline.comment.add?"), "{line}");
        assert!(
            line.contains("fields%5BENTITY_TYPE%5D=contact")
                || line.contains("fields[ENTITY_TYPE]=contact"),
            "{line}"
        );
        // Only what is planned; nothing for nothing; nothing for a kind without a timeline API.
        assert_eq!(
            save_batch(&plan(false, true)).unwrap().commands[0].key,
            TODO_KEY
        );
        assert_eq!(save_batch(&plan(true, false)).unwrap().len(), 1);
        assert_eq!(save_batch(&plan(false, false)), None);
        let mut q = plan(true, true);
        q.target = EntityRef::new(EntityKind::Quote, 1);
        assert_eq!(save_batch(&q), None);
        for (kind, name) in [
            (EntityKind::Company, "company"),
            (EntityKind::Lead, "lead"),
            (EntityKind::Deal, "deal"),
        ] {
            let mut p = plan(true, false);
            p.target = EntityRef::new(kind, 9);
            assert_eq!(
                save_batch(&p).unwrap().commands[0].params["fields"]["ENTITY_TYPE"],
                name
            );
        }
    }

    fn answer(
        results: Vec<(&str, Value)>,
        errors: Vec<(&str, RestError)>,
    ) -> Result<BatchAnswer, RestError> {
        Ok(BatchAnswer {
            results: results
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        RestAnswer {
                            result: v,
                            next: None,
                            total: None,
                            time: None,
                        },
                    )
                })
                .collect(),
            errors: errors
                .into_iter()
                .map(|(k, e)| (k.to_string(), e))
                .collect(),
        })
    }

    fn api(status: u16, code: &str) -> RestError {
        RestError::Api {
            status,
            code: code.into(),
            description: String::new(),
        }
    }

    #[test]
    fn save_answers_per_command() {
        let p = plan(true, true);
        let ok = decode_save(
            &p,
            &answer(
                vec![(NOTE_KEY, json!(1001)), (TODO_KEY, json!({"id": 77}))],
                vec![],
            ),
        );
        assert_eq!(
            ok,
            SaveOutcome {
                note: Part::Saved(1001),
                todo: Part::Saved(77)
            }
        );
        assert!(ok.all_done());
        // The to-do refused (no edit rights): the comment is saved, the to-do failed.
        let half = decode_save(
            &p,
            &answer(
                vec![(NOTE_KEY, json!("1002"))],
                vec![(TODO_KEY, api(403, "ACCESS_DENIED"))],
            ),
        );
        assert_eq!(half.note, Part::Saved(1002));
        assert_eq!(half.todo, Part::Failed(api(403, "ACCESS_DENIED")));
        assert!(!half.all_done() && !half.any_unknown());
        // A key the answer does not carry, or an id that is not one: unknown, read back.
        let odd = decode_save(&p, &answer(vec![(NOTE_KEY, json!(true))], vec![]));
        assert_eq!(
            odd,
            SaveOutcome {
                note: Part::Unknown,
                todo: Part::Unknown
            }
        );
        // The whole request: timeout and bare 5xx are unknown; a known refusal fails both.
        let timeout = RestError::Timeout {
            method: "batch".into(),
            after_ms: 25_000,
        };
        assert!(decode_save(&p, &Err(timeout)).any_unknown());
        assert!(decode_save(&p, &Err(api(502, "HTTP_502"))).any_unknown());
        assert!(decode_save(&p, &Err(RestError::Library("Query error!".into()))).any_unknown());
        let denied = decode_save(&p, &Err(api(401, "NO_AUTH_FOUND")));
        assert!(matches!(denied.note, Part::Failed(_)) && matches!(denied.todo, Part::Failed(_)));
        // Not asked stays not asked.
        let only = decode_save(&plan(true, false), &Err(api(502, "HTTP_502")));
        assert_eq!(only.todo, Part::NotAsked);
    }

    #[test]
    fn read_back_finds_the_save_or_says_it_is_lost() {
        let p = plan(true, true);
        let unknown = SaveOutcome {
            note: Part::Unknown,
            todo: Part::Unknown,
        };
        let b = read_back_batch(&p, &unknown);
        assert_eq!(b.len(), 2);
        assert_eq!(b.commands[0].method, "crm.timeline.comment.list");
        assert_eq!(
            b.commands[0].params["filter"],
            json!({"ENTITY_ID": 797, "ENTITY_TYPE": "contact"})
        );
        assert_eq!(b.commands[0].params["order"], json!({"ID": "DESC"}));
        assert_eq!(b.commands[1].params["filter"]["PROVIDER_ID"], "CRM_TODO");
        assert!(
            crate::rest::retry::batch_is_idempotent(&b),
            "a read-back is a read"
        );

        let comments = json!([{"ID": "12", "COMMENT": "other"}, {"ID": "11", "COMMENT": "Reached — note\r\n"}]);
        let todos = json!([{"ID": "90", "SUBJECT": "Call back: Klaus Weber", "DEADLINE": "2026-12-02T06:00:00+00:00"}]);
        let found = apply_read_back(
            &p,
            &unknown,
            &answer(
                vec![(READ_NOTE_KEY, comments.clone()), (READ_TODO_KEY, todos)],
                vec![],
            ),
        );
        assert_eq!(
            found,
            SaveOutcome {
                note: Part::Saved(11),
                todo: Part::Saved(90)
            }
        );
        // A to-do with another deadline is not ours.
        let other = json!([{"ID": "91", "SUBJECT": "Call back: Klaus Weber", "DEADLINE": "2026-12-02T09:00:00+00:00"}]);
        let lost = apply_read_back(
            &p,
            &unknown,
            &answer(
                vec![(READ_NOTE_KEY, json!([])), (READ_TODO_KEY, other)],
                vec![],
            ),
        );
        assert_eq!(
            lost,
            SaveOutcome {
                note: Part::Lost,
                todo: Part::Lost
            }
        );
        assert!(!lost.all_done() && !lost.any_unknown());
        // The to-do list unreadable: the comment of the same batch decides.
        let inferred = apply_read_back(
            &p,
            &unknown,
            &answer(
                vec![(READ_NOTE_KEY, comments)],
                vec![(READ_TODO_KEY, api(404, "ERROR_METHOD_NOT_FOUND"))],
            ),
        );
        assert_eq!(inferred.todo, Part::Saved(0));
        // The read-back failing leaves it unknown.
        let still = apply_read_back(&p, &unknown, &Err(api(502, "HTTP_502")));
        assert_eq!(still, unknown);
        assert_eq!(find_comment(&json!({"not": "a list"}), "x"), None);
    }

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

    #[test]
    fn drafts_round_trip_and_decode_leniently() {
        let mut d = Draft::new("externalCall.abc.1", NOW);
        assert!(!d.has_content());
        d.note = "Wants <b>prices</b>".into();
        d.result = Some("reached".into());
        d.callback = Callback::At("2026-12-03T10:30".into());
        d.saved_todo = Some(5);
        d.unsure = true;
        assert!(d.has_content());
        let text = encode_draft(&d);
        assert_eq!(decode_draft(&text, "externalCall.abc.1"), Some(d.clone()));
        assert_eq!(
            decode_draft(&text, "another.call"),
            None,
            "never another call's draft"
        );
        assert_eq!(decode_draft("{broken", "externalCall.abc.1"), None);
        assert_eq!(decode_draft("[1,2]", "x"), None);
        assert_eq!(decode_draft(r#"{"note":"x"}"#, ""), None);
        // Wrong types become defaults; unknown keys are ignored; junk result ids are cleaned.
        let odd = decode_draft(r#"{"call":"c","note":5,"result":"<x>","cb":"weekly","at":"soon","savedNote":"17","unsure":"yes","extra":1}"#, "c").unwrap();
        assert_eq!(
            odd,
            Draft {
                call_id: "c".into(),
                note: String::new(),
                result: Some("x".into()),
                callback: Callback::None,
                call_at_secs: 0,
                saved_note: Some(17),
                saved_todo: None,
                unsure: false
            }
        );
        // A note longer than the panel takes is cut, not refused.
        let mut big = Draft::new("c", 1);
        big.note = "я".repeat(MAX_NOTE + 50);
        assert_eq!(
            decode_draft(&encode_draft(&big), "c")
                .unwrap()
                .note
                .chars()
                .count(),
            MAX_NOTE
        );
        // Saved parts are not content any more.
        let mut saved = Draft::new("c", 1);
        saved.note = "x".into();
        saved.saved_note = Some(3);
        assert!(!saved.has_content());
        saved.callback = Callback::InHour;
        assert!(saved.has_content());
        for cb in [
            Callback::None,
            Callback::InHour,
            Callback::TomorrowMorning,
            Callback::InThreeDays,
            Callback::At("2026-12-03T10:30".into()),
        ] {
            let at = if let Callback::At(a) = &cb {
                a.clone()
            } else {
                String::new()
            };
            assert_eq!(Callback::from_code(cb.code(), &at), cb);
        }
        assert_eq!(draft_name("c1"), "wrapup.c1");
    }
}
