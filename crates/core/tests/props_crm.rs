//! Property tests of the client's decoders (issues 9, 11): `crm.item.*`, `user.get`,
//! `crm.status.list` and the stage cache, and `crm.duplicate.findbycomm`.
//!
//! The generators and the properties are described in `common/mod.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Number, Value, json};

use callcard_core::client::{
    CrmItem, Money, Person, Phone, StageBook, decode_item, decode_item_get, decode_item_list,
    decode_users,
};
use callcard_core::model::{EntityKind, EntityRef};
use callcard_core::refresh::{STAGE_CACHE_TTL_MS, stage_cache_read, stage_cache_value};

use common::*;

// ---------------------------------------------------------------------------------------------
// crm.item.*, user.get, crm.status.list, the stage cache
// ---------------------------------------------------------------------------------------------

fn amount_kind(k: EntityKind) -> bool {
    matches!(
        k,
        EntityKind::Deal
            | EntityKind::Lead
            | EntityKind::Quote
            | EntityKind::SmartInvoice
            | EntityKind::Dynamic(_)
    )
}

impl Dice {
    /// An item of `kind` as `crm.item.*` sends it, and what it means.
    fn item(&mut self, kind: EntityKind) -> (CrmItem, Value) {
        let mut o = Map::new();
        self.extra_keys(&mut o);
        let id = self.id();
        o.insert("id".into(), self.spell_u64(id, false));
        let text = |d: &mut Dice, o: &mut Map<String, Value>, key: &str| -> Option<String> {
            if d.chance(60) {
                let t = d.meaningful_text(&[]);
                o.insert(key.into(), d.spell_text(&t));
                Some(t)
            } else {
                d.put(o, key, None);
                None
            }
        };
        let parts: Vec<String> = ["name", "secondName", "lastName"]
            .iter()
            .filter_map(|k| text(self, &mut o, k))
            .collect();
        let title = text(self, &mut o, "title");
        let post = text(self, &mut o, "post");
        let company_title = text(self, &mut o, "companyTitle");
        let stage_id = text(self, &mut o, "stageId");
        let num = |d: &mut Dice, o: &mut Map<String, Value>, key: &str, zero_is_none: bool| match d
            .pick(3)
        {
            0 => {
                let n = d.id();
                o.insert(key.into(), d.spell_u64(n, false));
                Some(n)
            }
            1 => {
                o.insert(key.into(), d.spell_u64(0, false));
                (!zero_is_none).then_some(0)
            }
            _ => {
                d.put(o, key, None);
                None
            }
        };
        let company_id = num(self, &mut o, "companyId", true);
        let assigned_by = num(self, &mut o, "assignedById", true);
        let category_id = num(self, &mut o, "categoryId", false);
        // Phones in `fm`, among e-mails and entries that are no phone at all.
        let mut phones = Vec::new();
        let mut fm = Vec::new();
        for _ in 0..self.pick(4) {
            match self.pick(4) {
                0 | 1 => {
                    let value = self.meaningful_text(&[]);
                    let kind = self.chance(70).then(|| self.meaningful_text(&[]));
                    let mut e = json!({"typeId": "PHONE", "value": self.spell_text(&value), "id": self.spell_new_id(false)});
                    if let Some(k) = &kind {
                        e["valueType"] = json!(k);
                    }
                    phones.push(Phone { value, kind });
                    fm.push(e);
                }
                2 => fm.push(json!({"typeId": "EMAIL", "value": "a@b.c", "valueType": "WORK"})),
                _ => fm.push(match self.pick(3) {
                    0 => self.leaf(),
                    1 => json!({"typeId": ["PHONE"], "value": "+1"}),
                    _ => json!({"typeId": "PHONE", "value": {"x": 1}}),
                }),
            }
        }
        if !fm.is_empty() || self.chance(50) {
            o.insert("fm".into(), Value::Array(fm));
        } else if self.chance(50) {
            o.insert("fm".into(), json!({}));
        }
        // An amount: cents, spelled as a number, a decimal text or a comma decimal.
        let mut amount = None;
        if self.chance(50) {
            let cents = self.raw_u64() % 100_000_000_000;
            let value = cents as f64 / 100.0;
            let currency = self.meaningful_text(&[]);
            let spelled = match self.pick(3) {
                0 => Value::Number(Number::from_f64(value).unwrap()),
                1 => json!(format!("{}.{:02}", cents / 100, cents % 100)),
                _ => json!(format!("{},{:02}", cents / 100, cents % 100)),
            };
            o.insert("opportunity".into(), spelled);
            o.insert("currencyId".into(), self.spell_text(&currency));
            if amount_kind(kind) {
                amount = Some(Money {
                    amount: value,
                    currency,
                });
            }
        }
        let item = CrmItem {
            entity: EntityRef::new(kind, id),
            person_name: (!parts.is_empty()).then(|| parts.join(" ")),
            title,
            post,
            company_id,
            company_title,
            assigned_by,
            phones,
            stage_id,
            category_id,
            amount,
        };
        (item, Value::Object(o))
    }

