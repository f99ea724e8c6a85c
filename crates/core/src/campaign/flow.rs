//! The campaign's orchestration as decisions without I/O, tested on the host: who the card looks
//! for in a list, how the lists being read share one batch, which pages ride in the card's
//! refresh, what follows a refresh, when a write's outcome must be read back. The browser side
//! (`src/campaign/state.rs`) only runs them: it sends the batches and keeps the answers.

use crate::call::CallStatus;
use crate::campaign::{self, CallList, ItemPages, ListRead, PageAnswer};
use crate::model::{EntityKind, EntityRef};
use crate::rest::{Batch, BatchAnswer, RestError};

/// How many of the user's newest lists detection looks into.
pub const DETECT_LISTS: usize = 10;
/// Item pages asked in one batch (the batch limit).
pub const PAGES_PER_BATCH: usize = crate::rest::batch::MAX_COMMANDS;

/// Whom the card looks for in a list: the client first, then the call's deal/quote/invoice
/// bindings (lists of those types hold the deal while the card reports its contact or company).
/// Not the client's company: a company list holding it says nothing about a campaign calling the
/// contact.
pub fn sought(status: &CallStatus) -> Vec<EntityRef> {
    use EntityKind::{Company, Contact, Lead};
    status
        .entity
        .into_iter()
        .chain(
            status
                .other_bindings()
                .into_iter()
                .filter(|b| !matches!(b.kind, Contact | Company | Lead)),
        )
        .collect()
}

/// The batch key of a call-list item page carried by the card's refresh.
pub fn page_key(start: u64) -> String {
    format!("cl_{start}")
}

/// Adds `starts` pages of list `id` to the card's refresh batch.
pub fn add_pages(batch: &mut Batch, id: u64, starts: &[u64]) {
    for start in starts {
        let (m, p) = campaign::items_query(id, None, *start);
        batch.add(page_key(*start), m, p);
    }
}

/// The re-read pages' answers in the card's refresh batch (keys [`page_key`]).
pub fn page_answers<'a>(starts: &[u64], answer: &'a BatchAnswer) -> Vec<(u64, PageAnswer<'a>)> {
    starts
        .iter()
        .map(|s| {
            let a = match answer.get(&page_key(*s)) {
                Ok(r) => PageAnswer::Rows(&r.result),
                Err(e) if e.code() == Some("ACCESS_ERROR") => PageAnswer::Empty,
                Err(_) => PageAnswer::Failed,
            };
            (*s, a)
        })
        .collect()
}

/// Whether the pages of a remembered list may ride in the card's refresh at all: in campaign
/// mode, once the user's lists are known (`base_known`), with room left in the batch, for a list
/// that still exists. Returns that list.
pub fn riding_list(
    status: &CallStatus,
    base_known: bool,
    room: usize,
    remembered: Option<u64>,
    lists: &[CallList],
) -> Option<u64> {
    if !status.call_list_mode || !base_known || room == 0 {
        return None;
    }
    remembered.filter(|id| lists.iter().any(|l| l.id == *id))
}

/// One batch of item pages for the lists not read whole yet.
#[derive(Debug, Default)]
pub struct Round {
    pub batch: Batch,
    /// Per page: the list's place in the pagers, its `start`, its key.
    asked: Vec<(usize, u64, String)>,
}

impl Round {
    /// Nothing left to ask: every list is read to its end.
    pub fn is_empty(&self) -> bool {
        self.asked.is_empty()
    }

    pub fn len(&self) -> usize {
        self.asked.len()
    }
}

/// The next round for `pages`: the batch's 50 slots shared by the lists not finished yet, each
/// asking its next pages in order.
pub fn next_round(pages: &[(u64, ItemPages)]) -> Round {
    let mut round = Round::default();
    let active = pages.iter().filter(|(_, p)| !p.is_done()).count();
    let per_list = (PAGES_PER_BATCH / active.max(1)).max(1);
    for (i, (id, p)) in pages.iter().enumerate() {
        for start in p.next_starts(per_list) {
            if round.asked.len() == PAGES_PER_BATCH {
                break;
            }
            let key = format!("i{i}_{start}");
            let (m, params) = campaign::items_query(*id, None, start);
            round.batch.add(key.clone(), m, params);
            round.asked.push((i, start, key));
        }
    }
    round
}

