//! The demo portal's CRM: its records (companies, contacts, leads, deals in the `crm.item.get`
//! shape), generated from the fixed tables and the seed, and who the call starts with.
use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::answer::object;
use crate::bilingual::Pick;
use crate::config::Scenario;
use crate::crm_tables::*;
use crate::dates::{DEFAULT_NOW_MS, iso, midnight};
use crate::random::Rng;
use callcard_core::i18n::Lang;
use callcard_core::model::entity::{EntityKind, EntityRef};

/// Who the card shows on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    Client(EntityRef),
    /// A client's number on a call the portal did not bind to them (`scenario=unbound`).
    Unbound(EntityRef),
    /// A number that is not in the CRM.
    Stranger,
    /// The caller hid the number.
    Hidden,
}

/// Where a number is from, which decides its format.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Country {
    Ru,
    Us,
    Uk,
}

impl Country {
    /// A number nobody else in the CRM has: as the CRM stores it (with separators) and as the
    /// card reports it (`+` and digits). English numbers are in the ranges reserved for fiction
    /// (US 555-01xx, UK 020 7946 0xxx and 07700 900xxx), so the demo never shows a real person's.
    pub(crate) fn number(
        self,
        mobile: bool,
        rng: &mut Rng,
        used: &mut BTreeSet<String>,
    ) -> (String, String) {
        let prefixes: &[u64] = match (self, mobile) {
            (Country::Ru, true) => &[903, 905, 915, 916, 925, 926, 977, 985],
            (Country::Ru, false) => &[495, 499, 812, 343],
            (Country::Us, _) => &[212, 303, 312, 415, 617],
            (Country::Uk, _) => &[0],
        };
        let span = match self {
            Country::Ru => 10_000_000,
            Country::Us => 100,
            Country::Uk => 1_000,
        };
        let prefix = prefixes[rng.below(prefixes.len() as u64) as usize];
        let mut n = rng.below(span);
        // The CRM holds a few dozen numbers and every span is larger, so a free one is always found.
        loop {
            let (shown, digits) = self.format(mobile, prefix, n);
            if used.insert(digits.clone()) {
                return (shown, digits);
            }
            n = (n + 1) % span;
        }
    }

    pub(crate) fn format(self, mobile: bool, prefix: u64, n: u64) -> (String, String) {
        match self {
            Country::Ru => (
                format!(
                    "+7 {prefix} {:03}-{:02}-{:02}",
                    n / 10_000,
                    n / 100 % 100,
                    n % 100
                ),
                format!("+7{prefix}{n:07}"),
            ),
            Country::Us => (
                format!("+1 ({prefix}) 555-01{n:02}"),
                format!("+1{prefix}55501{n:02}"),
            ),
            Country::Uk if mobile => (format!("+44 7700 900{n:03}"), format!("+447700900{n:03}")),
            Country::Uk => (format!("+44 20 7946 0{n:03}"), format!("+442079460{n:03}")),
        }
    }

    pub(crate) fn of(lang: Lang, uk: bool) -> Country {
        match (lang, uk) {
            (Lang::Ru, _) => Country::Ru,
            (Lang::En, true) => Country::Uk,
            (Lang::En, false) => Country::Us,
        }
    }
}

/// One CRM item: its `crm.item.get` fields (camelCase, with `fm` and the flat aliases).
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) entity: EntityRef,
    pub(crate) fields: Map<String, Value>,
    /// The first phone as the card reports it, if the item has one.
    pub(crate) phone: Option<String>,
}

impl Record {
    pub(crate) fn id_field(&self, key: &str) -> Option<u64> {
        self.fields
            .get(key)
            .and_then(Value::as_u64)
            .filter(|id| *id > 0)
    }
}

/// What `markup=1` appends to CRM text: each would run script if the card ever took text as
/// HTML or a link target. `window.__ccMarkupRan` stays unset when the card is right.
pub const MARKUP_PAYLOADS: [&str; 4] = [
    "<img src=x onerror=\"window.__ccMarkupRan=1\">",
    "<script>window.__ccMarkupRan=2</script>",
    "javascript:window.__ccMarkupRan=3",
    "<a href=\"javascript:window.__ccMarkupRan=4\">open</a>",
];

/// The generated CRM.
#[derive(Debug, Clone)]
pub(crate) struct Crm {
    /// Companies, contacts, leads, deals — each type in id order.
    pub(crate) records: Vec<Record>,
    /// `user.get` rows, user 1 first.
    pub(crate) users: Vec<Value>,
    /// A number that belongs to nobody in the CRM: the unknown caller.
    pub(crate) stranger: String,
}

