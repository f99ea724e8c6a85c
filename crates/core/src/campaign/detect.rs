//! Which list the operator is working through ([`detect`]), and the remembered choice
//! ([`encode_choice`], [`decode_choice`]).

use super::CallList;
use super::ListItem;
use crate::model::entity::EntityRef;

/// Which list the operator is working through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    /// No list of the user's contains the client, and nothing valid was remembered:
    /// say so and offer to pick one.
    None,
    /// This list, without asking.
    One(u64),
    /// Several lists contain the client: a picker, best guess first.
    Many(Vec<u64>),
}

/// Where the client stands in a list: the index of the first item that is one of `client_refs`.
///
/// `client_refs` are the current client first, then the call's bindings: lists of deals, quotes or
/// invoices hold the deal, while the card reports its contact or company as the client.
/// An item without a type takes the list's.
pub fn find_in(items: &[ListItem], list_type_id: u64, client_refs: &[EntityRef]) -> Option<usize> {
    items.iter().position(|item| {
        let type_id = if item.entity_type_id == 0 {
            list_type_id
        } else {
            item.entity_type_id
        };
        client_refs
            .iter()
            .any(|w| w.id == item.entity_id && u64::from(w.kind.type_id()) == type_id)
    })
}

/// Picks the list the operator is most likely working through.
///
/// * `candidates`: the user's recent lists (any entity type).
/// * `items_by_list`: the items read for those lists (a list without an entry is not a match).
/// * `client_refs`: the client, then the call's bindings (see [`find_in`]).
/// * `open_activity_lists`: lists with an open call-list activity of the user, newest first.
/// * `remembered`: the user's last choice ([`decode_choice`]).
///
/// Rules: a remembered list wins when it is still among the candidates and contains the client.
/// When **no** list contains the client, a remembered list that still exists is kept as
/// [`Detection::One`] (the operator picked it by hand; the progress then shows the client as
/// not in it) rather than asking again for every client. Otherwise the lists containing the
/// client are ranked: those with an open activity first (in the activities' order), then the
/// rest by id, newest first. One match is [`Detection::One`], several [`Detection::Many`].
pub fn detect(
    candidates: &[CallList],
    items_by_list: &[(u64, Vec<ListItem>)],
    client_refs: &[EntityRef],
    open_activity_lists: &[u64],
    remembered: Option<u64>,
) -> Detection {
    let mut matching: Vec<u64> = Vec::new();
    for list in candidates {
        let contains = items_by_list
            .iter()
            .find(|(id, _)| *id == list.id)
            .is_some_and(|(_, items)| find_in(items, list.entity_type_id, client_refs).is_some());
        if contains && !matching.contains(&list.id) {
            matching.push(list.id);
        }
    }
    if let Some(r) = remembered {
        if matching.contains(&r) {
            return Detection::One(r);
        }
        if matching.is_empty() && candidates.iter().any(|l| l.id == r) {
            return Detection::One(r);
        }
    }
    // Rank: open activity (in activity order) first, then newest id. Few lists: a selection.
    let rank = |id: u64| -> (usize, u64) {
        let act = open_activity_lists
            .iter()
            .position(|a| *a == id)
            .unwrap_or(usize::MAX);
        (act, u64::MAX - id)
    };
    let mut ranked = Vec::with_capacity(matching.len());
    while !matching.is_empty() {
        let mut best = 0;
        for i in 1..matching.len() {
            if rank(matching[i]) < rank(matching[best]) {
                best = i;
            }
        }
        ranked.push(matching.swap_remove(best));
    }
    match ranked.len() {
        0 => Detection::None,
        1 => Detection::One(ranked[0]),
        _ => Detection::Many(ranked),
    }
}

/// What is remembered of the operator's choice: the list, and the call it was made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub list_id: u64,
    /// The `CALL_ID` the choice was made during (`""` if unknown).
    pub call_id: String,
}

/// The `BX24.userOption` value for a choice: `cl1:<list id>:<call id>`.
pub fn encode_choice(list_id: u64, call_id: &str) -> String {
    format!("cl1:{list_id}:{call_id}")
}

