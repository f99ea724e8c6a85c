//! CRM entity types as the call card names them (`CONTACT`) and as REST numbers them (`3`).

use serde_json::Value;

/// A CRM object type. The call card itself only binds leads, deals, contacts and companies, but
/// bindings and call lists can name other types, so they are kept rather than rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Lead,
    Deal,
    Contact,
    Company,
    Invoice,
    Quote,
    SmartInvoice,
    /// A smart process, by its `entityTypeId` (128, 156, …).
    Dynamic(u32),
}

impl EntityKind {
    /// The numeric `entityTypeId` used by `crm.item.*`.
    pub fn type_id(self) -> u32 {
        match self {
            EntityKind::Lead => 1,
            EntityKind::Deal => 2,
            EntityKind::Contact => 3,
            EntityKind::Company => 4,
            EntityKind::Invoice => 5,
            EntityKind::Quote => 7,
            EntityKind::SmartInvoice => 31,
            EntityKind::Dynamic(id) => id,
        }
    }

    /// From the numeric `entityTypeId`.
    pub fn from_type_id(id: u64) -> Option<EntityKind> {
        Some(match id {
            1 => EntityKind::Lead,
            2 => EntityKind::Deal,
            3 => EntityKind::Contact,
            4 => EntityKind::Company,
            5 => EntityKind::Invoice,
            7 => EntityKind::Quote,
            31 => EntityKind::SmartInvoice,
            n if (128..=u32::MAX as u64).contains(&n) => EntityKind::Dynamic(n as u32),
            _ => return None,
        })
    }

    /// The `entityTypeName` the call card uses (`CONTACT`, `DYNAMIC_128`).
    pub fn name(self) -> String {
        match self {
            EntityKind::Lead => "LEAD".into(),
            EntityKind::Deal => "DEAL".into(),
            EntityKind::Contact => "CONTACT".into(),
            EntityKind::Company => "COMPANY".into(),
            EntityKind::Invoice => "INVOICE".into(),
            EntityKind::Quote => "QUOTE".into(),
            EntityKind::SmartInvoice => "SMART_INVOICE".into(),
            EntityKind::Dynamic(id) => format!("DYNAMIC_{id}"),
        }
    }

    /// From the name (case-insensitive), or from a number written as text (`"3"`).
    pub fn from_name(name: &str) -> Option<EntityKind> {
        let n = name.trim().to_ascii_uppercase();
        Some(match n.as_str() {
            "LEAD" => EntityKind::Lead,
            "DEAL" => EntityKind::Deal,
            "CONTACT" => EntityKind::Contact,
            "COMPANY" => EntityKind::Company,
            "INVOICE" => EntityKind::Invoice,
            "QUOTE" => EntityKind::Quote,
            "SMART_INVOICE" => EntityKind::SmartInvoice,
            _ => {
                if let Some(id) = n.strip_prefix("DYNAMIC_") {
                    // Only smart-process ids: `DYNAMIC_3` is no contact, nor `DYNAMIC_5` an invoice.
                    return id
                        .parse::<u64>()
                        .ok()
                        .filter(|id| *id >= 128)
                        .and_then(EntityKind::from_type_id);
                }
                return n.parse::<u64>().ok().and_then(EntityKind::from_type_id);
            }
        })
    }

    /// From a JSON value that may be a name or a number.
    pub fn from_value(v: &Value) -> Option<EntityKind> {
        match v {
            Value::String(s) => EntityKind::from_name(s),
            // `3`, and `3.0` as some JSON encoders write a whole number.
            Value::Number(_) => crate::model::value::value_u64(v)
                .ok()
                .flatten()
                .and_then(EntityKind::from_type_id),
            _ => None,
        }
    }

    /// Whether `crm.item.*` can read items of this type. Old invoices (`5`) have an API of
    /// their own: the card shows them by type and id and asks nothing about them.
    pub fn item_api(self) -> bool {
        !matches!(self, EntityKind::Invoice)
    }

