//! The client on the line, as the card shows it: CRM records and their bindings, decoded from
//! `crm.item.*` and `user.get`, and the stage book from `crm.status.list`. The app's side is
//! `src/client/`.

use serde_json::{Map, Value};

use crate::model::entity::{EntityKind, EntityRef};
use crate::model::value::{DecodeError, as_list, as_object, opt_array, opt_f64, opt_text, opt_u64};

/// A phone of a CRM record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub value: String,
    /// `WORK`, `MOBILE`, `HOME`, … as the portal sends it.
    pub kind: Option<String>,
}

/// A portal user (the responsible person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: u64,
    pub name: String,
    pub position: Option<String>,
}

/// A stage or status, with its name from the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub id: String,
    pub name: String,
    pub semantic: Semantic,
}

/// Where a stage stands: in progress, won, lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Semantic {
    #[default]
    Process,
    Success,
    Failure,
}

impl Semantic {
    fn parse(s: &str) -> Semantic {
        match s.trim().to_ascii_uppercase().as_str() {
            "S" | "SUCCESS" => Semantic::Success,
            "F" | "FAILURE" => Semantic::Failure,
            _ => Semantic::Process,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Semantic::Process => "process",
            Semantic::Success => "success",
            Semantic::Failure => "failure",
        }
    }
}

/// An amount of money with its currency code.
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

/// One CRM item, normalised across types. Fields a type does not have are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmItem {
    pub entity: EntityRef,
    /// Contact/lead person name parts, joined.
    pub person_name: Option<String>,
    pub title: Option<String>,
    pub post: Option<String>,
    pub company_id: Option<u64>,
    pub company_title: Option<String>,
    pub assigned_by: Option<u64>,
    pub phones: Vec<Phone>,
    pub stage_id: Option<String>,
    pub category_id: Option<u64>,
    pub amount: Option<Money>,
}

impl CrmItem {
    /// The name a person would use: a contact's full name; a lead's title or person; a title.
    pub fn display_name(&self) -> Option<String> {
        match self.entity.kind {
            EntityKind::Contact => self.person_name.clone().or_else(|| self.title.clone()),
            EntityKind::Lead => self.title.clone().or_else(|| self.person_name.clone()),
            _ => self.title.clone().or_else(|| self.person_name.clone()),
        }
    }

    /// The stage directory (`ENTITY_ID` of `crm.status.list`) this item's `stage_id` belongs to.
    pub fn stage_directory(&self) -> Option<String> {
        match self.entity.kind {
            EntityKind::Lead => Some("STATUS".into()),
            EntityKind::Deal => Some(match self.category_id.unwrap_or(0) {
                0 => "DEAL_STAGE".into(),
                n => format!("DEAL_STAGE_{n}"),
            }),
            EntityKind::Quote => Some("QUOTE_STATUS".into()),
            EntityKind::SmartInvoice => Some(format!(
                "SMART_INVOICE_STAGE_{}",
                self.category_id.unwrap_or(0)
            )),
            EntityKind::Dynamic(t) => Some(format!(
                "DYNAMIC_{t}_STAGE_{}",
                self.category_id.unwrap_or(0)
            )),
            _ => None,
        }
    }
}

fn join_name(o: &Map<String, Value>, keys: &[&str]) -> Result<Option<String>, DecodeError> {
    let mut parts = Vec::new();
    for k in keys {
        if let Some(p) = opt_text(o, k)? {
            parts.push(p);
        }
    }
    Ok(if parts.is_empty() {
        None
    } else {
        Some(parts.join(" "))
    })
}