    /// An item row no list may keep: not an object, or without a readable id.
    fn garbage_item(&mut self) -> Value {
        match self.pick(5) {
            0 => self.leaf(),
            1 => json!({"title": "no id"}),
            2 => json!({"id": "abc", "title": "bad id"}),
            3 => json!({"id": 0}),
            _ => json!({"id": -4}),
        }
    }
}

/// What [`decode_item`] reads back to `item` (camelCase, one name field, phones in `fm`).
fn encode_item(item: &CrmItem) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(item.entity.id));
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            o.insert(k.into(), json!(v));
        }
    };
    put("name", &item.person_name);
    put("title", &item.title);
    put("post", &item.post);
    put("companyTitle", &item.company_title);
    put("stageId", &item.stage_id);
    if let Some(m) = &item.amount {
        o.insert("opportunity".into(), json!(m.amount));
        o.insert("currencyId".into(), json!(m.currency));
    }
    for (k, v) in [
        ("companyId", item.company_id),
        ("assignedById", item.assigned_by),
        ("categoryId", item.category_id),
    ] {
        if let Some(v) = v {
            o.insert(k.into(), json!(v));
        }
    }
    let fm: Vec<Value> = item
        .phones
        .iter()
        .map(|p| json!({"typeId": "PHONE", "value": p.value, "valueType": p.kind}))
        .collect();
    o.insert("fm".into(), Value::Array(fm));
    Value::Object(o)
}

#[test]
fn crm_items_decode_to_the_intended_meaning() {
    check("crm_item_intended", 300, dice(), |mut d| {
        let kind = d.known_kind();
        let (want, v) = d.item(kind);
        let got = decode_item_get(kind, &json!({ "item": v }))
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(decode_item(kind, &encode_item(&got)), Ok(got));
        // A list: the readable items, in order; garbage rows skipped.
        let mut rows = Vec::new();
        let mut wanted = Vec::new();
        for _ in 0..d.pick(6) {
            if d.chance(70) {
                let (i, v) = d.item(kind);
                wanted.push(i);
                rows.push(v);
            } else {
                rows.push(d.garbage_item());
            }
        }
        let result = if rows.is_empty() && d.chance(50) {
            json!({"items": {}})
        } else {
            json!({ "items": rows, "total": rows.len() })
        };
        prop_assert_eq!(decode_item_list(kind, &result), Ok(wanted));
        Ok(())
    });
}

#[test]
fn any_crm_item_never_panics_and_round_trips() {
    check("crm_item_any", 200, dice(), |mut d| {
        let kind = d.known_kind();
        let mut o = Map::new();
        for k in [
            "id",
            "name",
            "secondName",
            "lastName",
            "title",
            "post",
            "companyId",
            "companyTitle",
            "assignedById",
            "fm",
            "phone",
            "stageId",
            "categoryId",
            "opportunity",
            "currencyId",
        ] {
            if d.chance(40) {
                let g = d.garbage(3);
                o.insert(k.into(), g);
            }
        }
        if d.chance(50) {
            o.insert("id".into(), json!(d.id()));
        }
        if let Ok(item) = decode_item(kind, &Value::Object(o)) {
            prop_assert_eq!(decode_item(kind, &encode_item(&item)), Ok(item));
        }
        let _ = decode_item_get(kind, &d.garbage(3));
        let _ = decode_item_list(kind, &d.garbage(3));
        let _ = decode_users(&d.garbage(3));
        let _ = StageBook::decode(&d.garbage(3));
        Ok(())
    });
}

