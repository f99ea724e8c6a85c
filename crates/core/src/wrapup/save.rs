//! Saving the wrap-up: the ONE batch (`crm.timeline.comment.add` + `crm.activity.todo.add`),
//! its answer per command, and the read-back that tells whether a save of unknown outcome
//! took effect.

use serde_json::{Value, json};

use super::clock::iso_in_zone;
use crate::model::entity::{EntityKind, EntityRef};
use crate::rest::batch::{Batch, BatchAnswer};
use crate::rest::{RestError, retry};

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
pub(super) fn id_in(v: &Value) -> Option<u64> {
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
pub(super) fn same_text(a: &str, b: &str) -> bool {
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
                    .and_then(crate::model::time::parse_iso8601_ms)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrapup::fixtures::*;
    use crate::wrapup::*;

    use crate::model::entity::{EntityKind, EntityRef};

    use crate::rest::RestError;
    use serde_json::json;

    fn contact(id: u64) -> EntityRef {
        EntityRef::new(EntityKind::Contact, id)
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
}