/// State shared while the CRM is generated.
pub(crate) struct Builder<'a> {
    pub(crate) lang: Lang,
    pub(crate) rng: &'a mut Rng,
    pub(crate) used_numbers: BTreeSet<String>,
    pub(crate) next_multifield_id: u64,
}

impl Builder<'_> {
    /// Adds `fm` and the flat `phone`/`email` aliases; returns the first phone, digits only.
    pub(crate) fn multifields(
        &mut self,
        fields: &mut Map<String, Value>,
        country: Country,
        phones: &[&str],
        email: &str,
    ) -> Option<String> {
        let mut fm = Vec::new();
        let mut first: Option<(String, String)> = None;
        for value_type in phones {
            let (shown, digits) =
                country.number(*value_type == "MOBILE", self.rng, &mut self.used_numbers);
            fm.push(json!({"id": self.next_multifield_id, "typeId": "PHONE", "valueType": value_type, "value": shown}));
            self.next_multifield_id += 1;
            first.get_or_insert((shown, digits));
        }
        if !email.is_empty() {
            fm.push(json!({"id": self.next_multifield_id, "typeId": "EMAIL", "valueType": "WORK", "value": email}));
            self.next_multifield_id += 1;
        }
        fields.insert("fm".into(), Value::Array(fm));
        fields.insert(
            "phone".into(),
            first
                .as_ref()
                .map(|(shown, _)| shown.as_str())
                .unwrap_or("")
                .into(),
        );
        fields.insert("email".into(), email.into());
        first.map(|(_, digits)| digits)
    }

    /// The day the CRM is dated around. Fixed rather than the caller's clock, so the data
    /// depends on the seed alone.
    pub(crate) fn today(&self) -> i64 {
        (DEFAULT_NOW_MS / 1000.0) as i64
    }

    /// When an item was created: some days before "today", in working hours.
    pub(crate) fn created(&mut self) -> i64 {
        midnight(self.today()) - self.rng.between(3, 400) as i64 * 86_400
            + self.rng.between(8 * 3600, 19 * 3600) as i64
    }

    pub(crate) fn responsible(&mut self) -> u64 {
        self.rng.between(1, USERS.len() as u64)
    }

    /// An amount in the currency's usual size: roubles in thousands, others in hundreds.
    pub(crate) fn amount(&mut self) -> f64 {
        match self.lang {
            Lang::Ru => (self.rng.between(40, 900) * 1_000 + self.rng.below(2) * 500) as f64,
            Lang::En => (self.rng.between(12, 480) * 100) as f64,
        }
    }
}

pub(crate) fn honorific(lang: Lang, female: bool) -> &'static str {
    match (lang, female) {
        (Lang::Ru, false) => "HNR_RU_1",
        (Lang::Ru, true) => "HNR_RU_2",
        (Lang::En, false) => "HNR_EN_1",
        (Lang::En, true) => "HNR_EN_3",
    }
}

