//! Where a campaign stands: the statuses' shares, the client's place in the list
//! ([`Progress`]), and the reading line shown while a list is read.

use super::IN_WORK;
use super::ListItem;
use super::ListStatus;
use super::detect::find_in;
use crate::model::entity::EntityRef;

/// One status's share of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub status_id: String,
    /// The status's name from `crm.calllist.statuslist`; `None` for a code the directory no
    /// longer has (show the code).
    pub name: Option<String>,
    pub count: u32,
}

/// The client's place in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// 1-based index of the client's item in the list's item order (the order
    /// `crm.calllist.items.get` returns: the portal's `RANK`, ascending).
    pub place: u32,
    /// The number of items (the same as [`Progress::total`]).
    pub of: u32,
    /// The client's item status.
    pub status: String,
}

/// Where a campaign stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub total: u32,
    /// Items with any status but [`IN_WORK`].
    pub done: u32,
    /// Items still [`IN_WORK`].
    pub remaining: u32,
    /// Every status of the directory in `SORT` order (zero counts included, so the bars keep
    /// their places), then codes the directory does not know, in order of first appearance.
    pub bars: Vec<Bar>,
    /// `None` when the client is not in the list.
    pub position: Option<Position>,
}

impl Progress {
    /// Counts `items` in one pass. `list_type_id` and `client_refs` locate the client (see [`find_in`]).
    /// Allocation is per distinct status, not per item, so 10,000 items cost a few comparisons
    /// each.
    pub fn compute(
        items: &[ListItem],
        statuses: &[ListStatus],
        list_type_id: u64,
        client_refs: &[EntityRef],
    ) -> Progress {
        let mut bars: Vec<Bar> = Vec::with_capacity(statuses.len() + 2);
        for s in statuses {
            let at = bars.iter().position(|b: &Bar| b.status_id == s.status_id);
            if at.is_none() {
                // Callers may pass the statuses unsorted: insert by SORT.
                let sort_of = |b: &Bar| {
                    statuses
                        .iter()
                        .find(|x| x.status_id == b.status_id)
                        .map_or(u64::MAX, |x| x.sort)
                };
                let at = bars
                    .iter()
                    .position(|b| sort_of(b) > s.sort)
                    .unwrap_or(bars.len());
                bars.insert(
                    at,
                    Bar {
                        status_id: s.status_id.clone(),
                        name: Some(s.name.clone()),
                        count: 0,
                    },
                );
            }
        }
        let mut remaining = 0u32;
        let mut position = None;
        let mut last = usize::MAX;
        for (i, item) in items.iter().enumerate() {
            // Consecutive items often share a status: try the last bar first.
            let hit = if last < bars.len() && bars[last].status_id == item.status {
                last
            } else {
                match bars.iter().position(|b| b.status_id == item.status) {
                    Some(at) => at,
                    None => {
                        bars.push(Bar {
                            status_id: item.status.clone(),
                            name: None,
                            count: 0,
                        });
                        bars.len() - 1
                    }
                }
            };
            last = hit;
            bars[hit].count += 1;
            if item.status == IN_WORK {
                remaining += 1;
            }
            if position.is_none()
                && find_in(std::slice::from_ref(item), list_type_id, client_refs).is_some()
            {
                position = Some((i, item.status.clone()));
            }
        }
        let total = items.len() as u32;
        Progress {
            total,
            done: total - remaining,
            remaining,
            bars,
            position: position.map(|(i, status)| Position {
                place: i as u32 + 1,
                of: total,
                status,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::*;

    use crate::campaign::fixtures::*;

    #[test]
    fn progress_with_custom_and_unknown_statuses() {
        let items = vec![
            item(1, "SUCCESS"),
            item(2, "CALLBACK"),
            item(3, "NO_ANSWER"),
            item(4, "WRONG_NUMBER"),
            item(5, "SUCCESS"),
            item(15, "IN_WORK"),
            item(6, "IN_WORK"),
            item(7, "LEGACY"),
            item(8, "NO_ANSWER"),
        ];
        let p = Progress::compute(&items, &statuses(), 3, &[contact(15)]);
        assert_eq!((p.total, p.done, p.remaining), (9, 7, 2));
        let bars: Vec<(&str, Option<&str>, u32)> = p
            .bars
            .iter()
            .map(|b| (b.status_id.as_str(), b.name.as_deref(), b.count))
            .collect();
        assert_eq!(
            bars,
            vec![
                ("IN_WORK", Some("In Progress"), 2),
                ("SUCCESS", Some("Successful"), 2),
                ("WRONG_NUMBER", Some("Wrong Number"), 1),
                ("STOP_CALLING", Some("Do Not Call Again"), 0),
                ("CALLBACK", Some("Call back later"), 1),
                ("NO_ANSWER", None, 2),
                ("LEGACY", None, 1),
            ]
        );
        assert_eq!(p.bars.iter().map(|b| b.count).sum::<u32>(), p.total);
        assert_eq!(
            p.position,
            Some(Position {
                place: 6,
                of: 9,
                status: "IN_WORK".into()
            })
        );
        // Not in the list; no statuses known at all.
        let p = Progress::compute(&items, &[], 3, &[contact(99)]);
        assert_eq!(p.position, None);
        assert_eq!(p.bars.len(), 6);
        assert_eq!(p.bars[0].status_id, "SUCCESS");
        // Empty list.
        let p = Progress::compute(&[], &statuses(), 3, &[contact(1)]);
        assert_eq!((p.total, p.done, p.remaining, p.bars.len()), (0, 0, 0, 5));
    }

    #[test]
    fn progress_of_ten_thousand_items() {
        let codes = ["SUCCESS", "IN_WORK", "WRONG_NUMBER", "CALLBACK", "GONE"];
        let items: Vec<ListItem> = (0..10_000u64)
            .map(|i| item(100 + i, codes[(i * 7 % 13 % 5) as usize]))
            .collect();
        let st = statuses();
        let t = std::time::Instant::now();
        let mut p = Progress::default();
        for _ in 0..10 {
            p = Progress::compute(&items, &st, 3, &[contact(100 + 9_998)]);
        }
        let per_run = t.elapsed() / 10;
        assert_eq!(p.total, 10_000);
        assert_eq!(p.bars.iter().map(|b| b.count).sum::<u32>(), 10_000);
        let in_work = items.iter().filter(|i| i.status == IN_WORK).count() as u32;
        assert_eq!((p.remaining, p.done), (in_work, 10_000 - in_work));
        assert_eq!(p.position.as_ref().map(|x| x.place), Some(9_999));
        assert_eq!(p.bars.last().map(|b| b.status_id.as_str()), Some("GONE"));
        // Generous even for an unoptimised debug build on a busy machine.
        assert!(per_run.as_millis() < 200, "{per_run:?}");
        // The full-set helpers scale too.
        let t = std::time::Instant::now();
        let added = with_client_added(&items, 5);
        assert_eq!(added.len(), 10_001);
        assert!(took_effect_update(&added, &{
            let mut v = items.clone();
            v.push(item(5, "IN_WORK"));
            v
        }));
        assert!(t.elapsed().as_millis() < 500);
    }
}
