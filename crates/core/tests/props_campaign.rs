//! Property tests of the campaign's decoders (issues 9, 12): call-list answers, the stored
//! list choice and the call-list page cache.
//!
//! The generators and the properties are described in `common/mod.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

use callcard_core::campaign::{
    self, CallList, ListItem, ListStatus, decode_added, decode_choice, decode_items, decode_lists,
    decode_open_activity_lists, decode_statuses, encode_choice,
};

use common::*;

// ---------------------------------------------------------------------------------------------
// Call lists (`campaign.rs` decoders) and the stored choice
// ---------------------------------------------------------------------------------------------

#[test]
fn call_list_answers_decode_to_the_intended_meaning() {
    check("calllist_answers", 300, dice(), |mut d| {
        // crm.calllist.list
        let mut rows = Vec::new();
        let mut lists = Vec::new();
        for _ in 0..d.pick(6) {
            if d.chance(25) {
                rows.push(match d.pick(4) {
                    0 => d.leaf(),
                    1 => json!({"ENTITY_TYPE_ID": 3}),
                    2 => json!({"ID": "0", "ENTITY_TYPE_ID": 3}),
                    _ => json!({"ID": 5, "ENTITY_TYPE_ID": "x"}),
                });
                continue;
            }
            let id = d.id();
            let type_id = *d.one(&[1u64, 2, 3, 4, 5, 7]);
            let entity_type = d.chance(50).then(|| d.meaningful_text(&[]));
            let created = if d.chance(80) {
                d.meaningful_text(&[])
            } else {
                String::new()
            };
            let created_by = d.chance(70).then(|| d.id());
            let webform = d.chance(30).then(|| d.id());
            let mut o = Map::new();
            o.insert("ID".into(), d.spell_u64(id, true));
            o.insert("ENTITY_TYPE_ID".into(), d.spell_u64_any(type_id));
            if let Some(t) = &entity_type {
                o.insert("ENTITY_TYPE".into(), d.spell_text(t));
            }
            if created.is_empty() {
                d.put(&mut o, "DATE_CREATE", None);
            } else {
                o.insert("DATE_CREATE".into(), json!(created));
            }
            for (k, v) in [("CREATED_BY_ID", created_by), ("WEBFORM_ID", webform)] {
                match v {
                    Some(n) => {
                        o.insert(k.into(), d.spell_u64(n, true));
                    }
                    None => {
                        let zero = d.chance(50).then(|| json!("0"));
                        d.put(&mut o, k, zero);
                    }
                }
            }
            d.extra_keys(&mut o);
            rows.push(Value::Object(o));
            lists.push(CallList {
                id,
                entity_type_id: type_id,
                entity_type,
                created,
                created_by,
                webform_id: webform,
            });
        }
        prop_assert_eq!(decode_lists(&Value::Array(rows)), lists);
        // crm.calllist.items.get
        let mut rows = Vec::new();
        let mut items = Vec::new();
        for _ in 0..d.pick(8) {
            if d.chance(25) {
                rows.push(match d.pick(3) {
                    0 => d.leaf(),
                    1 => json!({"ID": 5}),
                    _ => json!({"STATUS": "IN_WORK"}),
                });
                continue;
            }
            let id = d.id();
            let status = d.meaningful_text(&[]);
            let t = d.chance(70).then(|| *d.one(&[3u64, 4, 2]));
            let mut o = json!({"ID": d.spell_u64(id, true), "STATUS": d.spell_text(&status)});
            if let Some(t) = t {
                o["ENTITY_TYPE"] = d.spell_u64(t, true);
            }
            rows.push(o);
            items.push(ListItem {
                entity_id: id,
                status,
                entity_type_id: t.unwrap_or(0),
            });
        }
        let result = if rows.is_empty() && d.chance(50) {
            json!({})
        } else {
            Value::Array(rows)
        };
        prop_assert_eq!(decode_items(&result), items);
        // crm.calllist.statuslist: in SORT order, ties in the portal's order.
        let mut rows = Vec::new();
        let mut statuses: Vec<ListStatus> = Vec::new();
        for _ in 0..d.pick(6) {
            let status_id = d.meaningful_text(&[]);
            let name = d.any_string().trim().to_string();
            let sort = d.chance(90).then(|| (d.pick(5) * 10) as u64);
            let mut o = json!({"STATUS_ID": status_id, "NAME": name});
            if let Some(s) = sort {
                o["SORT"] = d.spell_u64(s, true);
            }
            rows.push(o);
            let name = if name == "undefined" || name == "null" {
                String::new()
            } else {
                name
            };
            statuses.push(ListStatus {
                status_id,
                name,
                sort: sort.unwrap_or(u64::MAX),
            });
        }
        statuses.sort_by_key(|s| s.sort); // stable
        prop_assert_eq!(decode_statuses(&Value::Array(rows)), statuses);
        // crm.calllist.add
        let id = d.id();
        let spelled = d.spell_u64_any(id);
        prop_assert_eq!(decode_added(&spelled), Some(id));
        prop_assert_eq!(decode_added(&json!(0)), None);
        // Garbage everywhere: no panic.
        for _ in 0..3 {
            let g = d.garbage(4);
            let _ = decode_lists(&g);
            let _ = decode_items(&g);
            let _ = decode_statuses(&g);
            let _ = decode_open_activity_lists(&g);
            let _ = decode_added(&g);
            let _ = campaign::decode_list(&g);
        }
        Ok(())
    });
}