#[test]
fn users_decode_to_the_intended_meaning() {
    check("users_intended", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want = Vec::new();
        for _ in 0..d.pick(6) {
            if d.chance(25) {
                rows.push(match d.pick(5) {
                    0 => d.leaf(),
                    1 => json!({"NAME": "no id"}),
                    2 => json!({"ID": "abc", "NAME": "bad id"}),
                    3 => json!({"ID": 5, "NAME": ["not", "text"]}),
                    _ => json!({"ID": ""}),
                });
                continue;
            }
            let id = d.id();
            let mut o = Map::new();
            o.insert("ID".into(), d.spell_u64(id, true));
            let mut parts = Vec::new();
            for k in ["NAME", "LAST_NAME"] {
                if d.chance(60) {
                    let t = d.meaningful_text(&[]);
                    o.insert(k.into(), d.spell_text(&t));
                    parts.push(t);
                } else {
                    d.put(&mut o, k, None);
                }
            }
            let email = d.chance(50).then(|| d.meaningful_text(&[]));
            if let Some(e) = &email {
                o.insert("EMAIL".into(), json!(e));
            }
            let position = d.chance(50).then(|| d.meaningful_text(&[]));
            match &position {
                Some(p) => {
                    o.insert("WORK_POSITION".into(), d.spell_text(p));
                }
                None => d.put(&mut o, "WORK_POSITION", None),
            }
            let name = if parts.is_empty() {
                email.unwrap_or_else(|| format!("#{id}"))
            } else {
                parts.join(" ")
            };
            want.push(Person { id, name, position });
            rows.push(Value::Object(o));
        }
        let result = if rows.is_empty() && d.chance(50) {
            json!({})
        } else {
            Value::Array(rows)
        };
        prop_assert_eq!(decode_users(&result), Ok(want));
        Ok(())
    });
}