/// Reads [`encode_choice`]'s value; a bare list id (`"42"`) is accepted too. Anything else
/// (empty, `"undefined"`, garbage) is `None`.
pub fn decode_choice(s: &str) -> Option<Choice> {
    let s = s.trim();
    let (id, call) = match s.strip_prefix("cl1:") {
        Some(rest) => rest.split_once(':').unwrap_or((rest, "")),
        None => (s, ""),
    };
    let list_id = id.trim().parse::<u64>().ok().filter(|id| *id > 0)?;
    Some(Choice {
        list_id,
        call_id: call.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::fixtures::*;
    use crate::campaign::*;
    use crate::model::entity::{EntityKind, EntityRef};

    #[test]
    fn detection_none_one_many_and_remembered() {
        let lists = vec![list(9, 3), list(7, 3), list(6, 3), list(4, 2)];
        let by_list = vec![
            (9, vec![item(1, "SUCCESS"), item(2, "IN_WORK")]),
            (7, vec![item(15, "IN_WORK"), item(3, "IN_WORK")]),
            (6, vec![item(3, "SUCCESS"), item(15, "IN_WORK")]),
            (
                4,
                vec![ListItem {
                    entity_id: 41,
                    status: "IN_WORK".into(),
                    entity_type_id: 2,
                }],
            ),
        ];
        let client_refs = [contact(15)];
        // Two lists hold the client; no activity: newest first.
        assert_eq!(
            detect(&lists, &by_list, &client_refs, &[], None),
            Detection::Many(vec![7, 6])
        );
        // The open activity's list comes first.
        assert_eq!(
            detect(&lists, &by_list, &client_refs, &[4, 6], None),
            Detection::Many(vec![6, 7])
        );
        // Remembered and containing the client: no question.
        assert_eq!(
            detect(&lists, &by_list, &client_refs, &[6], Some(7)),
            Detection::One(7)
        );
        // Remembered but not containing the client, while others do: ranked as usual.
        assert_eq!(
            detect(&lists, &by_list, &client_refs, &[], Some(9)),
            Detection::Many(vec![7, 6])
        );
        // One match.
        assert_eq!(
            detect(&lists, &by_list, &[contact(2)], &[], None),
            Detection::One(9)
        );
        // A company with the same id is another client.
        assert_eq!(
            detect(
                &lists,
                &by_list,
                &[EntityRef::new(EntityKind::Company, 2)],
                &[],
                None
            ),
            Detection::None
        );
        // No match; a remembered list that still exists is kept, a vanished one is not.
        assert_eq!(
            detect(&lists, &by_list, &[contact(99)], &[], None),
            Detection::None
        );
        assert_eq!(
            detect(&lists, &by_list, &[contact(99)], &[], Some(9)),
            Detection::One(9)
        );
        assert_eq!(
            detect(&lists, &by_list, &[contact(99)], &[], Some(1234)),
            Detection::None
        );
        // A deal list matches through the call's bindings (a contact with deal 41).
        let client_refs = [contact(99), EntityRef::new(EntityKind::Deal, 41)];
        assert_eq!(
            detect(&lists, &by_list, &client_refs, &[], None),
            Detection::One(4)
        );
        // Lists without items read are not matches.
        assert_eq!(
            detect(&lists, &[], &[contact(15)], &[6], None),
            Detection::None
        );
    }

    #[test]
    fn choices_round_trip() {
        let v = encode_choice(42, "externalCall.abc.1795428000");
        assert_eq!(
            decode_choice(&v),
            Some(Choice {
                list_id: 42,
                call_id: "externalCall.abc.1795428000".into()
            })
        );
        assert_eq!(decode_choice(" 17 ").map(|c| c.list_id), Some(17));
        assert_eq!(
            decode_choice(&encode_choice(5, "")).map(|c| c.list_id),
            Some(5)
        );
        for bad in ["", "undefined", "null", "cl1:", "cl1:x:y", "0", "-3", "{}"] {
            assert_eq!(decode_choice(bad), None, "{bad}");
        }
    }
}