    /// The portal path of an item's card, opened in the slider by `BX24.openPath`.
    /// Leads, deals, contacts and companies have classic paths the slider knows; the rest use the
    /// universal `/crm/type/{id}/details/{n}/`.
    pub fn details_path(self, id: u64) -> String {
        match self {
            EntityKind::Lead => format!("/crm/lead/details/{id}/"),
            EntityKind::Deal => format!("/crm/deal/details/{id}/"),
            EntityKind::Contact => format!("/crm/contact/details/{id}/"),
            EntityKind::Company => format!("/crm/company/details/{id}/"),
            EntityKind::Quote => format!("/crm/quote/show/{id}/"),
            EntityKind::Invoice => format!("/crm/invoice/show/{id}/"),
            other => format!("/crm/type/{}/details/{id}/", other.type_id()),
        }
    }
}

/// One CRM item: its type and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityRef {
    pub kind: EntityKind,
    pub id: u64,
}

impl EntityRef {
    pub fn new(kind: EntityKind, id: u64) -> Self {
        EntityRef { kind, id }
    }
    /// A stable key for lists and caches (`DEAL:25`).
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.name(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_numbers_map_both_ways() {
        for k in [
            EntityKind::Lead,
            EntityKind::Deal,
            EntityKind::Contact,
            EntityKind::Company,
            EntityKind::Invoice,
            EntityKind::Quote,
            EntityKind::SmartInvoice,
            EntityKind::Dynamic(128),
        ] {
            assert_eq!(EntityKind::from_name(&k.name()), Some(k));
            assert_eq!(EntityKind::from_type_id(k.type_id() as u64), Some(k));
        }
        assert_eq!(EntityKind::from_name("contact"), Some(EntityKind::Contact));
        assert_eq!(EntityKind::from_name("3"), Some(EntityKind::Contact));
        assert_eq!(EntityKind::from_value(&json!(4)), Some(EntityKind::Company));
        // Regression (found by crates/core/tests/props_*.rs): a whole number written as a float.
        assert_eq!(
            EntityKind::from_value(&json!(3.0)),
            Some(EntityKind::Contact)
        );
        assert_eq!(
            EntityKind::from_value(&json!(128.0)),
            Some(EntityKind::Dynamic(128))
        );
        assert_eq!(EntityKind::from_value(&json!(3.5)), None);
        assert_eq!(
            EntityKind::from_value(&json!("DYNAMIC_156")),
            Some(EntityKind::Dynamic(156))
        );
    }

    #[test]
    fn unknown_types_are_none() {
        assert_eq!(EntityKind::from_name(""), None);
        assert_eq!(EntityKind::from_name("PERSON"), None);
        assert_eq!(EntityKind::from_type_id(0), None);
        assert_eq!(EntityKind::from_type_id(6), None);
        assert_eq!(EntityKind::from_value(&json!(null)), None);
        assert_eq!(EntityKind::from_name("DYNAMIC_x"), None);
        // Regression: the prefix names smart processes only, not the built-in types' numbers.
        assert_eq!(EntityKind::from_name("DYNAMIC_5"), None);
        assert_eq!(EntityKind::from_name("DYNAMIC_3"), None);
        assert_eq!(
            EntityKind::from_name("DYNAMIC_128"),
            Some(EntityKind::Dynamic(128))
        );
    }

    #[test]
    fn old_invoices_are_not_read_through_crm_item() {
        assert!(!EntityKind::Invoice.item_api());
        for k in [
            EntityKind::Lead,
            EntityKind::Deal,
            EntityKind::Contact,
            EntityKind::Company,
            EntityKind::Quote,
            EntityKind::SmartInvoice,
            EntityKind::Dynamic(128),
        ] {
            assert!(k.item_api(), "{k:?}");
        }
    }

    #[test]
    fn slider_paths() {
        assert_eq!(EntityKind::Deal.details_path(25), "/crm/deal/details/25/");
        assert_eq!(
            EntityKind::Dynamic(128).details_path(3),
            "/crm/type/128/details/3/"
        );
    }
}