#[test]
fn stages_decode_and_their_cache_round_trips() {
    check("stages_and_cache", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want: Vec<(String, String, String, &str)> = Vec::new();
        for _ in 0..d.pick(8) {
            if d.chance(20) {
                rows.push(match d.pick(5) {
                    0 => d.leaf(),
                    1 => json!({"STATUS_ID": "NEW"}),
                    2 => json!({"ENTITY_ID": {"a": 1}, "STATUS_ID": "NEW"}),
                    3 => json!({"ENTITY_ID": "STATUS", "STATUS_ID": "NEW", "NAME": [1]}),
                    _ => json!({"ENTITY_ID": "STATUS", "STATUS_ID": ""}),
                });
                continue;
            }
            let dir = d
                .one(&[
                    "STATUS",
                    "DEAL_STAGE",
                    "DEAL_STAGE_3",
                    "QUOTE_STATUS",
                    "DYNAMIC_128_STAGE_0",
                ])
                .to_string();
            let code = d.meaningful_text(&[]);
            let name = d.chance(80).then(|| d.meaningful_text(&[]));
            let (sem_word, sem) = *d.one(&[
                ("S", "success"),
                ("success", "success"),
                ("F", "failure"),
                ("FAILURE", "failure"),
                ("P", "process"),
                ("", "process"),
                ("whatever", "process"),
            ]);
            let mut o = json!({"ENTITY_ID": d.spell_text(&dir), "STATUS_ID": d.spell_text(&code)});
            if let Some(n) = &name {
                o["NAME"] = json!(n);
            }
            if !sem_word.is_empty() {
                if d.chance(50) {
                    o["EXTRA"] = json!({"SEMANTICS": sem_word, "COLOR": "#fff"});
                } else {
                    o["SEMANTICS"] = json!(sem_word);
                }
            }
            rows.push(o);
            let name = name.unwrap_or_else(|| code.clone());
            // A later row with the same directory and code replaces the earlier one.
            want.retain(|(dd, c, _, _)| !(dd == &dir && c == &code));
            want.push((dir, code, name, sem));
        }
        let book = StageBook::decode(&Value::Array(rows))
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(book.len(), want.len());
        for (dir, code, name, sem) in &want {
            let s = book.get(dir, code);
            prop_assert!(s.is_some(), "{dir} {code}");
            let s = s.unwrap();
            prop_assert_eq!(&s.name, name);
            prop_assert_eq!(s.semantic.as_str(), *sem);
        }
        // The stored form reads back to the same book, while it is fresh.
        prop_assert_eq!(&StageBook::from_cache(&book.to_cache()), &book);
        let at = (d.raw_u64() % (1u64 << 45)) as f64;
        let age = (d.raw_u64() % (STAGE_CACHE_TTL_MS as u64)) as f64;
        let stored = stage_cache_value(&book, at);
        let stored = serde_json::from_str::<Value>(&stored.to_string()).unwrap();
        prop_assert_eq!(&stage_cache_read(&stored, at + age), &book);
        prop_assert!(stage_cache_read(&stored, at + STAGE_CACHE_TTL_MS + 1.0).is_empty());
        prop_assert!(stage_cache_read(&stored, at - 1.0).is_empty());
        // Stored garbage: an empty book or a partial one, never a panic.
        let _ = stage_cache_read(&d.garbage(4), at);
        let _ = StageBook::from_cache(&d.garbage(4));
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Issue 11: crm.duplicate.findbycomm
// ---------------------------------------------------------------------------------------------

#[test]
fn findbycomm_decodes_to_the_intended_meaning() {
    use callcard_core::refresh::decode_findbycomm;
    check("findbycomm", 300, dice(), |mut d| {
        let kinds = [EntityKind::Contact, EntityKind::Company, EntityKind::Lead];
        let mut map = Map::new();
        let mut want: Vec<EntityRef> = Vec::new();
        let mut per_kind: Vec<(EntityKind, Vec<u64>)> = Vec::new();
        for k in kinds {
            if d.chance(40) {
                continue;
            }
            let mut ids = Vec::new();
            let mut spelled = Vec::new();
            for _ in 0..1 + d.pick(5) {
                if d.chance(15) {
                    spelled.push(match d.pick(3) {
                        0 => json!(0),
                        1 => d.none().unwrap_or(Value::Null),
                        _ => json!("x"),
                    });
                    continue;
                }
                // Repeats come back once.
                let id = if !ids.is_empty() && d.chance(15) {
                    ids[0]
                } else {
                    d.id()
                };
                spelled.push(d.spell_u64_any(id));
                ids.push(id);
            }
            let name = if d.chance(20) {
                k.name().to_ascii_lowercase()
            } else {
                k.name()
            };
            // A PHP map with numeric keys now and then.
            let list = if d.chance(20) {
                Value::Object(
                    spelled
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (i.to_string(), v))
                        .collect(),
                )
            } else {
                Value::Array(spelled)
            };
            map.insert(name, list);
            per_kind.push((k, ids));
        }
        if d.chance(30) {
            map.insert("DEAL".into(), json!([1, 2]));
        }
        for (k, ids) in per_kind {
            for id in ids {
                let e = EntityRef::new(k, id);
                if !want.contains(&e) {
                    want.push(e);
                }
            }
        }
        let value = if map.is_empty() && d.chance(50) {
            json!([])
        } else {
            Value::Object(map)
        };
        let got = decode_findbycomm(&value).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(got, want);
        // Anything at all: no panic; a map (or PHP's empty-map list) always decodes.
        let g = d.garbage(4);
        let r = decode_findbycomm(&g);
        prop_assert_eq!(r.is_ok(), g.is_array() || g.is_object());
        Ok(())
    });
}