/// Decodes one `crm.item.*` item (camelCase) of a known type.
pub fn decode_item(kind: EntityKind, v: &Value) -> Result<CrmItem, DecodeError> {
    let o = as_object(v)?;
    // Id 0 names no item (regression, found by crates/core/tests/props_*.rs: `{"id": 0}` was an item).
    let id = opt_u64(o, "id")?
        .filter(|id| *id > 0)
        .ok_or(DecodeError::Field {
            field: "item.id".into(),
            expected: "id",
            got: "nothing".into(),
        })?;
    let mut phones = Vec::new();
    // A multifield entry that cannot be read is skipped, not fatal for the item (regression,
    // found by crates/core/tests/props_*.rs: `{"typeId": ["PHONE"]}` made the whole client unreadable).
    for f in opt_array(o, "fm")? {
        let Some(fo) = f.as_object() else { continue };
        if opt_text(fo, "typeId").ok().flatten().as_deref() == Some("PHONE")
            && let Ok(Some(value)) = opt_text(fo, "value")
        {
            phones.push(Phone {
                value,
                kind: opt_text(fo, "valueType").ok().flatten(),
            });
        }
    }
    if phones.is_empty()
        && let Some(value) = opt_text(o, "phone")?
    {
        phones.push(Phone { value, kind: None });
    }
    let amount = match (opt_f64(o, "opportunity")?, opt_text(o, "currencyId")?) {
        (Some(amount), Some(currency))
            if matches!(
                kind,
                EntityKind::Deal
                    | EntityKind::Lead
                    | EntityKind::Quote
                    | EntityKind::SmartInvoice
                    | EntityKind::Dynamic(_)
            ) =>
        {
            Some(Money { amount, currency })
        }
        _ => None,
    };
    Ok(CrmItem {
        entity: EntityRef::new(kind, id),
        person_name: join_name(o, &["name", "secondName", "lastName"])?,
        title: opt_text(o, "title")?,
        post: opt_text(o, "post")?,
        company_id: opt_u64(o, "companyId")?.filter(|c| *c > 0),
        company_title: opt_text(o, "companyTitle")?,
        assigned_by: opt_u64(o, "assignedById")?.filter(|c| *c > 0),
        phones,
        stage_id: opt_text(o, "stageId")?,
        category_id: opt_u64(o, "categoryId")?,
        amount,
    })
}

/// Decodes `crm.item.get`'s result `{item: {...}}`.
pub fn decode_item_get(kind: EntityKind, result: &Value) -> Result<CrmItem, DecodeError> {
    let o = as_object(result)?;
    decode_item(kind, o.get("item").unwrap_or(&Value::Null))
}

/// Decodes `crm.item.list`'s result `{items: [...]}`; unreadable items are skipped, not fatal.
pub fn decode_item_list(kind: EntityKind, result: &Value) -> Result<Vec<CrmItem>, DecodeError> {
    let o = as_object(result)?;
    Ok(opt_array(o, "items")?
        .iter()
        .filter_map(|i| decode_item(kind, i).ok())
        .collect())
}

/// Decodes `user.get`'s array of users (old-style UPPER_CASE, string ids). A row that cannot be
/// read is skipped, not fatal for the others (regression, found by crates/core/tests/props_*.rs: one row with
/// `ID: "abc"` or a `NAME` array lost every user's name).
pub fn decode_users(result: &Value) -> Result<Vec<Person>, DecodeError> {
    let arr = as_list(result, "array of users")?;
    Ok(arr
        .iter()
        .filter_map(|u| decode_user(u).ok().flatten())
        .collect())
}

fn decode_user(u: &Value) -> Result<Option<Person>, DecodeError> {
    let Some(o) = u.as_object() else {
        return Ok(None);
    };
    let Some(id) = opt_u64(o, "ID")? else {
        return Ok(None);
    };
    let name = join_name(o, &["NAME", "LAST_NAME"])?
        .or(opt_text(o, "EMAIL")?)
        .unwrap_or_else(|| format!("#{id}"));
    Ok(Some(Person {
        id,
        name,
        position: opt_text(o, "WORK_POSITION")?,
    }))
}

/// Stage and status names by directory and code, from `crm.status.list`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageBook {
    /// `(directory, stage)`: a few hundred rows at most, looked up a few times per refresh.
    entries: Vec<(String, Stage)>,
}

impl StageBook {
    /// Decodes `crm.status.list`'s array. A row that cannot be read is skipped, not fatal for
    /// the directory (regression, found by crates/core/tests/props_*.rs: one row with an object `ENTITY_ID`
    /// or an array `NAME` lost every stage name).
    pub fn decode(result: &Value) -> Result<StageBook, DecodeError> {
        let arr = as_list(result, "array of statuses")?;
        let mut book = StageBook::default();
        for s in arr {
            if let Ok(Some((dir, stage))) = Self::decode_row(s) {
                book.insert(dir, stage);
            }
        }
        Ok(book)
    }