#[test]
fn open_call_list_activities_decode_to_the_intended_lists() {
    check("calllist_open_activities", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want: Vec<u64> = Vec::new();
        for _ in 0..d.pick(8) {
            let id = d.pick(20) as u64 + 1;
            let provider = *d.one(&[Some("CALL_LIST"), None, Some("VOXIMPLANT_CALL")]);
            let completed = *d.one(&[Some("Y"), Some("N"), None]);
            let by_owner = d.chance(30);
            let mut o = Map::new();
            if let Some(p) = provider {
                o.insert("PROVIDER_ID".into(), json!(p));
            }
            if let Some(c) = completed {
                o.insert("COMPLETED".into(), json!(c));
            }
            if by_owner {
                o.insert("OWNER_TYPE_ID".into(), d.spell_u64(12, true));
                o.insert("OWNER_ID".into(), d.spell_u64(id, true));
            } else {
                o.insert("ASSOCIATED_ENTITY_ID".into(), d.spell_u64(id, true));
            }
            rows.push(Value::Object(o));
            if provider != Some("VOXIMPLANT_CALL") && completed != Some("Y") && !want.contains(&id)
            {
                want.push(id);
            }
        }
        prop_assert_eq!(decode_open_activity_lists(&Value::Array(rows)), want);
        Ok(())
    });
}