impl Crm {
    pub(crate) fn generate(lang: Lang, rng: &mut Rng) -> Crm {
        let mut b = Builder {
            lang,
            rng,
            used_numbers: BTreeSet::new(),
            next_multifield_id: 101,
        };
        let mut records = Vec::new();
        let company_id = |i: usize| COMPANY_FIRST_ID + i as u64;
        let contact_id = |i: usize| CONTACT_FIRST_ID + i as u64;

        for (i, t) in COMPANIES.iter().enumerate() {
            let created = b.created();
            let contact_ids: Vec<u64> = CONTACTS
                .iter()
                .enumerate()
                .filter(|(_, c)| c.company == Some(i))
                .map(|(ci, _)| contact_id(ci))
                .collect();
            let mut fields = object(json!({
                "id": company_id(i),
                "title": lang.pick(t.title),
                "companyType": t.company_type,
                "industry": t.industry,
                "assignedById": b.responsible(),
                "createdTime": iso(created),
                "updatedTime": iso(created + 86_400),
                "contactIds": contact_ids,
            }));
            let phone = b.multifields(
                &mut fields,
                Country::of(lang, t.uk),
                &["WORK"],
                lang.pick(t.email),
            );
            records.push(Record {
                entity: EntityRef::new(EntityKind::Company, company_id(i)),
                fields,
                phone,
            });
        }

        for (i, t) in CONTACTS.iter().enumerate() {
            let created = b.created();
            let company = t.company.map(company_id);
            let mut fields = object(json!({
                "id": contact_id(i),
                "honorific": honorific(lang, t.female),
                "name": lang.pick(t.name),
                "secondName": lang.pick(t.second_name),
                "lastName": lang.pick(t.last_name),
                "post": lang.pick(t.post),
                "companyId": company.unwrap_or(0),
                "companyIds": company.into_iter().collect::<Vec<_>>(),
                "typeId": t.type_id,
                "sourceId": t.source,
                "assignedById": b.responsible(),
                "createdTime": iso(created),
                "updatedTime": iso(created + 3 * 86_400),
            }));
            let uk = t.company.is_some_and(|c| COMPANIES[c].uk);
            let phone = b.multifields(
                &mut fields,
                Country::of(lang, uk),
                t.phones,
                lang.pick(t.email),
            );
            records.push(Record {
                entity: EntityRef::new(EntityKind::Contact, contact_id(i)),
                fields,
                phone,
            });
        }

        for (i, t) in LEADS.iter().enumerate() {
            let id = LEAD_FIRST_ID + i as u64;
            let created = b.created();
            let country = Country::of(lang, t.uk);
            let currency = match country {
                Country::Ru => "RUB",
                Country::Us => "USD",
                Country::Uk => "GBP",
            };
            let mut fields = object(json!({
                "id": id,
                "title": lang.pick(t.title),
                "name": lang.pick(t.name),
                "lastName": lang.pick(t.last_name),
                "companyTitle": lang.pick(t.company_title),
                "post": lang.pick(t.post),
                "stageId": t.stage,
                "stageSemanticId": stage_semantic("STATUS", t.stage),
                "sourceId": t.source,
                "opportunity": b.amount(),
                "currencyId": currency,
                "assignedById": b.responsible(),
                "createdTime": iso(created),
            }));
            let phone = b.multifields(&mut fields, country, t.phones, lang.pick(t.email));
            records.push(Record {
                entity: EntityRef::new(EntityKind::Lead, id),
                fields,
                phone,
            });
        }

        for (i, t) in DEALS.iter().enumerate() {
            let id = DEAL_FIRST_ID + i as u64;
            let created = b.created();
            let contact = t.contact.map(contact_id);
            let directory = if t.category == 0 {
                "DEAL_STAGE".to_string()
            } else {
                format!("DEAL_STAGE_{}", t.category)
            };
            let semantic = stage_semantic(&directory, t.stage);
            // Open deals are expected to close soon; won and lost ones closed some time after they began.
            let closedate = if semantic == "P" {
                midnight(b.today()) + b.rng.between(7, 90) as i64 * 86_400
            } else {
                (midnight(created) + b.rng.between(7, 60) as i64 * 86_400).min(midnight(b.today()))
            };
            let currency = match lang {
                Lang::Ru => "RUB",
                Lang::En => t.company.map_or("USD", |c| COMPANIES[c].currency),
            };
            let fields = object(json!({
                "id": id,
                "title": lang.pick(t.title),
                "categoryId": t.category,
                "stageId": t.stage,
                "stageSemanticId": semantic,
                "opportunity": b.amount(),
                "currencyId": currency,
                "contactId": contact.unwrap_or(0),
                "contactIds": contact.into_iter().collect::<Vec<_>>(),
                "companyId": t.company.map(company_id).unwrap_or(0),
                "assignedById": b.responsible(),
                "begindate": iso(created),
                "closedate": iso(closedate),
                "createdTime": iso(created),
            }));
            records.push(Record {
                entity: EntityRef::new(EntityKind::Deal, id),
                fields,
                phone: None,
            });
        }

        let users = USERS
            .iter()
            .enumerate()
            .map(|(i, u)| {
                json!({
                    "ID": (i + 1).to_string(),
                    "ACTIVE": true,
                    "NAME": lang.pick(u.name),
                    "LAST_NAME": lang.pick(u.last_name),
                    "SECOND_NAME": lang.pick(u.second_name),
                    "EMAIL": lang.pick(u.email),
                    "PERSONAL_GENDER": if u.female { "F" } else { "M" },
                    "PERSONAL_PHOTO": "",
                    "WORK_POSITION": lang.pick(u.position),
                    "UF_DEPARTMENT": [1],
                    "IS_ONLINE": if i % 2 == 0 { "Y" } else { "N" },
                    "USER_TYPE": "employee",
                })
            })
            .collect();

        let stranger_country = if lang == Lang::Ru {
            Country::Ru
        } else {
            Country::Us
        };
        let (_, stranger) = stranger_country.number(true, b.rng, &mut b.used_numbers);
        Crm {
            records,
            users,
            stranger,
        }
    }