    fn decode_row(s: &Value) -> Result<Option<(String, Stage)>, DecodeError> {
        let Some(o) = s.as_object() else {
            return Ok(None);
        };
        let (Some(dir), Some(code)) = (opt_text(o, "ENTITY_ID")?, opt_text(o, "STATUS_ID")?) else {
            return Ok(None);
        };
        let name = opt_text(o, "NAME")?.unwrap_or_else(|| code.clone());
        let semantic = match o.get("EXTRA").and_then(|e| e.as_object()) {
            Some(extra) => opt_text(extra, "SEMANTICS")?,
            None => None,
        }
        .or(opt_text(o, "SEMANTICS")?)
        .map(|s| Semantic::parse(&s))
        .unwrap_or_default();
        Ok(Some((
            dir,
            Stage {
                id: code,
                name,
                semantic,
            },
        )))
    }

    fn insert(&mut self, directory: String, stage: Stage) {
        match self
            .entries
            .iter_mut()
            .find(|(d, s)| *d == directory && s.id == stage.id)
        {
            Some(slot) => slot.1 = stage,
            None => self.entries.push((directory, stage)),
        }
    }

    pub fn get(&self, directory: &str, code: &str) -> Option<&Stage> {
        self.entries
            .iter()
            .find(|(d, s)| d == directory && s.id == code)
            .map(|(_, s)| s)
    }

    /// The stage of an item, when the item has one and the book knows it.
    pub fn stage_of(&self, item: &CrmItem) -> Option<Stage> {
        let code = item.stage_id.as_deref()?;
        self.get(&item.stage_directory()?, code).cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The compact form kept across frame reloads: `[[dir, code, name, semantic], …]`.
    pub fn to_cache(&self) -> Value {
        Value::Array(
            self.entries
                .iter()
                .map(|(dir, s)| serde_json::json!([dir, s.id, s.name, s.semantic.as_str()]))
                .collect(),
        )
    }

    /// Reads [`StageBook::to_cache`]'s output; anything malformed gives an empty book.
    pub fn from_cache(v: &Value) -> StageBook {
        let mut book = StageBook::default();
        for row in v.as_array().map(|a| a.as_slice()).unwrap_or(&[]) {
            let cols: Vec<&str> = row
                .as_array()
                .map(|r| r.iter().filter_map(|c| c.as_str()).collect())
                .unwrap_or_default();
            if let [dir, code, name, sem] = cols[..] {
                book.insert(
                    dir.to_string(),
                    Stage {
                        id: code.to_string(),
                        name: name.to_string(),
                        semantic: Semantic::parse(sem),
                    },
                );
            }
        }
        book
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Regression (found by crates/core/tests/props_*.rs): one unreadable row or multifield entry made the
    /// whole user list, stage directory or item unreadable.
    #[test]
    fn one_bad_row_is_skipped_not_fatal() {
        let users = decode_users(&json!([{"ID": "abc"}, {"ID": 5, "NAME": ["x"]},
            {"ID": "7", "NAME": "Ivan", "LAST_NAME": "Orlov"}]))
        .unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].name, "Ivan Orlov");
        let book = StageBook::decode(&json!([{"ENTITY_ID": {"a": 1}, "STATUS_ID": "NEW"},
            {"ENTITY_ID": "STATUS", "STATUS_ID": "NEW", "NAME": [1]},
            {"ENTITY_ID": "STATUS", "STATUS_ID": "JUNK", "NAME": "Junk"}]))
        .unwrap();
        assert_eq!(book.len(), 1);
        assert_eq!(book.get("STATUS", "JUNK").unwrap().name, "Junk");
        let item = decode_item(
            EntityKind::Contact,
            &json!({"id": 1, "fm": [{"typeId": ["PHONE"], "value": "+1"},
                {"typeId": "PHONE", "value": {"x": 1}}, {"typeId": "PHONE", "value": "+2", "valueType": [1]}]}),
        )
        .unwrap();
        assert_eq!(
            item.phones,
            vec![Phone {
                value: "+2".into(),
                kind: None
            }]
        );
    }