#[test]
fn the_stored_list_choice_round_trips() {
    let s = (1u64..u64::MAX, "[A-Za-z0-9._:-]{0,40}", dice());
    check("calllist_choice", 400, s, |(id, call, mut d)| {
        let c =
            decode_choice(&encode_choice(id, &call)).ok_or_else(|| TestCaseError::fail("none"))?;
        prop_assert_eq!(c.list_id, id);
        prop_assert_eq!(c.call_id, call);
        prop_assert_eq!(decode_choice(&id.to_string()).map(|c| c.list_id), Some(id));
        // Stored garbage: `None` or a list id, never a panic.
        let g = d.any_string();
        if let Some(c) = decode_choice(&g) {
            prop_assert!(c.list_id > 0);
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// The call-list page cache (issue 12): what a refresh re-reads, and when the cache is dropped
// ---------------------------------------------------------------------------------------------

/// A list's pages as the portal sends them: 50 members from `start`, those in `hidden` left out
/// after the cut, `None` for an empty page (`ACCESS_ERROR`), until two empty pages in a row.
fn list_pages(members: &[(u64, &'static str)], hidden: &[u64]) -> Vec<(u64, Option<Value>)> {
    let mut out = Vec::new();
    let (mut start, mut empties) = (0usize, 0);
    while empties < campaign::END_PROBE {
        let rows: Vec<Value> = members
            .iter()
            .skip(start)
            .take(campaign::CALL_LIST_PAGE_ROWS)
            .filter(|(id, _)| !hidden.contains(id))
            .map(|(id, st)| json!({"ID": id, "STATUS": st, "ENTITY_TYPE": "3"}))
            .collect();
        empties = if rows.is_empty() { empties + 1 } else { 0 };
        out.push((
            start as u64,
            (!rows.is_empty()).then_some(Value::Array(rows)),
        ));
        start += campaign::CALL_LIST_PAGE_ROWS;
    }
    out
}

fn pager_of(pages: &[(u64, Option<Value>)]) -> campaign::ItemPages {
    let mut p = campaign::ItemPages::new();
    for (start, v) in pages {
        match v {
            Some(v) => {
                p.feed(*start, v);
            }
            None if *start == 0 => p.no_access(),
            None => {
                p.feed_error(*start, "ACCESS_ERROR");
            }
        }
    }
    p
}

#[test]
fn the_page_cache_takes_statuses_and_never_keeps_another_composition() {
    const ST: [&str; 4] = ["IN_WORK", "SUCCESS", "CALLBACK", "WRONG_NUMBER"];
    check("calllist_cache", 200, dice(), |mut d| {
        let n = d.pick(400) + 1;
        let members: Vec<(u64, &'static str)> =
            (0..n).map(|i| (1_000 + i as u64, *d.one(&ST))).collect();
        let hidden: Vec<u64> = (0..d.pick(4)).map(|_| 1_000 + d.pick(n) as u64).collect();
        let cache = pager_of(&list_pages(&members, &hidden));
        let len = cache.items().len();
        let at = |d: &mut Dice| (len > 0 && d.chance(80)).then(|| d.pick(len));
        let (previous, current) = (at(&mut d), at(&mut d));
        let room = d.pick(20);
        let tick = d.pick(100);
        let Some(starts) = cache.recheck_starts(previous, current, tick, room) else {
            // Only an uncut read is a cache, and only room for the pages that can have changed.
            prop_assert!(!cache.cacheable() || room < 4);
            return Ok(());
        };
        prop_assert!(cache.cacheable());
        prop_assert!(starts.len() <= room);
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), starts.len(), "no page twice");
        prop_assert!(
            starts
                .iter()
                .all(|s| s % campaign::CALL_LIST_PAGE_ROWS as u64 == 0)
        );
        // The portal now: the called client's status set, maybe another change.
        let mut now = members.clone();
        let ids: Vec<u64> = cache.items().iter().map(|i| i.entity_id).collect();
        if let Some(p) = previous {
            let who = ids[p];
            if let Some(m) = now.iter_mut().find(|(id, _)| *id == who) {
                m.1 = "SUCCESS";
            }
        }
        let change = d.pick(5);
        match change {
            0 | 1 => {}
            2 => now.push((9_999, "IN_WORK")),
            3 => {
                let i = d.pick(now.len());
                now.remove(i);
            }
            _ => {
                let i = d.pick(now.len() + 1);
                now.insert(i, (9_998, "IN_WORK"));
            }
        }
        let fresh_pages = list_pages(&now, &hidden);
        let answers: Vec<(u64, campaign::PageAnswer)> = starts
            .iter()
            .map(|s| {
                let a = match fresh_pages.iter().find(|(st, _)| st == s) {
                    Some((_, Some(v))) => campaign::PageAnswer::Rows(v),
                    _ => campaign::PageAnswer::Empty,
                };
                (*s, a)
            })
            .collect();
        let merged = cache.clone().recheck(&answers);
        let fresh = pager_of(&fresh_pages);
        let f: Vec<u64> = fresh.items().iter().map(|i| i.entity_id).collect();
        if f != ids {
            // Members added, removed or inserted: the end moves, the cache is dropped.
            prop_assert!(merged.is_none(), "composition changed, cache kept");
            return Ok(());
        }
        let Some(merged) = merged else {
            // Kept members, another layout (a hidden one removed): dropping is the safe side.
            prop_assert!(change == 3, "statuses only, yet the cache was dropped");
            return Ok(());
        };
        let m: Vec<u64> = merged.items().iter().map(|i| i.entity_id).collect();
        prop_assert_eq!(m, f);
        // Every item on a re-read page has the portal's status now: the called client's too.
        for (i, item) in merged.items().iter().enumerate() {
            let on_reread = starts.iter().any(|s| {
                let (lo, hi) = (*s as usize, *s as usize + campaign::CALL_LIST_PAGE_ROWS);
                // Positions in the portal's order: the item's member index.
                let pos = now
                    .iter()
                    .position(|(id, _)| *id == item.entity_id)
                    .unwrap();
                (lo..hi).contains(&pos)
            });
            if on_reread || previous == Some(i) {
                prop_assert_eq!(&item.status, &fresh.items()[i].status);
            }
        }
        Ok(())
    });
}