/// Feeds a round's answer to the pagers. A failed page fails the read (`Err`), except the
/// portal's empty page, and — of several lists — a list whose first page is not readable (it is
/// shown empty and cannot be written).
pub fn feed_round(
    pages: &mut [(u64, ItemPages)],
    round: Round,
    answer: &BatchAnswer,
) -> Result<(), RestError> {
    let several = pages.len() > 1;
    for (i, start, key) in round.asked {
        let p = &mut pages[i].1;
        match answer.get(&key) {
            Ok(r) => {
                p.feed(start, &r.result);
            }
            Err(e) => {
                let code = e.code().unwrap_or("");
                if p.feed_error(start, code) {
                    continue;
                }
                if several && start == 0 && code == "ACCESS_ERROR" {
                    p.no_access();
                    continue;
                }
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The size a read is expected to reach: the sum of the lists' last known sizes, unknown when
/// one of them is.
pub fn expected_size(sizes: impl IntoIterator<Item = Option<u32>>) -> Option<u32> {
    sizes
        .into_iter()
        .try_fold(0u32, |sum, s| s.map(|s| sum.saturating_add(s)))
}

/// The reading line: members read so far, the size expected, how many lists.
pub type Reading = (u32, Option<u32>, usize);

/// The reading line while a round is about to be asked: none once nothing is left to ask; on
/// the first round only when nothing else is on screen (`loading`), so a one-batch read shows
/// no line that blinks.
pub fn reading_line(
    round: &Round,
    pages: &[(u64, ItemPages)],
    expected: Option<u32>,
    rounds_so_far: usize,
    loading: bool,
) -> Option<Reading> {
    if round.is_empty() || (rounds_so_far == 0 && !loading) {
        return None;
    }
    let read = pages.iter().map(|(_, p)| p.items().len() as u32).sum();
    Some((read, expected, pages.len()))
}

/// Whether a write's outcome is unknown (it timed out, or the library gave up): then the list
/// is read back and compared, never written again.
pub fn read_back_needed(e: &RestError) -> bool {
    matches!(e, RestError::Timeout { .. } | RestError::Library(_))
}

/// The lists view's rows for the first [`DETECT_LISTS`] lists: id, whether the read holds the
/// client (`sought`), its size.
pub fn list_rows(
    lists: &[CallList],
    reads: &[(u64, ListRead)],
    sought: &[EntityRef],
) -> Vec<(u64, bool, u32)> {
    lists
        .iter()
        .take(DETECT_LISTS)
        .map(|l| {
            let its = reads
                .iter()
                .find(|(i, _)| *i == l.id)
                .map(|(_, r)| &r.items);
            let has = its.is_some_and(|v| campaign::find_in(v, l.entity_type_id, sought).is_some());
            (l.id, has, its.map_or(0, |v| v.len() as u32))
        })
        .collect()
}

/// Where finding the campaign's progress starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A list remembered for this call (or user) that still exists: its progress.
    Progress(u64),
    /// Otherwise: read these lists and detect.
    Detect(Vec<u64>),
}

pub fn start(remembered: Option<u64>, lists: &[CallList]) -> Start {
    match remembered.filter(|id| lists.iter().any(|l| l.id == *id)) {
        Some(id) => Start::Progress(id),
        None => Start::Detect(lists.iter().take(DETECT_LISTS).map(|l| l.id).collect()),
    }
}

/// The lists to look into after a "new list" whose outcome is unknown: those newer than the
/// newest before it (all of them when there was none).
pub fn lists_after(lists: &[CallList], newest_before: Option<u64>) -> Vec<u64> {
    lists
        .iter()
        .filter(|l| newest_before.is_none_or(|n| l.id > n))
        .map(|l| l.id)
        .collect()
}

/// What the campaign does after a card refresh or a call's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRefresh {
    /// Campaign mode: the chosen list's progress follows.
    Progress,
    /// Outside it, lists shown (for another client, perhaps) are read again.
    Lists,
    Nothing,
}

pub fn after_refresh(call_list_mode: bool, showing_lists: bool) -> AfterRefresh {
    if call_list_mode {
        AfterRefresh::Progress
    } else if showing_lists {
        AfterRefresh::Lists
    } else {
        AfterRefresh::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::ListItem;
    use crate::rest::RestAnswer;
    use serde_json::{Value, json};

    fn list(id: u64, type_id: u64) -> CallList {
        CallList {
            id,
            entity_type_id: type_id,
            entity_type: None,
            created: String::new(),
            created_by: None,
            webform_id: None,
        }
    }

    fn contact(id: u64) -> EntityRef {
        EntityRef {
            kind: EntityKind::Contact,
            id,
        }
    }

    fn page(ids: std::ops::Range<u64>) -> Value {
        Value::Array(ids.map(|i| json!({"ID": i, "STATUS": "IN_WORK"})).collect())
    }

    fn ok(result: Value) -> RestAnswer {
        RestAnswer {
            result,
            next: None,
            total: None,
            time: None,
        }
    }

    #[test]
    fn who_is_the_client_then_the_deal_bindings_not_other_people() {
        let status = CallStatus {
            entity: Some(contact(7)),
            bindings: vec![
                contact(7),
                EntityRef {
                    kind: EntityKind::Deal,
                    id: 3,
                },
                EntityRef {
                    kind: EntityKind::Company,
                    id: 9,
                },
            ],
            ..CallStatus::default()
        };
        assert_eq!(
            sought(&status),
            vec![
                contact(7),
                EntityRef {
                    kind: EntityKind::Deal,
                    id: 3
                }
            ]
        );
        assert!(sought(&CallStatus::default()).is_empty());
    }

    #[test]
    fn one_list_takes_the_whole_batch_several_share_it() {
        let one = vec![(1, ItemPages::new())];
        let r = next_round(&one);
        assert_eq!(r.len(), PAGES_PER_BATCH);
        assert_eq!(r.batch.len(), PAGES_PER_BATCH);
        let three: Vec<_> = (1..=3).map(|id| (id, ItemPages::new())).collect();
        let r = next_round(&three);
        // 50 / 3 = 16 pages each: 48 commands, never over the batch limit.
        assert_eq!(r.len(), 48);
        let sixty: Vec<_> = (1..=60).map(|id| (id, ItemPages::new())).collect();
        assert_eq!(next_round(&sixty).len(), PAGES_PER_BATCH);
    }

    #[test]
    fn a_finished_list_leaves_its_slots_to_the_others() {
        let mut pages = vec![(1, ItemPages::new()), (2, ItemPages::new())];
        let r = next_round(&pages);
        assert_eq!(r.len(), 50);
        // List 1 ends at its first page (short, then two empty ones); list 2 is 25 pages full.
        let mut answer = BatchAnswer::default();
        for (i, start, key) in &r.asked {
            let rows = match (i, start) {
                (0, 0) => page(0..10),
                (0, _) => json!([]),
                (_, s) => page(*s..*s + 50),
            };
            answer.results.push((key.clone(), ok(rows)));
        }
        feed_round(&mut pages, r, &answer).unwrap();
        assert!(pages[0].1.is_done());
        assert!(!pages[1].1.is_done());
        let r = next_round(&pages);
        assert_eq!(r.len(), 50);
        assert!(r.asked.iter().all(|(i, _, _)| *i == 1));
    }

    #[test]
    fn a_failed_page_fails_the_read_but_one_unreadable_list_of_several_does_not() {
        let denied = || RestError::Api {
            status: 200,
            code: "ACCESS_ERROR".into(),
            description: String::new(),
        };
        let mut pages = vec![(1, ItemPages::new()), (2, ItemPages::new())];
        let r = next_round(&pages);
        let mut answer = BatchAnswer::default();
        for (i, start, key) in &r.asked {
            if *i == 0 {
                answer.errors.push((key.clone(), denied()));
            } else {
                let rows = if *start == 0 { page(1..11) } else { json!([]) };
                answer.results.push((key.clone(), ok(rows)));
            }
        }
        feed_round(&mut pages, r, &answer).unwrap();
        assert!(pages[0].1.is_done());
        assert_eq!(pages[1].1.items().len(), 10);

        let mut alone = vec![(1, ItemPages::new())];
        let r = next_round(&alone);
        let mut answer = BatchAnswer::default();
        for (_, _, key) in &r.asked {
            answer.errors.push((key.clone(), denied()));
        }
        assert!(feed_round(&mut alone, r, &answer).is_err());
    }

    #[test]
    fn the_expected_size_is_known_only_when_every_list_is() {
        assert_eq!(expected_size([Some(4000), Some(10)]), Some(4010));
        assert_eq!(expected_size([Some(4000), None]), None);
        assert_eq!(expected_size([]), Some(0));
    }

    #[test]
    fn the_reading_line_shows_from_the_second_round_unless_nothing_else_is_shown() {
        let pages = vec![(1, ItemPages::new())];
        let round = next_round(&pages);
        assert_eq!(reading_line(&round, &pages, Some(10), 0, false), None);
        assert_eq!(
            reading_line(&round, &pages, Some(10), 0, true),
            Some((0, Some(10), 1))
        );
        assert_eq!(
            reading_line(&round, &pages, None, 1, false),
            Some((0, None, 1))
        );
        let done = Round::default();
        assert_eq!(reading_line(&done, &pages, None, 3, true), None);
    }

    #[test]
    fn refresh_pages_ride_only_in_campaign_mode_for_an_existing_list() {
        let lists = vec![list(5, 3)];
        let mut status = CallStatus {
            call_list_mode: true,
            ..CallStatus::default()
        };
        assert_eq!(riding_list(&status, true, 10, Some(5), &lists), Some(5));
        assert_eq!(riding_list(&status, false, 10, Some(5), &lists), None);
        assert_eq!(riding_list(&status, true, 0, Some(5), &lists), None);
        assert_eq!(riding_list(&status, true, 10, Some(6), &lists), None);
        status.call_list_mode = false;
        assert_eq!(riding_list(&status, true, 10, Some(5), &lists), None);
    }

    #[test]
    fn the_refresh_pages_answers_are_read_by_their_keys() {
        let mut batch = Batch::new();
        add_pages(&mut batch, 5, &[0, 50]);
        assert_eq!(batch.len(), 2);
        let mut answer = BatchAnswer::default();
        answer.results.push((page_key(0), ok(page(0..3))));
        answer.errors.push((
            page_key(50),
            RestError::Api {
                status: 200,
                code: "ACCESS_ERROR".into(),
                description: String::new(),
            },
        ));
        let got = page_answers(&[0, 50, 100], &answer);
        assert!(matches!(got[0], (0, PageAnswer::Rows(_))));
        assert!(matches!(got[1], (50, PageAnswer::Empty)));
        assert!(matches!(got[2], (100, PageAnswer::Failed)));
    }

    #[test]
    fn only_an_unknown_outcome_is_read_back() {
        assert!(read_back_needed(&RestError::Timeout {
            method: "crm.calllist.update".into(),
            after_ms: 10_000
        }));
        assert!(read_back_needed(&RestError::Library("gone".into())));
        assert!(!read_back_needed(&RestError::Api {
            status: 200,
            code: "ACCESS_DENIED".into(),
            description: String::new()
        }));
    }

    #[test]
    fn rows_say_which_lists_hold_the_client_and_their_sizes() {
        let lists = vec![list(1, 3), list(2, 3), list(3, 4)];
        let read = |ids: &[u64]| ListRead {
            items: ids
                .iter()
                .map(|id| ListItem {
                    entity_id: *id,
                    entity_type_id: 0,
                    status: "IN_WORK".into(),
                })
                .collect(),
            ..ListRead::default()
        };
        let reads = vec![(1, read(&[7, 8])), (3, read(&[7]))];
        assert_eq!(
            list_rows(&lists, &reads, &[contact(7)]),
            vec![(1, true, 2), (2, false, 0), (3, false, 1)]
        );
    }

    #[test]
    fn a_remembered_list_that_still_exists_skips_detection() {
        let lists: Vec<_> = (1..=12).map(|id| list(id, 3)).collect();
        assert_eq!(start(Some(4), &lists), Start::Progress(4));
        assert_eq!(start(Some(40), &lists), Start::Detect((1..=10).collect()));
        assert_eq!(start(None, &lists[..2]), Start::Detect(vec![1, 2]));
        assert_eq!(lists_after(&lists[..3], Some(2)), vec![3]);
        assert_eq!(lists_after(&lists[..2], None), vec![1, 2]);
    }

    #[test]
    fn after_a_refresh_the_progress_follows_in_campaign_mode_shown_lists_outside_it() {
        assert_eq!(after_refresh(true, true), AfterRefresh::Progress);
        assert_eq!(after_refresh(false, true), AfterRefresh::Lists);
        assert_eq!(after_refresh(false, false), AfterRefresh::Nothing);
    }
}