    /// Regression (found by crates/core/tests/props_*.rs): a row with id 0 was kept as an item.
    #[test]
    fn an_item_with_id_zero_is_no_item() {
        assert!(decode_item(EntityKind::Deal, &json!({"id": 0, "title": "x"})).is_err());
        assert!(decode_item(EntityKind::Deal, &json!({"id": "0"})).is_err());
        let list = decode_item_list(
            EntityKind::Deal,
            &json!({"items": [{"id": 0}, {"id": "7", "title": "Seven"}]}),
        )
        .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].entity.id, 7);
    }

    #[test]
    fn contact_from_item_get() {
        let r = json!({"item": {"id": 797, "name": "Anna", "secondName": "", "lastName": "Petrova", "post": "CFO",
            "companyId": 643, "assignedById": 5,
            "fm": [{"id": 1, "typeId": "PHONE", "valueType": "MOBILE", "value": "+79161234567"},
                   {"id": 2, "typeId": "EMAIL", "valueType": "WORK", "value": "a@b.c"}]}});
        let c = decode_item_get(EntityKind::Contact, &r).unwrap();
        assert_eq!(c.display_name().as_deref(), Some("Anna Petrova"));
        assert_eq!(c.company_id, Some(643));
        assert_eq!(c.assigned_by, Some(5));
        assert_eq!(
            c.phones,
            vec![Phone {
                value: "+79161234567".into(),
                kind: Some("MOBILE".into())
            }]
        );
        assert_eq!(c.amount, None);
    }

    #[test]
    fn deal_with_string_amount_and_category() {
        let r = json!({"items": [{"id": "25", "title": "Supply", "stageId": "C1:NEW", "categoryId": "1",
            "opportunity": "125000.50", "currencyId": "RUB"}, {"noid": true}]});
        let d = decode_item_list(EntityKind::Deal, &r).unwrap();
        assert_eq!(d.len(), 1, "an unreadable item is skipped");
        assert_eq!(
            d[0].amount,
            Some(Money {
                amount: 125000.5,
                currency: "RUB".into()
            })
        );
        assert_eq!(d[0].stage_directory().as_deref(), Some("DEAL_STAGE_1"));
    }

    #[test]
    fn users_and_stages() {
        let u = decode_users(
            &json!([{"ID": "5", "NAME": "Ivan", "LAST_NAME": "Orlov", "WORK_POSITION": "Manager"}]),
        )
        .unwrap();
        assert_eq!(
            u,
            vec![Person {
                id: 5,
                name: "Ivan Orlov".into(),
                position: Some("Manager".into())
            }]
        );
        assert!(decode_users(&json!({})).unwrap().is_empty());
        assert!(decode_users(&json!("x")).is_err());
        let b = StageBook::decode(&json!([
            {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "WON", "NAME": "Won", "EXTRA": {"SEMANTICS": "success"}},
            {"ENTITY_ID": "STATUS", "STATUS_ID": "JUNK", "NAME": "Junk", "SEMANTICS": "F"},
            {"ENTITY_ID": "STATUS", "STATUS_ID": "NEW", "NAME": "New", "SEMANTICS": null}
        ]))
        .unwrap();
        assert_eq!(
            b.get("DEAL_STAGE", "WON").unwrap().semantic,
            Semantic::Success
        );
        assert_eq!(b.get("STATUS", "JUNK").unwrap().semantic, Semantic::Failure);
        assert_eq!(b.get("STATUS", "NEW").unwrap().semantic, Semantic::Process);
        assert_eq!(StageBook::from_cache(&b.to_cache()), b);
        assert!(StageBook::from_cache(&json!("garbage")).is_empty());
    }

    #[test]
    fn item_without_id_is_an_error() {
        assert!(decode_item_get(EntityKind::Contact, &json!({"item": {"name": "x"}})).is_err());
        assert!(decode_item_get(EntityKind::Contact, &json!([])).is_err());
    }
}
