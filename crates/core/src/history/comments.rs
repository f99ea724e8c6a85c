//! Timeline comments: the `crm.timeline.comment.list` query, the decoded [`Comment`]s, and
//! their BB-code-free text ([`plain_text`]).

use serde_json::{Value, json};

use super::activities::{number, text};
use crate::model::entity::EntityRef;
use crate::model::time::parse_iso8601_ms;
use crate::model::value::{DecodeError, as_list};

/// The comment fields [`decode_comments`] reads (`FILES` is not shown, so not asked for).
const COMMENT_SELECT: &[&str] = &["ID", "CREATED", "AUTHOR_ID", "COMMENT"];

/// `crm.timeline.comment.list` for `entity`'s timeline comments (issue 11), newest first, 50 a
/// page from offset `start` (0 for the first). `ENTITY_TYPE` is the lowercase type name.
pub fn comment_query(entity: EntityRef, start: usize) -> (&'static str, Value) {
    (
        "crm.timeline.comment.list",
        json!({
            "filter": {"ENTITY_ID": entity.id, "ENTITY_TYPE": entity.kind.name().to_ascii_lowercase()},
            "order": {"CREATED": "DESC"},
            "select": COMMENT_SELECT,
            "start": start,
        }),
    )
}

/// One timeline comment, shown as text with its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    /// `CREATED` as sent; empty when there was none.
    pub created: String,
    pub created_ms: Option<i64>,
    /// The comment as plain text: BB-code tags removed, never markup.
    pub text: String,
    pub author_id: Option<u64>,
}

impl Comment {
    pub(super) fn sort_key(&self) -> (i64, u64) {
        (self.created_ms.unwrap_or(i64::MIN), self.id)
    }
}

/// One decoded `crm.timeline.comment.list` page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommentPage {
    pub items: Vec<Comment>,
    /// How many rows the page had, unreadable ones included.
    pub rows: usize,
}

/// Removes BB-code tags (`[b]`, `[/url]`, `[url=…]`, `[*]`, …) from a comment: the card shows
/// text only. Brackets that are not a tag of letters (`[2]`, `[ ]`, a lone `[`) stay.
pub fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let tag = after.find(']').map(|close| &after[..close]).filter(|t| {
            let name = t.strip_prefix('/').unwrap_or(t);
            let name = name.split('=').next().unwrap_or("");
            name == "*"
                || (!name.is_empty()
                    && name.len() <= 8
                    && name.chars().all(|c| c.is_ascii_alphabetic()))
        });
        match tag {
            Some(t) => rest = &after[t.len() + 1..],
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// Reads `crm.timeline.comment.list`'s `result` as leniently as [`decode_activities`](crate::history::decode_activities): ids as
/// numbers or strings, a row without a usable id (or not an object) skipped, PHP's empty map
/// as no rows. Only a `result` that is not a list is an error.
pub fn decode_comments(result: &Value) -> Result<CommentPage, DecodeError> {
    let rows = as_list(result, "comment list")?;
    let items = rows
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|obj| {
            let id = number(obj, "ID").filter(|id| *id > 0)?;
            let created = text(obj, "CREATED").unwrap_or_default();
            Some(Comment {
                id,
                created_ms: parse_iso8601_ms(&created).map(|ms| ms as i64),
                created,
                text: plain_text(&text(obj, "COMMENT").unwrap_or_default()),
                author_id: number(obj, "AUTHOR_ID").filter(|id| *id > 0),
            })
        })
        .collect();
    Ok(CommentPage {
        items,
        rows: rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::fixtures::*;

    use crate::model::entity::{EntityKind, EntityRef};

    use serde_json::json;

    #[test]
    fn comment_query_is_by_entity_newest_first() {
        let (m, p) = comment_query(contact(), 0);
        assert_eq!(m, "crm.timeline.comment.list");
        assert_eq!(
            p["filter"],
            json!({"ENTITY_ID": 797, "ENTITY_TYPE": "contact"})
        );
        assert_eq!(p["order"], json!({"CREATED": "DESC"}));
        assert_eq!(p["start"], 0);
        assert!(!p["select"].to_string().contains("FILES"));
        let (_, p) = comment_query(EntityRef::new(EntityKind::Company, 5), 50);
        assert_eq!(p["filter"]["ENTITY_TYPE"], "company");
        assert_eq!(p["start"], 50);
    }

    #[test]
    fn comments_decode_leniently_as_text() {
        let page = decode_comments(&json!([
            comment(3, "2024-04-12T10:00:00+03:00", "[b]Called back[/b], agreed [url=https://x.example]terms[/url]", "5"),
            {"ID": 4, "CREATED": "yesterday", "COMMENT": 42, "AUTHOR_ID": ""},
            {"ID": "", "COMMENT": "no id"},
            {"ID": "x1"},
            "junk",
            null,
            {"ID": "9", "COMMENT": "<img src=x onerror=alert(1)> [2] items [ ok"}
        ]))
        .unwrap();
        assert_eq!(page.rows, 7);
        let ids: Vec<u64> = page.items.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![3, 4, 9]);
        assert_eq!(page.items[0].text, "Called back, agreed terms");
        assert_eq!(page.items[0].author_id, Some(5));
        assert_eq!(page.items[0].created_ms, Some(1_712_905_200_000));
        assert_eq!(
            (page.items[1].text.as_str(), page.items[1].created_ms),
            ("42", None)
        );
        assert_eq!(page.items[1].author_id, None);
        // Markup stays text (the view writes it as text); non-tag brackets stay.
        assert_eq!(
            page.items[2].text,
            "<img src=x onerror=alert(1)> [2] items [ ok"
        );
        assert_eq!(decode_comments(&json!({})).unwrap().rows, 0);
        assert!(decode_comments(&json!("oops")).is_err());
        assert!(decode_comments(&json!({"a": 1})).is_err());
    }

    #[test]
    fn plain_text_drops_bb_tags_only() {
        assert_eq!(plain_text("[B]bold[/B] [i]it[/i]"), "bold it");
        assert_eq!(plain_text("[list][*]one[*]two[/list]"), "onetwo");
        assert_eq!(plain_text("[COLOR=#ff0000]red[/COLOR]"), "red");
        assert_eq!(
            plain_text("price [50%] [ ] [a b] ["),
            "price [50%] [ ] [a b] ["
        );
        assert_eq!(plain_text("  "), "");
        assert_eq!(plain_text("Привет [b]мир[/b]"), "Привет мир");
    }
}