    pub(crate) fn get(&self, entity: EntityRef) -> Option<&Record> {
        self.records.iter().find(|r| r.entity == entity)
    }

    pub(crate) fn of_kind(&self, kind: EntityKind) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(move |r| r.entity.kind == kind)
    }

    /// What a call to `party` is bound to: its deals, its company, then the party itself.
    pub(crate) fn bindings(&self, party: EntityRef) -> Vec<EntityRef> {
        let key = match party.kind {
            EntityKind::Contact => "contactId",
            EntityKind::Company => "companyId",
            _ => return vec![party],
        };
        let mut out: Vec<EntityRef> = self
            .of_kind(EntityKind::Deal)
            .filter(|d| d.id_field(key) == Some(party.id))
            .map(|d| d.entity)
            .collect();
        if let Some(company) = self.get(party).and_then(|r| r.id_field("companyId")) {
            out.push(EntityRef::new(EntityKind::Company, company));
        }
        out.push(party);
        out
    }

    /// Who the scenario's call is with. Candidates are taken in table order and the seed picks
    /// one, so seed 1 (the default) opens the first: the showcase contact or company.
    /// `markup=1`: the text fields the card shows carry markup and script links. The card must
    /// show them as typed and run none of them.
    pub(crate) fn poison_with_markup(&mut self) {
        for (n, r) in self.records.iter_mut().enumerate() {
            let payload = MARKUP_PAYLOADS[n % MARKUP_PAYLOADS.len()];
            for field in ["name", "title", "post", "companyTitle"] {
                if let Some(Value::String(v)) = r.fields.get_mut(field)
                    && !v.is_empty()
                {
                    *v = format!("{v} {payload}");
                }
            }
        }
        for (n, u) in self.users.iter_mut().enumerate() {
            if let Some(Value::String(v)) = u.get_mut("NAME") {
                *v = format!("{v} {}", MARKUP_PAYLOADS[(n + 1) % MARKUP_PAYLOADS.len()]);
            }
        }
    }

    pub(crate) fn first_caller(&self, scenario: Scenario, seed: u64) -> Caller {
        let has_deals = |r: &&Record| {
            self.bindings(r.entity)
                .iter()
                .any(|b| b.kind == EntityKind::Deal)
        };
        let candidates: Vec<EntityRef> = match scenario {
            Scenario::Unknown => return Caller::Stranger,
            Scenario::Hidden => return Caller::Hidden,
            // A known client's number, the call bound to nothing (issue 11).
            Scenario::Unbound => {
                let contact = self
                    .of_kind(EntityKind::Contact)
                    .filter(has_deals)
                    .find(|r| r.phone.is_some());
                return contact.map_or(Caller::Stranger, |r| Caller::Unbound(r.entity));
            }
            Scenario::Incoming => self
                .of_kind(EntityKind::Contact)
                .filter(has_deals)
                .map(|r| r.entity)
                .collect(),
            Scenario::Outgoing => self
                .of_kind(EntityKind::Company)
                .filter(has_deals)
                .map(|r| r.entity)
                .collect(),
            Scenario::Failed | Scenario::Campaign => self
                .of_kind(EntityKind::Contact)
                .filter(|r| r.phone.is_some())
                .map(|r| r.entity)
                .collect(),
        };
        let pick = seed.wrapping_sub(1) % (candidates.len().max(1) as u64);
        candidates
            .get(pick as usize)
            .map_or(Caller::Stranger, |e| Caller::Client(*e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sim;
    use crate::testing::*;

    use callcard_core::call::decode_call_status;
    use callcard_core::model::entity::EntityKind;
    use serde_json::{Value, json};
    use std::collections::BTreeSet;

    #[test]
    fn markup_reaches_names_titles_posts_users_and_subjects() {
        let mut s = sim("markup=1");
        let st = decode_call_status(&s.status()).unwrap();
        let e = st.entity.expect("a client");
        let c = item(&mut s, e.kind, e.id);
        let text = c.to_string();
        assert!(
            MARKUP_PAYLOADS
                .iter()
                .any(|p| text.contains(&p.replace('"', "\\\""))),
            "{text}"
        );
        let users = ok(&mut s, "user.get", json!({})).to_string();
        assert!(users.contains("window.__ccMarkupRan"), "{users}");
        let acts = ok(
            &mut s,
            "crm.activity.list",
            json!({"filter": {"BINDINGS": [{"OWNER_TYPE_ID": e.kind.type_id(), "OWNER_ID": e.id}]}, "select": ["SUBJECT"]}),
        )
        .to_string();
        assert!(acts.contains("window.__ccMarkupRan"), "{acts}");
        // Without the parameter nothing of it.
        let mut plain = sim("");
        let u = ok(&mut plain, "user.get", json!({})).to_string();
        assert!(!u.contains("__ccMarkupRan"));
    }

    #[test]
    fn same_seed_same_portal_other_seed_other_portal() {
        fn run(query: &str) -> Vec<Value> {
            let mut s = sim(query);
            let mut out = vec![s.status(), s.placement_options()];
            for kind in [2, 3, 4, 1] {
                out.push(
                    s.rest(
                        "crm.item.list",
                        &json!({"entityTypeId": kind, "select": ["*"]}),
                    )
                    .unwrap(),
                );
            }
            out.push(s.rest("user.get", &json!({})).unwrap());
            out.push(s.rest("crm.status.list", &json!({})).unwrap());
            for _ in 0..3 {
                for e in s
                    .switch_client()
                    .into_iter()
                    .chain(s.answer())
                    .chain(s.hangup())
                    .chain(s.redial())
                {
                    out.push(json!(format!("{e:?}")));
                }
                out.push(s.status());
            }
            out
        }
        for q in ["seed=7", "seed=7&lang=ru&scenario=outgoing"] {
            assert_eq!(run(q), run(q), "{q}");
        }
        assert_ne!(run("seed=7"), run("seed=8"));
        // The seed varies the data itself (amounts, numbers, dates, responsibles)...
        let deals = |q: &str| {
            ok(&mut sim(q), "crm.item.list", json!({"entityTypeId": 2}))["result"].clone()
        };
        assert_ne!(deals("seed=1"), deals("seed=2"));
        let contact = |q: &str| item(&mut sim(q), EntityKind::Contact, CONTACT_FIRST_ID);
        assert_ne!(contact("seed=1")["phone"], contact("seed=2")["phone"]);
        // ...and picks the client the call starts with.
        assert_ne!(
            decoded(&sim("seed=1")).entity,
            decoded(&sim("seed=2")).entity
        );
    }

    #[test]
    fn russian_and_english_portals() {
        let mut ru = sim("lang=ru");
        let mut en = sim("lang=en");
        let (ru_id, en_id) = (
            decoded(&ru).entity.unwrap().id,
            decoded(&en).entity.unwrap().id,
        );
        let ru_contact = item(&mut ru, EntityKind::Contact, ru_id);
        let en_contact = item(&mut en, EntityKind::Contact, en_id);
        assert!(has_cyrillic(ru_contact["lastName"].as_str().unwrap()));
        assert!(!has_cyrillic(&en_contact.to_string()));
        assert!(has_cyrillic(
            &sim("lang=ua").status()["LINE_NAME"].to_string()
        ));
        assert!(!has_cyrillic(
            &sim("lang=de").status()["LINE_NAME"].to_string()
        ));

        assert!(
            ru.status()["PHONE_NUMBER"]
                .as_str()
                .unwrap()
                .starts_with("+7")
        );
        let en_phone = en.status()["PHONE_NUMBER"].as_str().unwrap().to_string();
        assert!(
            en_phone.starts_with("+1") || en_phone.starts_with("+44"),
            "{en_phone}"
        );

        let deals = |s: &mut Sim| {
            ok(s, "crm.item.list", json!({"entityTypeId": 2}))["result"]["items"].clone()
        };
        assert!(
            deals(&mut ru)
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["currencyId"] == "RUB")
        );
        assert!(
            deals(&mut en)
                .as_array()
                .unwrap()
                .iter()
                .all(|d| ["USD", "EUR", "GBP"].contains(&d["currencyId"].as_str().unwrap()))
        );

        let names = |s: &mut Sim| -> Vec<String> {
            let rows = ok(
                s,
                "crm.status.list",
                json!({"filter": {"ENTITY_ID": "DEAL_STAGE"}}),
            )["result"]
                .clone();
            rows.as_array()
                .unwrap()
                .iter()
                .map(|r| r["NAME"].as_str().unwrap().to_string())
                .collect()
        };
        let ru_names = names(&mut ru);
        for n in [
            "Новая",
            "Подготовка документов",
            "Счёт на предоплату",
            "Сделка успешна",
            "Сделка провалена",
        ] {
            assert!(ru_names.iter().any(|x| x == n), "{n}");
        }
        let en_names = names(&mut en);
        for n in ["New", "Preparation", "Prepayment invoice", "Won", "Lost"] {
            assert!(en_names.iter().any(|x| x == n), "{n}");
        }
    }

    #[test]
    fn crm_items_have_the_item_api_shape() {
        let mut s = sim("");
        let contact = item(&mut s, EntityKind::Contact, CONTACT_FIRST_ID);
        for key in [
            "id",
            "name",
            "secondName",
            "lastName",
            "honorific",
            "post",
            "companyId",
            "assignedById",
            "typeId",
            "createdTime",
            "fm",
        ] {
            assert!(contact.get(key).is_some(), "contact.{key}");
        }
        assert!(
            contact["id"].is_u64()
                && contact["companyId"].is_u64()
                && contact["assignedById"].is_u64()
        );
        let fm = contact["fm"].as_array().unwrap();
        let phones: Vec<&Value> = fm.iter().filter(|f| f["typeId"] == "PHONE").collect();
        assert!(!phones.is_empty());
        assert!(
            fm.iter()
                .all(|f| f["id"].is_u64() && f["valueType"].is_string() && f["value"].is_string())
        );
        assert_eq!(contact["phone"], phones[0]["value"]);
        assert_eq!(
            contact["email"],
            fm.iter().find(|f| f["typeId"] == "EMAIL").unwrap()["value"]
        );
        assert!(contact["createdTime"].as_str().unwrap().ends_with("+00:00"));

        let company = item(&mut s, EntityKind::Company, COMPANY_FIRST_ID);
        for key in ["title", "companyType", "industry", "assignedById", "fm"] {
            assert!(company.get(key).is_some(), "company.{key}");
        }
        let lead = item(&mut s, EntityKind::Lead, LEAD_FIRST_ID);
        for key in [
            "title",
            "name",
            "lastName",
            "companyTitle",
            "post",
            "stageId",
            "stageSemanticId",
            "opportunity",
            "currencyId",
            "fm",
        ] {
            assert!(lead.get(key).is_some(), "lead.{key}");
        }

        // Every deal: integer ids, a numeric amount, a stage of its own pipeline with matching semantics.
        let stages = ok(&mut s, "crm.status.list", json!({}))["result"].clone();
        let deals = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 2, "select": ["*"]}),
        )["result"]["items"]
            .clone();
        let deals = deals.as_array().unwrap();
        assert_eq!(deals.len(), DEALS.len());
        for d in deals {
            assert!(
                d["id"].is_u64()
                    && d["contactId"].is_u64()
                    && d["companyId"].is_u64()
                    && d["categoryId"].is_u64()
            );
            assert!(d["opportunity"].is_f64());
            let category = d["categoryId"].as_u64().unwrap();
            let directory = if category == 0 {
                "DEAL_STAGE".to_string()
            } else {
                format!("DEAL_STAGE_{category}")
            };
            let stage = stages
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["ENTITY_ID"] == directory && r["STATUS_ID"] == d["stageId"])
                .unwrap_or_else(|| panic!("stage {} not in {directory}", d["stageId"]));
            let semantic = stage["SEMANTICS"].as_str().unwrap_or("P");
            assert_eq!(d["stageSemanticId"], semantic);
            if category == 1 {
                assert!(d["stageId"].as_str().unwrap().starts_with("C1:"));
            }
            // ISO dates in one format compare as text.
            let (closes, today) = (
                d["closedate"].as_str().unwrap(),
                "2026-11-23T10:00:00+00:00",
            );
            if semantic == "P" {
                assert!(closes > today, "an open deal closing in the past: {closes}");
            } else {
                assert!(
                    closes <= today && closes >= &d["begindate"].as_str().unwrap()[..10],
                    "{closes}"
                );
            }
        }
        assert!(deals.iter().any(|d| d["categoryId"] == 1));
        let semantics: BTreeSet<&str> = deals
            .iter()
            .filter_map(|d| d["stageSemanticId"].as_str())
            .collect();
        assert_eq!(
            semantics,
            BTreeSet::from(["F", "P", "S"]),
            "open, won and lost deals"
        );
    }
}
