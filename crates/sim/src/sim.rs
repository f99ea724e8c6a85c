//! A deterministic Bitrix24 portal in memory: one call in the call card plus a small CRM that
//! answers REST in the real shapes (envelope, `time`, paging, batch, errors).
//!
//! Everything is pure Rust so the demo's behaviour is tested on the host; the browser wrapper
//! only adds latency and delivers [`SimEvent`]s. The same [`DemoConfig`] always produces the same
//! portal: names come from fixed tables, and the seed drives a small PRNG for phone numbers,
//! amounts, dates, responsibles and which client the call starts with.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde_json::{Map, Value, json};

use super::config::{DemoConfig, DemoPlacement, Faults, Scenario};
use super::sim_calllist::{self, CallLists, Setup};
use super::sim_history::{EndedCall, History};
use super::sim_match;
use super::sim_timeline::{self, AutoClose, CloseStep, Timeline};
use callcard_core::call::{CallState, Direction};
use callcard_core::model::entity::{EntityKind, EntityRef};
use callcard_core::model::value::{parse_decimal, value_u64};
use callcard_core::rest::batch::MAX_COMMANDS;
use callcard_core::rest::query;

/// What the call card tells the app on its own, as the browser wrapper delivers it.
#[derive(Debug, Clone, PartialEq)]
pub enum SimEvent {
    /// `CallCard::CallStateChanged`: `"idle"`, `"connecting"` or `"connected"`, and the SIP code
    /// of an unsuccessful end (which the real bridge usually drops; the wrapper decides).
    StateChanged {
        state: String,
        failed_code: Option<String>,
    },
    /// `CallCard::EntityChanged`: `{PHONE_NUMBER, CRM_ENTITY_TYPE, CRM_ENTITY_ID}` with an integer
    /// id and `"unknown"` for a client without a number.
    EntityChanged(Value),
    /// `CallCard::BeforeClose`: the portal is about to close the card (or was kept from it).
    BeforeClose,
    /// The portal closed the card (no event reaches a real app: its frame is gone).
    Closed,
}

/// "Now" until the caller sets its clock, and the day the generated CRM is dated around:
/// 2026-11-23T10:00:00Z.
const DEFAULT_NOW_MS: f64 = 1_795_428_000_000.0;
/// The latest instant `set_now_ms` accepts (9999-12-31T23:59:59Z), so dates stay four-digit.
const MAX_NOW_MS: f64 = 253_402_300_799_000.0;
/// The page size of every list method.
const PAGE_SIZE: usize = 50;
/// Time the portal spends before and after a method's own work (routing, auth, encoding):
/// `duration` is always a little longer than `processing`, as on a real portal.
const BOOTSTRAP_SECS: f64 = 0.021;
/// Width of the window `operating` is summed over; `operating_reset_at` is this far ahead.
const OPERATING_WINDOW_SECS: i64 = 600;
/// Where the demo says the app is hosted.
const DEMO_HANDLER: &str = "https://callcard.example.com/index.html";
/// Placement codes `placement.bind` accepts; anything else is `ERROR_PLACEMENT_NOT_FOUND`.
const KNOWN_PLACEMENTS: &[&str] = &[
    "CALL_CARD",
    "CRM_CONTACT_DETAIL_TAB",
    "CRM_COMPANY_DETAIL_TAB",
    "CRM_LEAD_DETAIL_TAB",
    "CRM_DEAL_DETAIL_TAB",
    "LEFT_MENU",
    "REST_APP_URI",
];

// ---------------------------------------------------------------------------------------------
// Language and randomness
// ---------------------------------------------------------------------------------------------

/// The language the generated CRM is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    En = 0,
    Ru = 1,
}

/// A text in both languages: `[english, russian]`.
pub(super) type Text = [&'static str; 2];

impl Lang {
    /// Bitrix24's Russian-speaking portals (Russia, Ukraine, Kazakhstan, Belarus) get Russian data.
    fn from_code(code: &str) -> Lang {
        match code.trim().to_ascii_lowercase().as_str() {
            "ru" | "ua" | "kz" | "by" => Lang::Ru,
            _ => Lang::En,
        }
    }

    pub(super) fn pick(self, text: Text) -> &'static str {
        text[self as usize]
    }
}

/// SplitMix64: a few lines, good enough spread, and the same sequence on every target.
#[derive(Debug, Clone)]
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `true` with probability `p` (`0` never, `1` always).
    pub(super) fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A number in `lo..=hi`.
    pub(super) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
}

// ---------------------------------------------------------------------------------------------
// The CRM's fixed tables
// ---------------------------------------------------------------------------------------------

struct UserTpl {
    name: Text,
    second_name: Text,
    last_name: Text,
    position: Text,
    female: bool,
    email: Text,
}

/// The portal's employees. User 1 is the operator on the call.
const USERS: [UserTpl; 5] = [
    UserTpl {
        name: ["Alex", "Алексей"],
        second_name: ["", "Петрович"],
        last_name: ["Morgan", "Иванов"],
        position: ["Sales Manager", "Менеджер по продажам"],
        female: false,
        email: ["alex.morgan@callcard.example", "a.ivanov@callcard.example"],
    },
    UserTpl {
        name: ["Maria", "Мария"],
        second_name: ["", "Андреевна"],
        last_name: ["Lopez", "Смирнова"],
        position: ["Head of Sales", "Руководитель отдела продаж"],
        female: true,
        email: [
            "maria.lopez@callcard.example",
            "m.smirnova@callcard.example",
        ],
    },
    UserTpl {
        name: ["Nathan", "Николай"],
        second_name: ["", "Сергеевич"],
        last_name: ["Brooks", "Фёдоров"],
        position: ["Key Account Manager", "Менеджер по ключевым клиентам"],
        female: false,
        email: [
            "nathan.brooks@callcard.example",
            "n.fedorov@callcard.example",
        ],
    },
    UserTpl {
        name: ["Kate", "Екатерина"],
        second_name: ["", "Олеговна"],
        last_name: ["Wilson", "Васильева"],
        position: [
            "Customer Success Manager",
            "Специалист по сопровождению клиентов",
        ],
        female: true,
        email: [
            "kate.wilson@callcard.example",
            "e.vasilyeva@callcard.example",
        ],
    },
    UserTpl {
        name: ["Paul", "Павел"],
        second_name: ["", "Дмитриевич"],
        last_name: ["Adams", "Козлов"],
        position: ["Sales Manager", "Менеджер по продажам"],
        female: false,
        email: ["paul.adams@callcard.example", "p.kozlov@callcard.example"],
    },
];

struct CompanyTpl {
    title: Text,
    company_type: &'static str,
    industry: &'static str,
    email: Text,
    /// English data only: a British company (+44 numbers) rather than an American one.
    uk: bool,
    /// English data only: the currency its deals are in (Russian data is all in roubles).
    currency: &'static str,
}

const COMPANIES: [CompanyTpl; 4] = [
    CompanyTpl {
        title: ["Northwind Traders Ltd", "ООО «Северный ветер»"],
        company_type: "CUSTOMER",
        industry: "MANUFACTURING",
        email: ["office@northwind.example", "info@severny-veter.example"],
        uk: true,
        currency: "GBP",
    },
    CompanyTpl {
        title: ["Blue Harbor Logistics Inc.", "ООО «ТрансЛогистик»"],
        company_type: "CUSTOMER",
        industry: "DELIVERY",
        email: ["hello@blueharbor.example", "office@translogistic.example"],
        uk: false,
        currency: "USD",
    },
    CompanyTpl {
        title: ["Summit Ridge Bank", "АО «Уральский банк развития»"],
        company_type: "PARTNER",
        industry: "BANKING",
        email: ["it@summitridge.example", "it@uralbank.example"],
        uk: false,
        currency: "USD",
    },
    CompanyTpl {
        title: ["Greenfield Analytics Ltd", "ООО «Альфа Консалт»"],
        company_type: "CUSTOMER",
        industry: "CONSULTING",
        email: ["team@greenfield.example", "info@alfa-consult.example"],
        uk: true,
        currency: "EUR",
    },
];

struct ContactTpl {
    name: Text,
    second_name: Text,
    last_name: Text,
    female: bool,
    post: Text,
    /// Index into [`COMPANIES`].
    company: Option<usize>,
    /// The `valueType` of each phone, in the order the CRM lists them.
    phones: &'static [&'static str],
    email: Text,
    type_id: &'static str,
    source: &'static str,
}

/// The first contact is the showcase: a post, a company and two open deals.
const CONTACTS: [ContactTpl; 8] = [
    ContactTpl {
        name: ["Emily", "Анна"],
        second_name: ["Rose", "Сергеевна"],
        last_name: ["Carter", "Петрова"],
        female: true,
        post: ["Head of Procurement", "Директор по закупкам"],
        company: Some(0),
        phones: &["MOBILE", "WORK"],
        email: [
            "emily.carter@northwind.example",
            "a.petrova@severny-veter.example",
        ],
        type_id: "CLIENT",
        source: "CALL",
    },
    ContactTpl {
        name: ["James", "Дмитрий"],
        second_name: ["Patrick", "Алексеевич"],
        last_name: ["O'Neill", "Волков"],
        female: false,
        post: ["Chief Engineer", "Главный инженер"],
        company: Some(0),
        phones: &["MOBILE"],
        email: [
            "j.oneill@northwind.example",
            "d.volkov@severny-veter.example",
        ],
        type_id: "CLIENT",
        source: "WEB",
    },
    ContactTpl {
        name: ["Olivia", "Елена"],
        second_name: ["Grace", "Викторовна"],
        last_name: ["Bennett", "Соколова"],
        female: true,
        post: ["Chief Financial Officer", "Финансовый директор"],
        company: Some(1),
        phones: &["WORK", "MOBILE"],
        email: [
            "olivia.bennett@blueharbor.example",
            "e.sokolova@translogistic.example",
        ],
        type_id: "CLIENT",
        source: "EMAIL",
    },
    ContactTpl {
        name: ["Daniel", "Игорь"],
        second_name: ["Lee", "Николаевич"],
        last_name: ["Foster", "Морозов"],
        female: false,
        post: ["Head of IT", "Начальник отдела ИТ"],
        company: Some(2),
        phones: &["MOBILE"],
        email: [
            "daniel.foster@summitridge.example",
            "i.morozov@uralbank.example",
        ],
        type_id: "CLIENT",
        source: "PARTNER",
    },
    ContactTpl {
        name: ["Sophie", "Ольга"],
        second_name: ["Anne", "Павловна"],
        last_name: ["Walker", "Кузнецова"],
        female: true,
        post: ["Office Manager", "Офис-менеджер"],
        company: Some(1),
        phones: &["WORK"],
        email: [
            "sophie.walker@blueharbor.example",
            "o.kuznetsova@translogistic.example",
        ],
        type_id: "CLIENT",
        source: "CALL",
    },
    ContactTpl {
        name: ["Michael", "Михаил"],
        second_name: ["James", "Андреевич"],
        last_name: ["Turner", "Лебедев"],
        female: false,
        post: ["Owner", "Владелец"],
        company: None,
        phones: &["MOBILE", "WORK", "HOME"],
        email: ["mike.turner@mail.example", "lebedev.m@mail.example"],
        type_id: "CLIENT",
        source: "ADVERTISING",
    },
    ContactTpl {
        name: ["Charlotte", "Татьяна"],
        second_name: ["Mae", "Игоревна"],
        last_name: ["Hughes", "Новикова"],
        female: true,
        post: ["Project Manager", "Руководитель проектов"],
        company: Some(3),
        phones: &["MOBILE"],
        email: [
            "c.hughes@greenfield.example",
            "t.novikova@alfa-consult.example",
        ],
        type_id: "PARTNER",
        source: "PARTNER",
    },
    ContactTpl {
        name: ["Ryan", "Сергей"],
        second_name: ["Thomas", "Владимирович"],
        last_name: ["Mitchell", "Орлов"],
        female: false,
        post: ["", ""],
        company: None,
        phones: &["MOBILE"],
        email: ["", ""],
        type_id: "OTHER",
        source: "OTHER",
    },
];

struct LeadTpl {
    title: Text,
    name: Text,
    last_name: Text,
    company_title: Text,
    post: Text,
    stage: &'static str,
    source: &'static str,
    phones: &'static [&'static str],
    email: Text,
    uk: bool,
}

/// The third lead has no phone: switching to it is how the card reports `"unknown"`.
const LEADS: [LeadTpl; 4] = [
    LeadTpl {
        title: [
            "Website request: CRM rollout",
            "Заявка с сайта: внедрение CRM",
        ],
        name: ["Kevin", "Константин"],
        last_name: ["Price", "Белов"],
        company_title: ["Maple Street Bakery", "ООО «Ромашка»"],
        post: ["Co-owner", "Совладелец"],
        stage: "NEW",
        source: "WEB",
        phones: &["MOBILE"],
        email: ["kevin@maplestreet.example", "k.belov@romashka.example"],
        uk: false,
    },
    LeadTpl {
        title: ["Inbound call", "Входящий звонок"],
        name: ["Laura", "Марина"],
        last_name: ["Chen", "Зайцева"],
        company_title: ["", ""],
        post: ["", ""],
        stage: "IN_PROCESS",
        source: "CALL",
        phones: &["MOBILE"],
        email: ["", ""],
        uk: true,
    },
    LeadTpl {
        title: ["Price list request", "Запрос прайс-листа"],
        name: ["Peter", "Алексей"],
        last_name: ["Hall", "Григорьев"],
        company_title: ["Hall & Sons Builders", "ЗАО «СтройМонтаж»"],
        post: ["Purchasing Engineer", "Инженер по снабжению"],
        stage: "PROCESSED",
        source: "EMAIL",
        phones: &[],
        email: [
            "p.hall@hallandsons.example",
            "a.grigoryev@stroymontazh.example",
        ],
        uk: false,
    },
    LeadTpl {
        title: ["Partner referral", "Рекомендация партнёра"],
        name: ["Grace", "Виктория"],
        last_name: ["Kim", "Смирнова"],
        company_title: ["Brightside Media", "ООО «Медиа Плюс»"],
        post: ["Marketing Lead", "Маркетолог"],
        stage: "JUNK",
        source: "PARTNER",
        phones: &["WORK"],
        email: ["grace@brightside.example", "v.smirnova@mediaplus.example"],
        uk: true,
    },
];

struct DealTpl {
    title: Text,
    category: u64,
    stage: &'static str,
    /// Indexes into [`CONTACTS`] and [`COMPANIES`].
    contact: Option<usize>,
    company: Option<usize>,
}

/// Two pipelines; the first two deals belong to the showcase contact.
const DEALS: [DealTpl; 8] = [
    DealTpl {
        title: ["Server hardware supply", "Поставка серверного оборудования"],
        category: 0,
        stage: "PREPARATION",
        contact: Some(0),
        company: Some(0),
    },
    DealTpl {
        title: ["Service contract 2027", "Сервисный договор на 2027 год"],
        category: 1,
        stage: "C1:EXECUTING",
        contact: Some(0),
        company: Some(0),
    },
    DealTpl {
        title: ["Software licences, 25 seats", "Лицензии на 25 рабочих мест"],
        category: 0,
        stage: "WON",
        contact: Some(1),
        company: Some(0),
    },
    DealTpl {
        title: ["Fleet tracking rollout", "Внедрение мониторинга автопарка"],
        category: 0,
        stage: "EXECUTING",
        contact: Some(2),
        company: Some(1),
    },
    DealTpl {
        title: ["Annual maintenance", "Годовое обслуживание"],
        category: 1,
        stage: "C1:NEW",
        contact: None,
        company: Some(1),
    },
    DealTpl {
        title: ["Data centre audit", "Аудит ЦОД"],
        category: 0,
        stage: "PREPAYMENT_INVOICE",
        contact: Some(3),
        company: Some(2),
    },
    DealTpl {
        title: ["Website redesign", "Редизайн сайта"],
        category: 0,
        stage: "LOSE",
        contact: Some(5),
        company: None,
    },
    DealTpl {
        title: ["Analytics platform pilot", "Пилот аналитической платформы"],
        category: 0,
        stage: "NEW",
        contact: Some(6),
        company: Some(3),
    },
];

/// First ids of each type: distinct ranges, so a test that confuses types fails.
const COMPANY_FIRST_ID: u64 = 5;
const CONTACT_FIRST_ID: u64 = 12;
const LEAD_FIRST_ID: u64 = 31;
const DEAL_FIRST_ID: u64 = 41;

/// One entry of a `crm.status.list` directory.
pub(super) struct StatusTpl {
    pub(super) id: &'static str,
    pub(super) name: Text,
    /// `Some("S")` success, `Some("F")` failure, `None` in progress.
    semantics: Option<&'static str>,
    color: Option<&'static str>,
    system: bool,
}

const fn st(
    id: &'static str,
    name: Text,
    semantics: Option<&'static str>,
    color: Option<&'static str>,
    system: bool,
) -> StatusTpl {
    StatusTpl {
        id,
        name,
        semantics,
        color,
        system,
    }
}

/// One `ENTITY_ID` of `crm.status.list`.
pub(super) struct Directory {
    pub(super) entity_id: &'static str,
    /// The deal category a `DEAL_STAGE_<n>` belongs to.
    category: Option<&'static str>,
    /// Stage directories carry `EXTRA` (semantics and colour); plain lists do not.
    stages: bool,
    pub(super) statuses: &'static [StatusTpl],
}

// One status a row: the table is read across, so rustfmt's one-argument-a-line layout is kept off.
#[rustfmt::skip]
pub(super) const DIRECTORIES: [Directory; 5] = [
    Directory {
        entity_id: "STATUS",
        category: None,
        stages: true,
        statuses: &[
            st("NEW", ["Unassigned", "Не обработан"], None, Some("#39A8EF"), true),
            st("IN_PROCESS", ["In progress", "В работе"], None, Some("#2FC6F6"), false),
            st("PROCESSED", ["Processed", "Обработан"], None, Some("#55D0E0"), false),
            st("CONVERTED", ["Good lead", "Качественный лид"], Some("S"), Some("#7BD500"), true),
            st("JUNK", ["Junk lead", "Некачественный лид"], Some("F"), Some("#FF5752"), true),
        ],
    },
    Directory {
        entity_id: "DEAL_STAGE",
        category: None,
        stages: true,
        statuses: &[
            st("NEW", ["New", "Новая"], None, Some("#39A8EF"), true),
            st("PREPARATION", ["Preparation", "Подготовка документов"], None, Some("#2FC6F6"), false),
            st("PREPAYMENT_INVOICE", ["Prepayment invoice", "Счёт на предоплату"], None, Some("#55D0E0"), false),
            st("EXECUTING", ["In progress", "В работе"], None, Some("#47E4C2"), false),
            st("FINAL_INVOICE", ["Final invoice", "Финальный счёт"], None, Some("#FFA900"), false),
            st("WON", ["Won", "Сделка успешна"], Some("S"), Some("#7BD500"), true),
            st("LOSE", ["Lost", "Сделка провалена"], Some("F"), Some("#FF5752"), true),
        ],
    },
    Directory {
        entity_id: "DEAL_STAGE_1",
        category: Some("1"),
        stages: true,
        statuses: &[
            st("C1:NEW", ["New request", "Новая заявка"], None, Some("#39A8EF"), true),
            st("C1:PREPARATION", ["Proposal sent", "КП отправлено"], None, Some("#2FC6F6"), false),
            st("C1:EXECUTING", ["Negotiation", "Переговоры"], None, Some("#47E4C2"), false),
            st("C1:WON", ["Contract signed", "Договор подписан"], Some("S"), Some("#7BD500"), true),
            st("C1:LOSE", ["Declined", "Отказ"], Some("F"), Some("#FF5752"), true),
        ],
    },
    Directory {
        entity_id: "SOURCE",
        category: None,
        stages: false,
        statuses: &[
            st("CALL", ["Call", "Звонок"], None, None, true),
            st("EMAIL", ["E-mail", "Электронная почта"], None, None, true),
            st("WEB", ["Website", "Веб-сайт"], None, None, true),
            st("ADVERTISING", ["Advertising", "Реклама"], None, None, true),
            st("PARTNER", ["Existing client", "Существующий клиент"], None, None, true),
            st("OTHER", ["Other", "Другое"], None, None, true),
        ],
    },
    Directory {
        entity_id: "CALL_LIST",
        category: None,
        stages: false,
        statuses: &[
            st("IN_WORK", ["In progress", "В работе"], None, None, true),
            st("SUCCESS", ["Successful", "Успешный"], None, None, true),
            st("WRONG_NUMBER", ["Wrong number", "Неверный номер"], None, None, true),
            st("STOP_CALLING", ["Do not call again", "Больше не звонить"], None, None, true),
            st("CALLBACK", ["Call back later", "Перезвонить позже"], None, None, false),
        ],
    },
];

/// `stageSemanticId` of a stage: `S`, `F`, or `P` (in progress).
fn stage_semantic(directory: &str, stage: &str) -> &'static str {
    DIRECTORIES
        .iter()
        .filter(|d| d.entity_id == directory)
        .flat_map(|d| d.statuses)
        .find(|s| s.id == stage)
        .and_then(|s| s.semantics)
        .unwrap_or("P")
}

// ---------------------------------------------------------------------------------------------
// Generating the CRM
// ---------------------------------------------------------------------------------------------

/// Where a number is from, which decides its format.
#[derive(Debug, Clone, Copy)]
enum Country {
    Ru,
    Us,
    Uk,
}

impl Country {
    /// A number nobody else in the CRM has: as the CRM stores it (with separators) and as the
    /// card reports it (`+` and digits). English numbers are in the ranges reserved for fiction
    /// (US 555-01xx, UK 020 7946 0xxx and 07700 900xxx), so the demo never shows a real person's.
    fn number(self, mobile: bool, rng: &mut Rng, used: &mut BTreeSet<String>) -> (String, String) {
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

    fn format(self, mobile: bool, prefix: u64, n: u64) -> (String, String) {
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

    fn of(lang: Lang, uk: bool) -> Country {
        match (lang, uk) {
            (Lang::Ru, _) => Country::Ru,
            (Lang::En, true) => Country::Uk,
            (Lang::En, false) => Country::Us,
        }
    }
}

/// One CRM item: its `crm.item.get` fields (camelCase, with `fm` and the flat aliases).
#[derive(Debug, Clone)]
pub(super) struct Record {
    pub(super) entity: EntityRef,
    pub(super) fields: Map<String, Value>,
    /// The first phone as the card reports it, if the item has one.
    pub(super) phone: Option<String>,
}

impl Record {
    pub(super) fn id_field(&self, key: &str) -> Option<u64> {
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
pub(super) struct Crm {
    /// Companies, contacts, leads, deals — each type in id order.
    records: Vec<Record>,
    /// `user.get` rows, user 1 first.
    pub(super) users: Vec<Value>,
    /// A number that belongs to nobody in the CRM: the unknown caller.
    stranger: String,
}

/// State shared while the CRM is generated.
struct Builder<'a> {
    lang: Lang,
    rng: &'a mut Rng,
    used_numbers: BTreeSet<String>,
    next_multifield_id: u64,
}

impl Builder<'_> {
    /// Adds `fm` and the flat `phone`/`email` aliases; returns the first phone, digits only.
    fn multifields(
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
    fn today(&self) -> i64 {
        (DEFAULT_NOW_MS / 1000.0) as i64
    }

    /// When an item was created: some days before "today", in working hours.
    fn created(&mut self) -> i64 {
        midnight(self.today()) - self.rng.between(3, 400) as i64 * 86_400
            + self.rng.between(8 * 3600, 19 * 3600) as i64
    }

    fn responsible(&mut self) -> u64 {
        self.rng.between(1, USERS.len() as u64)
    }

    /// An amount in the currency's usual size: roubles in thousands, others in hundreds.
    fn amount(&mut self) -> f64 {
        match self.lang {
            Lang::Ru => (self.rng.between(40, 900) * 1_000 + self.rng.below(2) * 500) as f64,
            Lang::En => (self.rng.between(12, 480) * 100) as f64,
        }
    }
}

pub(super) fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn honorific(lang: Lang, female: bool) -> &'static str {
    match (lang, female) {
        (Lang::Ru, false) => "HNR_RU_1",
        (Lang::Ru, true) => "HNR_RU_2",
        (Lang::En, false) => "HNR_EN_1",
        (Lang::En, true) => "HNR_EN_3",
    }
}

impl Crm {
    fn generate(lang: Lang, rng: &mut Rng) -> Crm {
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

    pub(super) fn get(&self, entity: EntityRef) -> Option<&Record> {
        self.records.iter().find(|r| r.entity == entity)
    }

    pub(super) fn of_kind(&self, kind: EntityKind) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(move |r| r.entity.kind == kind)
    }

    /// What a call to `party` is bound to: its deals, its company, then the party itself.
    fn bindings(&self, party: EntityRef) -> Vec<EntityRef> {
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
    fn poison_with_markup(&mut self) {
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

    fn first_caller(&self, scenario: Scenario, seed: u64) -> Caller {
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

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/// `YYYY-MM-DDTHH:MM:SS+00:00`, the form REST dates take.
pub(super) fn iso(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

pub(super) fn midnight(unix_secs: i64) -> i64 {
    unix_secs - unix_secs.rem_euclid(86_400)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32, d as u32)
}

/// Rounds to microseconds, the precision the portal reports.
fn micros(secs: f64) -> f64 {
    (secs * 1e6).round() / 1e6
}

/// How long a method "works" on the server, in seconds. Fixed per method, so answers are
/// reproducible and list calls visibly cost more than lookups.
fn processing_secs(method: &str) -> f64 {
    match method {
        "crm.item.list" => 0.0342,
        "crm.item.get" => 0.0187,
        "user.get" => 0.0094,
        "crm.status.list" => 0.0061,
        "user.current" => 0.0031,
        "app.info" => 0.0022,
        "batch" => 0.0008,
        _ => 0.0045,
    }
}

/// The `time` object. `operating` (with its reset time) is left out where the portal leaves it
/// out: in the per-command `result_time` of a batch.
fn time_object(start: f64, processing: f64, operating: Option<f64>) -> Value {
    let finish = start + processing + BOOTSTRAP_SECS;
    let mut t = object(json!({
        "start": micros(start),
        "finish": micros(finish),
        "duration": micros(finish - start),
        "processing": micros(processing),
        "date_start": iso(start.floor() as i64),
        "date_finish": iso(finish.floor() as i64),
    }));
    if let Some(operating) = operating {
        t.insert(
            "operating_reset_at".into(),
            json!(start.floor() as i64 + OPERATING_WINDOW_SECS),
        );
        t.insert("operating".into(), json!(micros(operating)));
    }
    Value::Object(t)
}

// ---------------------------------------------------------------------------------------------
// REST plumbing: answers, faults, lenient parameters
// ---------------------------------------------------------------------------------------------

/// A method's result before the envelope is added.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) result: Value,
    pub(super) total: Option<u64>,
    pub(super) next: Option<u64>,
}

impl Reply {
    pub(super) fn plain(result: Value) -> Reply {
        Reply {
            result,
            total: None,
            next: None,
        }
    }
}

/// A method's failure: the HTTP status and the Bitrix24 error body.
#[derive(Debug)]
pub(super) struct Fault {
    pub(super) status: u16,
    pub(super) code: Cow<'static, str>,
    pub(super) description: String,
    /// The parameter at fault, sent as `argument` with `ERROR_ARGUMENT`.
    pub(super) argument: Option<&'static str>,
}

impl Fault {
    fn missing(argument: &'static str) -> Fault {
        Fault {
            status: 400,
            code: "ERROR_ARGUMENT".into(),
            description: format!("Argument '{argument}' is null or empty"),
            argument: Some(argument),
        }
    }

    fn not_found(description: &str) -> Fault {
        Fault {
            status: 400,
            code: "NOT_FOUND".into(),
            description: description.into(),
            argument: None,
        }
    }

    /// An error the demo's `fail=` rules inject.
    fn injected(code: &str) -> Fault {
        Fault {
            status: Faults::status_of(code),
            code: Cow::Owned(code.to_string()),
            description: Faults::description_of(code),
            argument: None,
        }
    }

    fn method_not_found() -> Fault {
        Fault {
            status: 404,
            code: "ERROR_METHOD_NOT_FOUND".into(),
            description: "Method not found!".into(),
            argument: None,
        }
    }

    fn body(&self) -> Value {
        let mut body = object(json!({"error": self.code, "error_description": self.description}));
        if let Some(argument) = self.argument {
            body.insert("argument".into(), argument.into());
        }
        Value::Object(body)
    }
}

/// A parameter by name. Names are matched ignoring case, as the portal does for most methods.
pub(super) fn arg<'a>(params: &'a Value, name: &str) -> Option<&'a Value> {
    let obj = params.as_object()?;
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A non-empty text parameter (numbers are accepted as text).
fn text_arg(params: &Value, name: &str) -> Option<String> {
    match arg(params, name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn to_u64(v: &Value) -> Option<u64> {
    value_u64(v).ok().flatten()
}

pub(super) fn to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `1`, `"1"`, `true`, `"true"`, `"Y"` — the spellings of "yes" a form-encoded flag arrives in.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "y" | "yes"
        ),
        _ => false,
    }
}

/// The values of a list parameter: an array, a PHP map with numeric keys, or one scalar.
pub(super) fn values_of(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) => m.values().collect(),
        other => vec![other],
    }
}

/// A field of a row, looked up ignoring case (filters and selects arrive as `ID` or `id`).
/// The rows as `select` asks (`select`, with `id_key` always): whole rows when nothing or `*`
/// is asked. `hidden` is a field the method cannot select.
pub(super) fn select_fields(
    rows: Vec<&Map<String, Value>>,
    params: &Value,
    id_key: &str,
    hidden: &str,
) -> Vec<Value> {
    let select: Vec<&str> = arg(params, "select")
        .map(values_of)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .collect();
    if select.is_empty() || select.contains(&"*") {
        return rows.into_iter().map(|r| Value::Object(r.clone())).collect();
    }
    rows.into_iter()
        .map(|row| {
            let mut item = Map::new();
            for name in std::iter::once(id_key).chain(select.iter().copied()) {
                if let Some((key, value)) = field(row, name).filter(|(k, _)| *k != hidden) {
                    item.insert(key.clone(), value.clone());
                }
            }
            Value::Object(item)
        })
        .collect()
}

pub(super) fn field<'a>(
    row: &'a Map<String, Value>,
    name: &str,
) -> Option<(&'a String, &'a Value)> {
    row.get_key_value(name)
        .or_else(|| row.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
}

/// A scalar as comparable text; numbers compare as numbers wherever both sides are numeric.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "Y".into() } else { "N".into() }),
        _ => None,
    }
}

fn compare(have: &Value, want: &Value) -> Option<Ordering> {
    let (a, b) = (scalar_text(have)?, scalar_text(want)?);
    let flag = |s: &str| match s.to_ascii_lowercase().as_str() {
        "y" | "true" => "Y".to_string(),
        "n" | "false" => "N".to_string(),
        _ => s.to_string(),
    };
    match (parse_decimal(&a), parse_decimal(&b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => Some(flag(&a).cmp(&flag(&b))),
    }
}

/// Equality for filters: `"5"` equals `5`; an array field matches if any element does.
fn loose_eq(have: &Value, want: &Value) -> bool {
    match have {
        Value::Array(items) => items.iter().any(|h| loose_eq(h, want)),
        _ => compare(have, want) == Some(Ordering::Equal),
    }
}

/// Whether a row passes a `filter` object: every `[op]field: value` condition must hold.
/// Operators: none or `=` (equal, or one of a list), `!`/`!=`, `@`/`!@` (in / not in a list),
/// `>`, `>=`, `<`, `<=`, `%` (contains). A field the row does not have restricts nothing, so an
/// unsupported filter widens the answer rather than failing the demo.
pub(super) fn passes(row: &Map<String, Value>, filter: &Map<String, Value>) -> bool {
    filter.iter().all(|(key, want)| {
        let (op, name) = ["!@", ">=", "<=", "!=", "@", "=", "!", ">", "<", "%"]
            .iter()
            .find_map(|op| key.strip_prefix(*op).map(|rest| (*op, rest)))
            .unwrap_or(("", key.as_str()));
        let Some((_, have)) = field(row, name) else {
            return true;
        };
        let any_equal = || values_of(want).into_iter().any(|w| loose_eq(have, w));
        match op {
            "" | "=" | "@" => any_equal(),
            "!" | "!=" | "!@" => !any_equal(),
            ">" => compare(have, want) == Some(Ordering::Greater),
            ">=" => matches!(
                compare(have, want),
                Some(Ordering::Greater | Ordering::Equal)
            ),
            "<" => compare(have, want) == Some(Ordering::Less),
            "<=" => matches!(compare(have, want), Some(Ordering::Less | Ordering::Equal)),
            _ => match (scalar_text(have), scalar_text(want)) {
                // ASCII case folding only: Unicode case tables would cost the shipped build
                // more than this demo filter is worth.
                (Some(h), Some(w)) => h.to_ascii_lowercase().contains(&w.to_ascii_lowercase()),
                _ => false,
            },
        }
    })
}

/// Sorts rows by an `order` object (`{"id": "DESC"}`); rows keep their order otherwise.
pub(super) fn sort_rows(rows: &mut [&Map<String, Value>], order: Option<&Value>) {
    let Some(Value::Object(order)) = order else {
        return;
    };
    rows.sort_by(|a, b| {
        for (name, dir) in order {
            let ord = match (field(a, name), field(b, name)) {
                (Some((_, x)), Some((_, y))) => compare(x, y).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            let ord = if dir
                .as_str()
                .is_some_and(|d| d.trim().eq_ignore_ascii_case("desc"))
            {
                ord.reverse()
            } else {
                ord
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
}

/// One page of a list method.
#[derive(Debug, PartialEq)]
struct Page {
    range: Range<usize>,
    total: Option<u64>,
    next: Option<u64>,
}

/// 50 rows from `start`, with `next` when more follow. A negative `start` (`-1`) is the fast
/// mode: the first page without counting, so neither `total` nor `next`.
fn page(len: usize, start: i64) -> Page {
    if start < 0 {
        return Page {
            range: 0..len.min(PAGE_SIZE),
            total: None,
            next: None,
        };
    }
    let from = usize::try_from(start).unwrap_or(usize::MAX).min(len);
    let to = from.saturating_add(PAGE_SIZE).min(len);
    Page {
        range: from..to,
        total: Some(len as u64),
        next: (to < len).then_some(to as u64),
    }
}

pub(super) fn paged(rows: Vec<Value>, params: &Value) -> Reply {
    let start = arg(params, "start").and_then(to_i64).unwrap_or(0);
    let page = page(rows.len(), start);
    let result = rows
        .get(page.range)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    Reply {
        result: Value::Array(result),
        total: page.total,
        next: page.next,
    }
}

/// Replaces every `$result[key][field]…` string with that value of an earlier command's result
/// (any depth); a path that leads nowhere becomes `""`, as on the portal.
fn resolve_references(v: &mut Value, done: &Map<String, Value>) {
    match v {
        Value::String(s) if s.starts_with("$result[") => {
            *v = reference_target(&s["$result".len()..], done)
                .unwrap_or_else(|| Value::String(String::new()));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| resolve_references(x, done)),
        Value::Object(m) => m.values_mut().for_each(|x| resolve_references(x, done)),
        _ => {}
    }
}

fn reference_target(path: &str, done: &Map<String, Value>) -> Option<Value> {
    let inner = path.strip_prefix('[')?.strip_suffix(']')?;
    let mut segments = inner.split("][");
    let mut at = done.get(segments.next()?)?;
    for seg in segments {
        at = match at {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!at.is_null()).then(|| at.clone())
}

/// A PHP array as `json_encode` writes it: `[]` when empty, a list when the keys are 0..n in
/// order, an object otherwise.
fn php_map(entries: Vec<(String, Value)>) -> Value {
    let is_list = entries
        .iter()
        .enumerate()
        .all(|(i, (k, _))| *k == i.to_string());
    if is_list {
        Value::Array(entries.into_iter().map(|(_, v)| v).collect())
    } else {
        Value::Object(entries.into_iter().collect())
    }
}

// ---------------------------------------------------------------------------------------------
// The simulated portal
// ---------------------------------------------------------------------------------------------

/// Who the card shows on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Client(EntityRef),
    /// A client's number on a call the portal did not bind to them (`scenario=unbound`).
    Unbound(EntityRef),
    /// A number that is not in the CRM.
    Stranger,
    /// The caller hid the number.
    Hidden,
}

/// A `placement.bind` registration.
#[derive(Debug, Clone)]
struct Binding {
    placement: String,
    handler: String,
    title: String,
    description: String,
    lang_all: Map<String, Value>,
}

impl Binding {
    fn to_json(&self) -> Value {
        json!({
            "placement": self.placement,
            "handler": self.handler,
            "title": self.title,
            "description": self.description,
            "options": [],
            "langAll": self.lang_all,
        })
    }
}

/// The simulated portal: one call card and its CRM.
#[derive(Debug, Clone)]
pub struct Sim {
    lang: Lang,
    lang_code: String,
    scenario: Scenario,
    placement: DemoPlacement,
    crm: Crm,
    /// Continues after the CRM is generated; draws call ids.
    rng: Rng,
    now_ms: f64,
    call_id: String,
    direction: Direction,
    state: CallState,
    activity_id: Option<u64>,
    next_activity_id: u64,
    caller: Caller,
    bindings: Vec<Binding>,
    /// Seconds of server time each method has used (the `operating` of its `time`).
    operating: BTreeMap<String, f64>,
    request_log: Vec<String>,
    /// What the URL asked the portal to get wrong.
    faults: Faults,
    /// Draws the fault decisions: seeded from the config's seed but separate from `rng`, so
    /// injecting faults never changes the generated portal or its call ids.
    fault_rng: Rng,
    /// Requests since the access token was issued or last refreshed (for `expire=N`).
    since_refresh: u64,
    fault_log: Vec<(String, Injected)>,
    /// The clients' activities and call statistics (`crm.activity.list`, `voximplant.statistic.get`).
    history: History,
    /// When the current call was answered (the sim's clock), for its duration and start time.
    answered_ms: Option<f64>,
    /// The user's call lists and their activities (`sim_calllist`).
    calllists: CallLists,
    /// Timeline comments written from the card and the seeded ones (`sim_timeline`).
    timeline: Timeline,
    /// The card's auto-close after a call (`disableAutoClose`/`enableAutoClose`).
    autoclose: AutoClose,
}

/// What became of one REST request ([`Sim::rest_outcome`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// HTTP 200: the body with `result`, `time` and, for lists, `total`/`next`.
    Answer(Value),
    /// An HTTP error status and the body `{error, error_description}`. 5xx errors are answered
    /// too, with their body: it is the browser wrapper that emulates BX24.js, which throws on a
    /// 5xx and never calls the callback back (reference §1.3).
    Error(u16, Value),
    /// The request hangs: no answer ever comes (`stall=`).
    NeverAnswers,
}

/// A fault the demo injected, as [`Sim::fault_log`] records it.
#[derive(Debug, Clone, PartialEq)]
pub enum Injected {
    /// The whole request failed (`fail=` or `expire=`; `expired_token` for the latter).
    Error { status: u16, code: String },
    /// One command of a batch failed with a business error; the rest of the batch ran.
    InBatch {
        key: String,
        status: u16,
        code: String,
    },
    /// The request never answers (`stall=`).
    NeverAnswers,
}

fn close_events(steps: Vec<CloseStep>) -> Vec<SimEvent> {
    steps
        .into_iter()
        .map(|s| match s {
            CloseStep::BeforeClose => SimEvent::BeforeClose,
            CloseStep::Closed => SimEvent::Closed,
        })
        .collect()
}

/// Errors that fail a whole HTTP request — a batch included — rather than one command in it:
/// server errors, limits and authorisation.
fn fails_whole_request(status: u16) -> bool {
    status >= 500 || status == 429 || status == 401
}

/// The lower-case methods of a batch's commands (at most [`MAX_COMMANDS`]), without running them.
fn batch_methods(params: &Value) -> Vec<String> {
    let lines: Vec<&Value> = match arg(params, "cmd") {
        Some(Value::Object(m)) => m.values().collect(),
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    };
    lines
        .into_iter()
        .take(MAX_COMMANDS)
        .filter_map(|line| line.as_str())
        .map(|line| {
            let method = line.split_once('?').map_or(line, |(m, _)| m);
            method.trim().to_ascii_lowercase()
        })
        .collect()
}

impl Sim {
    /// A portal for `cfg`: the CRM, the scenario's call (ringing), and the app's registrations
    /// (the `CALL_CARD` tab is bound, except on the install page where the app starts unbound).
    pub fn new(cfg: &DemoConfig) -> Sim {
        let lang = Lang::from_code(&cfg.lang);
        let mut rng = Rng(cfg.seed);
        let mut crm = Crm::generate(lang, &mut rng);
        if cfg.markup {
            crm.poison_with_markup();
        }
        let caller = crm.first_caller(cfg.scenario, cfg.seed);
        let ids = |kind| crm.of_kind(kind).map(|r| r.entity.id).collect::<Vec<_>>();
        let with_phone: Vec<u64> = crm
            .of_kind(EntityKind::Contact)
            .filter(|r| r.phone.is_some())
            .map(|r| r.entity.id)
            .collect();
        let (calllists, campaign_contacts) = CallLists::generate(&Setup {
            ru: lang == Lang::Ru,
            seed: cfg.seed,
            size: cfg.calllist_size as usize,
            fill: cfg.scenario == Scenario::Campaign,
            client: match caller {
                Caller::Client(e) => Some(e),
                _ => None,
            },
            contacts: &with_phone,
            companies: &ids(EntityKind::Company),
            deals: &ids(EntityKind::Deal),
            today: (DEFAULT_NOW_MS / 1000.0) as i64,
            hidden: cfg.calllist_hidden as usize,
            concurrent: cfg.calllist_concurrent,
        });
        for (entity, fields, phone) in campaign_contacts {
            crm.records.push(Record {
                entity,
                fields,
                phone,
            });
        }
        let direction = match cfg.scenario {
            Scenario::Incoming | Scenario::Unknown | Scenario::Hidden | Scenario::Unbound => {
                Direction::Incoming
            }
            Scenario::Outgoing | Scenario::Failed | Scenario::Campaign => Direction::Outgoing,
        };
        let next_activity_id = rng.between(12_000, 12_999);
        let bindings = match cfg.placement {
            DemoPlacement::CallCard => vec![Binding {
                placement: "CALL_CARD".into(),
                handler: DEMO_HANDLER.into(),
                title: lang.pick(["Client card", "Карточка клиента"]).into(),
                description: String::new(),
                lang_all: object(json!({
                    "en": {"TITLE": "Client card", "DESCRIPTION": "", "GROUP_NAME": ""},
                    "ru": {"TITLE": "Карточка клиента", "DESCRIPTION": "", "GROUP_NAME": ""},
                })),
            }],
            DemoPlacement::Default => Vec::new(),
        };
        let mut sim = Sim {
            lang,
            lang_code: cfg.lang.clone(),
            scenario: cfg.scenario,
            placement: cfg.placement,
            crm,
            rng,
            now_ms: DEFAULT_NOW_MS,
            call_id: String::new(),
            direction,
            state: CallState::Connecting,
            activity_id: None,
            next_activity_id,
            caller,
            bindings,
            operating: BTreeMap::new(),
            request_log: Vec::new(),
            faults: cfg.faults.clone(),
            fault_rng: Rng(cfg.seed ^ 0xFA17_5EED_FA17_5EED),
            since_refresh: 0,
            fault_log: Vec::new(),
            history: History::new(lang, cfg.seed, cfg.stats_denied).with_markup(cfg.markup),
            answered_ms: None,
            calllists,
            timeline: Timeline::new(lang),
            autoclose: AutoClose::new(cfg.autoclose_s),
        };
        sim.call_id = sim.new_call_id();
        sim
    }

    /// Sets the clock used for `time` objects and new calls' ids. Non-finite values are ignored;
    /// the rest is kept within 1970..=9999.
    pub fn set_now_ms(&mut self, unix_ms: f64) {
        if unix_ms.is_finite() {
            self.now_ms = unix_ms.clamp(0.0, MAX_NOW_MS);
        }
    }

    /// `"CALL_CARD"`, or `"DEFAULT"` for the app's own page.
    pub fn placement(&self) -> &'static str {
        self.placement.as_str()
    }

    /// What `BX24.placement.call('getStatus')` answers, with real types: integer ids, a boolean
    /// `CALL_LIST_MODE`, `CRM_ACTIVITY_ID` `""` until the call has an activity, no
    /// `PHONE_NUMBER` when the number is unknown and no `CRM_BINDINGS` when there are none.
    pub fn status(&self) -> Value {
        let entity = self.entity();
        let mut s = object(json!({
            "CALL_ID": self.call_id,
            "LINE_NUMBER": self.lang.pick(["+1 555 0100", "+7 495 000-00-00"]),
            "LINE_NAME": self.lang.pick(["Sales line", "Отдел продаж"]),
            "CRM_ENTITY_TYPE": entity.map(|e| e.kind.name()).unwrap_or_default(),
            "CRM_ENTITY_ID": entity.map_or(0, |e| e.id),
            "CRM_ACTIVITY_ID": self.activity_id.map_or(json!(""), |id| json!(id)),
            "CALL_DIRECTION": self.direction.as_str(),
            "CALL_STATE": self.state.as_str(),
            "CALL_LIST_MODE": self.scenario == Scenario::Campaign,
        }));
        if let Some(phone) = self.phone() {
            s.insert("PHONE_NUMBER".into(), phone.into());
        }
        let bindings = self.current_bindings();
        if !bindings.is_empty() {
            let list: Vec<Value> = bindings
                .iter()
                .map(|b| json!({"ENTITY_TYPE": b.kind.name(), "ENTITY_ID": b.id}))
                .collect();
            s.insert("CRM_BINDINGS".into(), Value::Array(list));
        }
        Value::Object(s)
    }

    /// The `PLACEMENT_OPTIONS` the tab would be POSTed now: the same call as [`Sim::status`] with
    /// every value a string (`"17"`, `"false"`, `"undefined"` for no activity) plus `URI`.
    /// The app's own page (`DEFAULT`) gets no options at all: `{}`.
    pub fn placement_options(&self) -> Value {
        if self.placement == DemoPlacement::Default {
            return json!({});
        }
        let mut o = Map::new();
        for (key, value) in object(self.status()) {
            let text = match value {
                Value::String(s) => Value::String(s),
                Value::Array(bindings) => Value::Array(
                    bindings
                        .into_iter()
                        .map(|b| json!({"ENTITY_TYPE": b["ENTITY_TYPE"], "ENTITY_ID": b["ENTITY_ID"].to_string()}))
                        .collect(),
                ),
                other => Value::String(other.to_string()),
            };
            o.insert(key, text);
        }
        if self.activity_id.is_none() {
            o.insert("CRM_ACTIVITY_ID".into(), "undefined".into());
        }
        let uri = self
            .entity()
            .map_or_else(|| "/stream/".to_string(), |e| e.kind.details_path(e.id));
        o.insert("URI".into(), uri.into());
        Value::Object(o)
    }

    /// The ringing call is taken: `connecting → connected`, and the call gets its CRM activity.
    /// In the `failed` scenario the line is busy instead: `→ idle` with SIP code 486.
    pub fn answer(&mut self) -> Vec<SimEvent> {
        if self.state != CallState::Connecting {
            return Vec::new();
        }
        if self.scenario == Scenario::Failed {
            self.file_call("486");
            return self.set_state(CallState::Idle, Some("486"));
        }
        self.activity_id = Some(self.next_activity_id);
        self.next_activity_id += 1;
        self.answered_ms = Some(self.now_ms);
        self.set_state(CallState::Connected, None)
    }

    /// Ends the call (ringing or talking); nothing happens when it is already over. The call
    /// goes into the client's history: answered (`200`) after a talk, missed (`304`) or
    /// cancelled (`603-S`) when an incoming or outgoing call is dropped while ringing.
    pub fn hangup(&mut self) -> Vec<SimEvent> {
        if self.state == CallState::Idle {
            return Vec::new();
        }
        let code = match (self.state, self.direction) {
            (CallState::Connected, _) => "200",
            (_, Direction::Incoming | Direction::IncomingTransfer) => "304",
            _ => "603-S",
        };
        self.file_call(code);
        self.autoclose.call_ended(self.now_ms);
        self.set_state(CallState::Idle, None)
    }

    /// `disableAutoClose` (`enabled == false`) / `enableAutoClose` from the card's app.
    pub fn auto_close(&mut self, enabled: bool) -> Vec<SimEvent> {
        let steps = self.autoclose.command(enabled, self.now_ms);
        close_events(steps)
    }

    /// Runs the auto-close countdown to the sim's clock.
    pub fn tick(&mut self) -> Vec<SimEvent> {
        let steps = self.autoclose.tick(self.now_ms);
        close_events(steps)
    }

    /// The auto-close as the demo panel shows it: `{held, closed, closesAt}` (ms or null).
    pub fn auto_close_state(&self) -> Value {
        json!({"held": self.autoclose.held(self.now_ms), "closed": self.autoclose.closed(),
               "closesAt": self.autoclose.due()})
    }

    /// Files the current call in the caller's history as it ends with `code`. A call that never
    /// connected gets its activity now (the card never showed one), dated now and lasting 0 s.
    fn file_call(&mut self, code: &'static str) {
        let Some(party) = self.entity() else {
            return;
        };
        let activity_id = self.activity_id.unwrap_or_else(|| {
            self.next_activity_id += 1;
            self.next_activity_id - 1
        });
        let start_ms = self.answered_ms.take().unwrap_or(self.now_ms);
        let call = EndedCall {
            activity_id,
            party,
            bindings: self.current_bindings(),
            direction: self.direction,
            call_id: self.call_id.clone(),
            code,
            start_secs: (start_ms / 1000.0).floor() as i64,
            duration_secs: ((self.now_ms - start_ms).max(0.0) / 1000.0) as u64,
            user_id: 1,
        };
        self.history.record_call(&self.crm, self.now_ms, call);
    }

    /// Calls the same client again: a new outgoing call with its own `CALL_ID` and no activity
    /// yet. Only possible once the previous call is over.
    pub fn redial(&mut self) -> Vec<SimEvent> {
        if self.state != CallState::Idle {
            return Vec::new();
        }
        self.call_id = self.new_call_id();
        self.direction = Direction::Outgoing;
        self.activity_id = None;
        self.answered_ms = None;
        self.autoclose.call_started();
        self.set_state(CallState::Connecting, None)
    }

    /// The card loads the next client of a fixed rotation — every contact, company and lead,
    /// then a number that is not in the CRM — as it does on "Next" in a campaign.
    pub fn switch_client(&mut self) -> Vec<SimEvent> {
        let mut rotation: Vec<Caller> =
            [EntityKind::Contact, EntityKind::Company, EntityKind::Lead]
                .iter()
                .flat_map(|kind| self.crm.of_kind(*kind).map(|r| Caller::Client(r.entity)))
                .collect();
        rotation.push(Caller::Stranger);
        let next = rotation
            .iter()
            .position(|c| *c == self.caller)
            .map_or(0, |i| (i + 1) % rotation.len());
        self.caller = rotation[next];
        vec![self.entity_changed()]
    }

    /// "Next" in a campaign (`scenario=campaign`): the current client's item gets the call's
    /// outcome (from the seed: mostly `SUCCESS`, sometimes the custom `CALLBACK` or
    /// `WRONG_NUMBER`), and the card moves to the next `IN_WORK` item of the campaign list and
    /// starts an outgoing call to it, as the native card does: `EntityChanged`, then a new call
    /// (`CALL_ID`, no activity) that is `connecting`. At the end of the list the card stays and
    /// nothing is emitted; while the operator is talking there is no "Next" (nothing happens).
    pub fn next_in_campaign(&mut self) -> Vec<SimEvent> {
        if self.scenario != Scenario::Campaign || self.state == CallState::Connected {
            return Vec::new();
        }
        let Some(next) = self.calllists.advance(self.entity()) else {
            return Vec::new();
        };
        self.caller = Caller::Client(next);
        self.call_id = self.new_call_id();
        self.direction = Direction::Outgoing;
        self.activity_id = None;
        self.autoclose.call_started();
        let mut events = vec![self.entity_changed()];
        events.extend(self.set_state(CallState::Connecting, None));
        events
    }

    /// `CallCard::EntityChanged` for the client now on the card.
    fn entity_changed(&self) -> SimEvent {
        let entity = self.entity();
        SimEvent::EntityChanged(json!({
            "PHONE_NUMBER": self.phone().unwrap_or_else(|| "unknown".into()),
            "CRM_ENTITY_TYPE": entity.map(|e| e.kind.name()).unwrap_or_default(),
            "CRM_ENTITY_ID": entity.map_or(0, |e| e.id),
        }))
    }

    /// Answers one REST request like the portal: `Ok(body)` with `result`, `time` and, for
    /// lists, `total`/`next`; or `Err((http_status, {error, error_description}))`.
    /// Every call is one request — a `batch` too, however many commands it carries — and so is
    /// a failed one. [`Sim::rest_outcome`] tells a request that never answers apart; here it is
    /// `Err((504, DEMO_NEVER_ANSWERS))`.
    pub fn rest(&mut self, method: &str, params: &Value) -> Result<Value, (u16, Value)> {
        match self.rest_outcome(method, params) {
            Outcome::Answer(body) => Ok(body),
            Outcome::Error(status, body) => Err((status, body)),
            Outcome::NeverAnswers => Err((
                504,
                json!({"error": "DEMO_NEVER_ANSWERS",
                       "error_description": "The demo portal never answers this request (stall=)"}),
            )),
        }
    }

    /// Answers one REST request with the faults of the config applied, in this order:
    /// an expired token (`expire=N`: 401 `expired_token` once more than N requests were made
    /// since the token was issued or [refreshed](Sim::refresh_token)); a stalled method
    /// (`stall=`: [`Outcome::NeverAnswers`]; a batch stalls when any of its commands does);
    /// then each `fail=` rule in order, firing with its ratio.
    ///
    /// A rule without a method applies to every request as a whole. A rule for a method applies
    /// to that method's requests, and to a batch's commands of that method: a 5xx, 429 or 401
    /// fails the batch as a whole (drawn once per such command), any other code becomes that
    /// command's `result_error` while the rest of the batch runs, as on the real portal.
    /// The draws come from a PRNG seeded by the config's seed, so the same seed and requests
    /// give the same faults.
    pub fn rest_outcome(&mut self, method: &str, params: &Value) -> Outcome {
        let method = method.trim().to_ascii_lowercase();
        self.request_log.push(method.clone());
        self.since_refresh += 1;
        if self.faults.expire.is_some_and(|n| self.since_refresh > n) {
            return self.inject(method, "expired_token");
        }
        let stalled = self.faults.stalls(&method)
            || (method == "batch" && batch_methods(params).iter().any(|m| self.faults.stalls(m)));
        if stalled {
            self.fault_log.push((method, Injected::NeverAnswers));
            return Outcome::NeverAnswers;
        }
        if let Some(code) = self.draw_failure(&method, params) {
            return self.inject(method, &code);
        }
        match self.portal_answer(&method, params) {
            Ok(body) => Outcome::Answer(body),
            Err((status, body)) => Outcome::Error(status, body),
        }
    }

    /// The app refreshed its access token (what `BX24.refreshAuth` does): `expire=N` counts
    /// N requests again from here.
    pub fn refresh_token(&mut self) {
        self.since_refresh = 0;
    }

    /// Every fault injected so far, in order, with the method it hit (a batch command's own
    /// method for [`Injected::InBatch`]).
    pub fn fault_log(&self) -> &[(String, Injected)] {
        &self.fault_log
    }

    /// Fails a whole request with an injected code.
    fn inject(&mut self, method: String, code: &str) -> Outcome {
        let fault = Fault::injected(code);
        self.fault_log.push((
            method,
            Injected::Error {
                status: fault.status,
                code: code.to_string(),
            },
        ));
        Outcome::Error(fault.status, fault.body())
    }

    /// The code of the first `fail=` rule that fires for a whole request, if any.
    fn draw_failure(&mut self, method: &str, params: &Value) -> Option<String> {
        let commands = if method == "batch" {
            batch_methods(params)
        } else {
            Vec::new()
        };
        for rule in &self.faults.fail {
            let draws = if rule.applies_to(method) {
                1
            } else if rule.method.is_some() && fails_whole_request(rule.status()) {
                commands.iter().filter(|m| rule.applies_to(m)).count()
            } else {
                0
            };
            for _ in 0..draws {
                if self.fault_rng.chance(rule.ratio) {
                    return Some(rule.code.clone());
                }
            }
        }
        None
    }

    /// The business error a `fail=CODE:ratio:method` rule injects into one batch command.
    fn draw_command_failure(&mut self, key: &str, method: &str) -> Option<Fault> {
        for rule in &self.faults.fail {
            if rule.method.as_deref() == Some(method)
                && !fails_whole_request(rule.status())
                && self.fault_rng.chance(rule.ratio)
            {
                let fault = Fault::injected(&rule.code);
                let injected = Injected::InBatch {
                    key: key.to_string(),
                    status: fault.status,
                    code: rule.code.clone(),
                };
                self.fault_log.push((method.to_string(), injected));
                return Some(fault);
            }
        }
        None
    }

    /// The portal's own answer to a request, faults aside.
    fn portal_answer(&mut self, method: &str, params: &Value) -> Result<Value, (u16, Value)> {
        let start = self.now_ms / 1000.0;
        let (outcome, processing) = if method == "batch" {
            self.batch(params, start)
        } else {
            (self.dispatch(method, params), processing_secs(method))
        };
        let reply = outcome.map_err(|f| (f.status, f.body()))?;
        // The outer batch is not charged: its commands are, each to its own method.
        let operating = if method == "batch" {
            0.0
        } else {
            self.charge(method, processing)
        };
        let mut body = object(
            json!({"result": reply.result, "time": time_object(start, processing, Some(operating))}),
        );
        if let Some(total) = reply.total {
            body.insert("total".into(), total.into());
        }
        if let Some(next) = reply.next {
            body.insert("next".into(), next.into());
        }
        Ok(Value::Object(body))
    }

    /// How many REST requests the app has made.
    pub fn request_count(&self) -> u64 {
        self.request_log.len() as u64
    }

    /// Each call list's true size `(id, members)`, members the card may not read included.
    pub fn call_list_sizes(&self) -> Vec<(u64, usize)> {
        self.calllists.sizes()
    }

    /// The methods of those requests, in order (lower-case; a batch is logged as `batch`).
    pub fn request_log(&self) -> &[String] {
        &self.request_log
    }

    // --- the call -------------------------------------------------------------------------

    fn entity(&self) -> Option<EntityRef> {
        match self.caller {
            Caller::Client(e) => Some(e),
            Caller::Unbound(_) | Caller::Stranger | Caller::Hidden => None,
        }
    }

    /// `PHONE_NUMBER`: the client's first number, the stranger's, `"hidden"`, or none.
    fn phone(&self) -> Option<String> {
        match self.caller {
            Caller::Client(e) | Caller::Unbound(e) => self.crm.get(e).and_then(|r| r.phone.clone()),
            Caller::Stranger => Some(self.crm.stranger.clone()),
            Caller::Hidden => Some("hidden".into()),
        }
    }

    fn current_bindings(&self) -> Vec<EntityRef> {
        self.entity()
            .map(|e| self.crm.bindings(e))
            .unwrap_or_default()
    }

    fn set_state(&mut self, state: CallState, failed_code: Option<&str>) -> Vec<SimEvent> {
        self.state = state;
        vec![SimEvent::StateChanged {
            state: state.as_str().into(),
            failed_code: failed_code.map(str::to_string),
        }]
    }

    /// `externalCall.<32 hex>.<unix seconds>`, the form `telephony.externalCall.register` uses.
    fn new_call_id(&mut self) -> String {
        let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
        format!(
            "externalCall.{a:016x}{b:016x}.{}",
            (self.now_ms / 1000.0).floor() as i64
        )
    }

    // --- REST -----------------------------------------------------------------------------

    /// Adds a call's processing time to its method's `operating` and returns the new sum.
    fn charge(&mut self, method: &str, processing: f64) -> f64 {
        let total = self.operating.entry(method.to_string()).or_insert(0.0);
        *total += processing;
        *total
    }

    fn dispatch(&mut self, method: &str, params: &Value) -> Result<Reply, Fault> {
        match method {
            "crm.item.get" => self.item_get(params),
            "crm.item.list" => self.item_list(params),
            "crm.duplicate.findbycomm" => sim_match::find_by_comm(&self.crm, params),
            "crm.status.list" => Ok(self.status_list(params)),
            "user.get" => Ok(self.user_get(params)),
            "user.current" => Ok(Reply::plain(
                self.crm.users.first().cloned().unwrap_or(Value::Null),
            )),
            "app.info" => Ok(Reply::plain(self.app_info())),
            "placement.get" => Ok(Reply::plain(Value::Array(
                self.bindings.iter().map(Binding::to_json).collect(),
            ))),
            "placement.bind" => self.placement_bind(params),
            "placement.unbind" => self.placement_unbind(params),
            m if m.starts_with("crm.calllist.") => {
                let crm = &self.crm;
                let ids_of = |kind| crm.of_kind(kind).map(|r| r.entity.id).collect();
                let now = (self.now_ms / 1000.0).floor() as i64;
                self.calllists.dispatch(m, params, &ids_of, now)
            }
            "crm.activity.list" if sim_calllist::is_call_list_query(params) => {
                Ok(self.calllists.activity_list(params))
            }
            "crm.activity.list" => self.history.activity_list(&self.crm, self.now_ms, params),
            "voximplant.statistic.get" => {
                self.history.statistic_get(&self.crm, self.now_ms, params)
            }
            "crm.timeline.comment.add" => {
                self.timeline
                    .comment_add(&self.crm, self.now_ms, sim_calllist::ME, params)
            }
            "crm.timeline.comment.list" => {
                self.timeline.comment_list(&self.crm, self.now_ms, params)
            }
            "crm.activity.todo.add" => {
                let todo = sim_timeline::todo_params(&self.crm, sim_calllist::ME, params)?;
                let id = self.next_activity_id;
                self.next_activity_id += 1;
                self.history.add_todo(&self.crm, self.now_ms, id, todo);
                Ok(Reply::plain(json!({ "id": id })))
            }
            _ => Err(Fault::method_not_found()),
        }
    }

    /// `batch`: commands run in the order the `cmd` object iterates — the order the app's own
    /// encoder sends them in — so a reference to a key that comes later resolves to `""` here
    /// exactly as on the portal. Returns the outcome and the server time spent.
    fn batch(&mut self, params: &Value, start: f64) -> (Result<Reply, Fault>, f64) {
        let overhead = processing_secs("batch");
        let halt = arg(params, "halt").is_some_and(truthy);
        let commands: Vec<(String, &Value)> = match arg(params, "cmd") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            Some(_) => return (Err(Fault::missing("cmd")), overhead),
        };
        let mut results = Vec::new();
        let mut errors = Vec::new();
        let mut totals = Vec::new();
        let mut nexts = Vec::new();
        let mut times = Vec::new();
        let mut done = Map::new();
        let mut clock = start + overhead;
        for (key, line) in commands.iter().take(MAX_COMMANDS) {
            let (method, outcome) = self.command(key, line, &done);
            match outcome {
                Ok(reply) => {
                    let processing = processing_secs(&method);
                    self.charge(&method, processing);
                    times.push((key.clone(), time_object(clock, processing, None)));
                    clock += processing;
                    if let Some(total) = reply.total {
                        totals.push((key.clone(), total.into()));
                    }
                    if let Some(next) = reply.next {
                        nexts.push((key.clone(), next.into()));
                    }
                    done.insert(key.clone(), reply.result.clone());
                    results.push((key.clone(), reply.result));
                }
                Err(f) => {
                    errors.push((key.clone(), f.body()));
                    if halt {
                        break;
                    }
                }
            }
        }
        // The length is checked before anything runs, so `halt` does not hide these.
        for (key, _) in commands.iter().skip(MAX_COMMANDS) {
            let description = format!("Max batch length exceeded ({MAX_COMMANDS})");
            let f = Fault {
                status: 400,
                code: "ERROR_BATCH_LENGTH_EXCEEDED".into(),
                description,
                argument: None,
            };
            errors.push((key.clone(), f.body()));
        }
        let result = json!({
            "result": php_map(results),
            "result_error": php_map(errors),
            "result_total": php_map(totals),
            "result_next": php_map(nexts),
            "result_time": php_map(times),
        });
        (Ok(Reply::plain(result)), clock - start)
    }

    /// Runs one batch command line (`method?query`) with its references resolved against the
    /// results so far; returns the method name and the outcome.
    fn command(
        &mut self,
        key: &str,
        line: &Value,
        done: &Map<String, Value>,
    ) -> (String, Result<Reply, Fault>) {
        let Some(line) = line.as_str() else {
            return (String::new(), Err(Fault::missing("cmd")));
        };
        let (method, query) = line.split_once('?').unwrap_or((line, ""));
        let method = method.trim().to_ascii_lowercase();
        let mut params = query::decode(query);
        resolve_references(&mut params, done);
        let outcome = if method == "batch" {
            let description = "Method is not allowed for batch usage".into();
            Err(Fault {
                status: 405,
                code: "ERROR_BATCH_METHOD_NOT_ALLOWED".into(),
                description,
                argument: None,
            })
        } else if let Some(fault) = self.draw_command_failure(key, &method) {
            Err(fault)
        } else {
            self.dispatch(&method, &params)
        };
        (method, outcome)
    }

    /// The `entityTypeId` of a `crm.item.*` call. Leads, deals, contacts and companies hold the
    /// demo's data; quotes and smart invoices exist but are empty; anything else (old invoices,
    /// smart processes — the demo has none) is not found.
    fn entity_type(params: &Value) -> Result<EntityKind, Fault> {
        let raw = arg(params, "entityTypeId").ok_or_else(|| Fault::missing("entityTypeId"))?;
        match EntityKind::from_value(raw) {
            Some(
                kind @ (EntityKind::Lead
                | EntityKind::Deal
                | EntityKind::Contact
                | EntityKind::Company
                | EntityKind::Quote
                | EntityKind::SmartInvoice),
            ) => Ok(kind),
            _ => Err(Fault::not_found("Smart process not found")),
        }
    }

    fn item_get(&self, params: &Value) -> Result<Reply, Fault> {
        let kind = Self::entity_type(params)?;
        let id = arg(params, "id").ok_or_else(|| Fault::missing("id"))?;
        let record = to_u64(id)
            .and_then(|id| self.crm.get(EntityRef::new(kind, id)))
            .ok_or_else(|| Fault::not_found("Element not found"))?;
        Ok(Reply::plain(json!({"item": record.fields})))
    }

    /// `crm.item.list`: `filter`, `order`, `select` (`["*"]` or none: whole items with `fm`;
    /// otherwise the named fields plus `id`, never `fm`), 50 a page from `start`.
    fn item_list(&self, params: &Value) -> Result<Reply, Fault> {
        let kind = Self::entity_type(params)?;
        let filter = arg(params, "filter").and_then(Value::as_object);
        let mut rows: Vec<&Map<String, Value>> = self
            .crm
            .of_kind(kind)
            .map(|r| &r.fields)
            .filter(|f| filter.is_none_or(|flt| passes(f, flt)))
            .collect();
        sort_rows(&mut rows, arg(params, "order"));
        // `fm` (phones, e-mails) cannot be selected in `crm.item.list`.
        let items = select_fields(rows, params, "id", "fm");
        let mut reply = paged(items, params);
        reply.result = json!({"items": reply.result});
        Ok(reply)
    }

    /// `crm.status.list`: every directory (lead stages, both deal pipelines, sources, call
    /// statuses) in the portal's language, old-style: every value a string.
    fn status_list(&self, params: &Value) -> Reply {
        let mut n = 0;
        let rows: Vec<Value> = DIRECTORIES
            .iter()
            .flat_map(|d| d.statuses.iter().enumerate().map(move |(i, s)| (d, i, s)))
            .map(|(d, i, s)| {
                n += 1;
                let name = self.lang.pick(s.name);
                let mut row = object(json!({
                    "ID": n.to_string(),
                    "ENTITY_ID": d.entity_id,
                    "STATUS_ID": s.id,
                    "NAME": name,
                    "NAME_INIT": if s.system { name } else { "" },
                    "SORT": ((i + 1) * 10).to_string(),
                    "SYSTEM": if s.system { "Y" } else { "N" },
                    "CATEGORY_ID": d.category,
                    "COLOR": s.color,
                    "SEMANTICS": s.semantics,
                }));
                if d.stages {
                    let semantics = match s.semantics {
                        Some("S") => "success",
                        Some(_) => "failure",
                        None => "process",
                    };
                    row.insert(
                        "EXTRA".into(),
                        json!({"SEMANTICS": semantics, "COLOR": s.color}),
                    );
                }
                Value::Object(row)
            })
            .collect();
        let filter = arg(params, "filter").and_then(Value::as_object);
        let mut kept: Vec<&Map<String, Value>> = rows
            .iter()
            .filter_map(Value::as_object)
            .filter(|r| filter.is_none_or(|f| passes(r, f)))
            .collect();
        sort_rows(&mut kept, arg(params, "order"));
        let total = kept.len() as u64;
        Reply {
            result: Value::Array(kept.into_iter().map(|r| Value::Object(r.clone())).collect()),
            total: Some(total),
            next: None,
        }
    }

    /// `user.get`: by `ID` (top-level or in `FILTER`), or everyone. Old-style string ids.
    fn user_get(&self, params: &Value) -> Reply {
        let filter = arg(params, "FILTER")
            .filter(|f| f.is_object())
            .unwrap_or(params);
        let wanted = arg(filter, "ID").or_else(|| arg(params, "ID"));
        let users: Vec<Value> = self
            .crm
            .users
            .iter()
            .filter(|u| match wanted {
                None => true,
                Some(w) => values_of(w)
                    .into_iter()
                    .any(|id| u.get("ID").is_some_and(|have| loose_eq(have, id))),
            })
            .cloned()
            .collect();
        paged(users, params)
    }

    fn app_info(&self) -> Value {
        let license = if self.lang == Lang::Ru {
            "ru_project"
        } else {
            "en_project"
        };
        json!({
            "ID": 17,
            "CODE": "local.callcard",
            "VERSION": 1,
            "STATUS": "L",
            "INSTALLED": true,
            "PAYMENT_EXPIRED": "N",
            "DAYS": null,
            "LANGUAGE_ID": self.lang_code,
            "LICENSE": license,
            "LICENSE_TYPE": "project",
            "LICENSE_FAMILY": "project",
        })
    }

    /// `placement.bind`: registering the same handler again updates it and answers `true`.
    fn placement_bind(&mut self, params: &Value) -> Result<Reply, Fault> {
        let placement = text_arg(params, "PLACEMENT")
            .ok_or_else(|| Fault::missing("PLACEMENT"))?
            .to_ascii_uppercase();
        let handler = text_arg(params, "HANDLER").ok_or_else(|| Fault::missing("HANDLER"))?;
        if !KNOWN_PLACEMENTS.contains(&placement.as_str()) {
            return Err(Fault {
                status: 400,
                code: "ERROR_PLACEMENT_NOT_FOUND".into(),
                description: "Placement not found".into(),
                argument: None,
            });
        }
        let lang_all = arg(params, "LANG_ALL")
            .and_then(Value::as_object)
            .map(|langs| {
                langs
                    .iter()
                    .filter_map(|(lang, v)| {
                        let text = |k: &str| text_arg(v, k).unwrap_or_default();
                        v.is_object().then(|| {
                            (lang.clone(), json!({"TITLE": text("TITLE"), "DESCRIPTION": text("DESCRIPTION"), "GROUP_NAME": text("GROUP_NAME")}))
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let binding = Binding {
            title: text_arg(params, "TITLE").unwrap_or_default(),
            description: text_arg(params, "DESCRIPTION").unwrap_or_default(),
            placement,
            handler,
            lang_all,
        };
        match self
            .bindings
            .iter_mut()
            .find(|b| b.placement == binding.placement && b.handler == binding.handler)
        {
            Some(existing) => *existing = binding,
            None => self.bindings.push(binding),
        }
        Ok(Reply::plain(json!(true)))
    }

    /// `placement.unbind`: every handler of the placement, or just the one named.
    fn placement_unbind(&mut self, params: &Value) -> Result<Reply, Fault> {
        let placement = text_arg(params, "PLACEMENT")
            .ok_or_else(|| Fault::missing("PLACEMENT"))?
            .to_ascii_uppercase();
        let handler = text_arg(params, "HANDLER");
        let before = self.bindings.len();
        self.bindings.retain(|b| {
            !(b.placement == placement && handler.as_ref().is_none_or(|h| *h == b.handler))
        });
        Ok(Reply::plain(json!({"count": before - self.bindings.len()})))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callcard_core::call::{
        CallEvent, CallStatus, PhoneNumber, decode_call_status, decode_entity_changed,
        decode_placement_options_text, decode_state_changed,
    };
    use callcard_core::rest::batch::{Batch, decode_answer};

    fn sim(query: &str) -> Sim {
        Sim::new(&DemoConfig::from_query(query))
    }

    fn ok(s: &mut Sim, method: &str, params: Value) -> Value {
        s.rest(method, &params)
            .unwrap_or_else(|e| panic!("{method} failed: {e:?}"))
    }

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

    fn item(s: &mut Sim, kind: EntityKind, id: u64) -> Value {
        ok(
            s,
            "crm.item.get",
            json!({"entityTypeId": kind.type_id(), "id": id}),
        )["result"]["item"]
            .clone()
    }

    fn decoded(s: &Sim) -> CallStatus {
        decode_call_status(&s.status()).expect("status decodes")
    }

    fn state_event(state: &str, failed_code: Option<&str>) -> Vec<SimEvent> {
        vec![SimEvent::StateChanged {
            state: state.into(),
            failed_code: failed_code.map(str::to_string),
        }]
    }

    fn has_cyrillic(s: &str) -> bool {
        s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
    }

    #[test]
    fn every_scenario_decodes_and_options_agree_with_status() {
        for scenario in Scenario::all() {
            let s = sim(&format!("scenario={}", scenario.as_str()));
            let status = decoded(&s);
            let options = decode_call_status(&s.placement_options()).expect("options decode");
            // The POST arrives as JSON text; both readings must give the same call.
            let text = decode_placement_options_text(&s.placement_options().to_string())
                .expect("text decodes");
            assert_eq!(options, text, "{scenario:?}");
            assert_eq!(status, options, "{scenario:?}: status and options disagree");

            let (direction, kind, phone_known) = match scenario {
                Scenario::Incoming => (Direction::Incoming, Some(EntityKind::Contact), true),
                Scenario::Outgoing => (Direction::Outgoing, Some(EntityKind::Company), true),
                Scenario::Unknown => (Direction::Incoming, None, true),
                Scenario::Hidden => (Direction::Incoming, None, false),
                Scenario::Failed => (Direction::Outgoing, Some(EntityKind::Contact), true),
                Scenario::Campaign => (Direction::Outgoing, Some(EntityKind::Contact), true),
                Scenario::Unbound => (Direction::Incoming, None, true),
            };
            assert_eq!(status.direction, direction, "{scenario:?}");
            assert_eq!(status.state, CallState::Connecting, "{scenario:?}");
            assert_eq!(status.entity.map(|e| e.kind), kind, "{scenario:?}");
            assert_eq!(
                status.call_list_mode,
                *scenario == Scenario::Campaign,
                "{scenario:?}"
            );
            assert_eq!(status.activity_id, None);
            assert!(
                status
                    .call_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("externalCall."))
            );
            assert!(status.line().is_some());
            match (&status.phone, phone_known) {
                (PhoneNumber::Known(n), true) => assert!(
                    n.starts_with('+') && n[1..].bytes().all(|b| b.is_ascii_digit()),
                    "{n}"
                ),
                (PhoneNumber::Hidden, false) => {}
                other => panic!("{scenario:?}: unexpected phone {other:?}"),
            }
            match status.entity {
                Some(e) => {
                    assert!(status.bindings.contains(&e));
                    assert!(
                        status.bindings.len() >= 2,
                        "{scenario:?}: a known client has deals"
                    );
                }
                None => assert!(status.bindings.is_empty()),
            }
        }
    }

    #[test]
    fn default_seed_is_the_showcase_call() {
        let mut s = Sim::new(&DemoConfig::default());
        let status = decoded(&s);
        assert_eq!(status.direction, Direction::Incoming);
        let contact = status.entity.expect("a client");
        assert_eq!(contact.kind, EntityKind::Contact);
        let c = item(&mut s, EntityKind::Contact, contact.id);
        assert!(!c["post"].as_str().unwrap_or("").is_empty());
        let company = c["companyId"].as_u64().unwrap();
        assert!(company > 0);
        let others = status.other_bindings();
        let deals: Vec<EntityRef> = others
            .iter()
            .copied()
            .filter(|b| b.kind == EntityKind::Deal)
            .collect();
        assert_eq!(deals.len(), 2);
        assert_eq!(others.len(), 3);
        assert!(others.contains(&EntityRef::new(EntityKind::Company, company)));
        for d in &deals {
            assert_eq!(
                item(&mut s, EntityKind::Deal, d.id)["contactId"],
                json!(contact.id)
            );
        }
        let responsible = c["assignedById"].as_u64().unwrap();
        let users = ok(&mut s, "user.get", json!({"ID": responsible}))["result"].clone();
        assert_eq!(users.as_array().map(Vec::len), Some(1));
        assert_eq!(users[0]["ID"], json!(responsible.to_string()));
    }

    #[test]
    fn status_has_real_types_and_options_have_strings() {
        let mut s = sim("");
        let v = s.status();
        assert!(v["CRM_ENTITY_ID"].is_u64());
        assert!(v["CALL_LIST_MODE"].is_boolean());
        assert_eq!(v["CRM_ACTIVITY_ID"], json!(""));
        assert!(v["CRM_BINDINGS"][0]["ENTITY_ID"].is_u64());

        let o = s.placement_options();
        for (key, value) in o.as_object().unwrap() {
            if key == "CRM_BINDINGS" {
                for b in value.as_array().unwrap() {
                    assert!(b["ENTITY_ID"].is_string() && b["ENTITY_TYPE"].is_string());
                }
            } else {
                assert!(value.is_string(), "{key} is not a string: {value}");
            }
        }
        assert_eq!(o["CRM_ACTIVITY_ID"], "undefined");
        assert_eq!(o["CALL_LIST_MODE"], "false");
        assert_eq!(o["CRM_ENTITY_ID"], json!(v["CRM_ENTITY_ID"].to_string()));
        assert_eq!(
            o["URI"],
            json!(format!("/crm/contact/details/{}/", v["CRM_ENTITY_ID"]))
        );

        s.answer();
        let activity = s.status()["CRM_ACTIVITY_ID"]
            .as_u64()
            .expect("an activity once connected");
        assert_eq!(
            s.placement_options()["CRM_ACTIVITY_ID"],
            json!(activity.to_string())
        );
        assert_eq!(decoded(&s).activity_id, Some(activity));

        assert_eq!(
            sim("scenario=campaign").placement_options()["CALL_LIST_MODE"],
            "true"
        );
        assert_eq!(
            sim("scenario=campaign").status()["CALL_LIST_MODE"],
            json!(true)
        );
    }

    #[test]
    fn unknown_and_hidden_callers() {
        let s = sim("scenario=unknown");
        let v = s.status();
        assert_eq!(v["CRM_ENTITY_TYPE"], "");
        assert_eq!(v["CRM_ENTITY_ID"], 0);
        assert!(v.get("CRM_BINDINGS").is_none());
        assert!(s.placement_options().get("CRM_BINDINGS").is_none());
        assert_eq!(s.placement_options()["CRM_ENTITY_ID"], "0");
        let number = v["PHONE_NUMBER"].as_str().expect("the number is known");
        assert!(
            s.crm
                .records
                .iter()
                .all(|r| r.phone.as_deref() != Some(number)),
            "the stranger is in the CRM"
        );

        let v = sim("scenario=hidden").status();
        assert_eq!(v["PHONE_NUMBER"], "hidden");
        assert_eq!(v["CRM_ENTITY_ID"], 0);
        assert!(v.get("CRM_BINDINGS").is_none());
    }

    #[test]
    fn install_page_placement() {
        let s = sim("placement=DEFAULT");
        assert_eq!(s.placement(), "DEFAULT");
        assert_eq!(s.placement_options(), json!({}));
        assert_eq!(sim("").placement(), "CALL_CARD");
    }

    #[test]
    fn call_state_machine() {
        let mut s = sim("");
        assert!(s.redial().is_empty(), "cannot redial while ringing");
        assert_eq!(s.answer(), state_event("connected", None));
        assert_eq!(decoded(&s).state, CallState::Connected);
        let activity = decoded(&s).activity_id.expect("activity");
        assert!(s.answer().is_empty(), "answer is a no-op once connected");
        assert!(s.redial().is_empty(), "cannot redial while talking");

        let first_call = decoded(&s).call_id;
        assert_eq!(s.hangup(), state_event("idle", None));
        assert_eq!(decoded(&s).state, CallState::Idle);
        assert_eq!(
            decoded(&s).activity_id,
            Some(activity),
            "the ended call keeps its activity"
        );
        assert!(s.hangup().is_empty());
        assert!(s.answer().is_empty());

        assert_eq!(s.redial(), state_event("connecting", None));
        let again = decoded(&s);
        assert_eq!(again.state, CallState::Connecting);
        assert_eq!(
            again.direction,
            Direction::Outgoing,
            "a redial is an outgoing call"
        );
        assert_ne!(again.call_id, first_call);
        assert_eq!(again.activity_id, None);
        assert_eq!(s.answer(), state_event("connected", None));
        assert_ne!(
            decoded(&s).activity_id,
            Some(activity),
            "a new call gets a new activity"
        );

        // A ringing call can be dropped too.
        let mut s = sim("scenario=outgoing");
        assert_eq!(s.hangup(), state_event("idle", None));
    }

    #[test]
    fn failed_scenario_ends_busy() {
        let mut s = sim("scenario=failed");
        let events = s.answer();
        assert_eq!(events, state_event("idle", Some("486")));
        let SimEvent::StateChanged { state, failed_code } = &events[0] else {
            panic!("{events:?}")
        };
        let decoded_event = decode_state_changed(
            &json!(state),
            failed_code
                .as_ref()
                .map(|c| json!({"failedCode": c}))
                .as_ref(),
        );
        assert_eq!(
            decoded_event,
            Ok(CallEvent::StateChanged {
                state: CallState::Idle,
                failed_code: Some("486".into())
            })
        );
        assert_eq!(decoded(&s).state, CallState::Idle);
        assert_eq!(decoded(&s).activity_id, None);
        assert_eq!(s.redial(), state_event("connecting", None));
        assert_eq!(s.answer(), state_event("idle", Some("486")), "still busy");
    }

    #[test]
    fn switch_client_rotates_through_every_kind_of_client() {
        let mut s = sim("");
        let start = decoded(&s).entity;
        let rotation = CONTACTS.len() + COMPANIES.len() + LEADS.len() + 1;
        let mut seen = Vec::new();
        let mut unknown_number_seen = false;
        for _ in 0..rotation {
            let events = s.switch_client();
            assert_eq!(events.len(), 1);
            let SimEvent::EntityChanged(v) = &events[0] else {
                panic!("{events:?}")
            };
            assert!(
                v["CRM_ENTITY_ID"].is_u64(),
                "the event carries an integer id: {v}"
            );
            let Ok(CallEvent::EntityChanged(change)) = decode_entity_changed(v) else {
                panic!("{v}")
            };
            let status = decoded(&s);
            assert_eq!(status.entity, change.entity);
            match change.entity {
                Some(e) => {
                    assert_eq!(status.bindings, s.crm.bindings(e));
                    assert_eq!(status.bindings.last(), Some(&e));
                }
                None => assert!(status.bindings.is_empty()),
            }
            if change.phone == PhoneNumber::Unknown {
                unknown_number_seen = true;
                assert_eq!(v["PHONE_NUMBER"], "unknown");
                assert!(
                    s.status().get("PHONE_NUMBER").is_none(),
                    "getStatus leaves the key out"
                );
            } else {
                assert_eq!(change.phone, status.phone);
            }
            seen.push(change.entity);
        }
        for kind in [EntityKind::Contact, EntityKind::Company, EntityKind::Lead] {
            assert!(
                seen.iter().flatten().any(|e| e.kind == kind),
                "{kind:?} never shown"
            );
        }
        assert!(seen.contains(&None), "the unknown number never came");
        assert!(unknown_number_seen, "no client without a number");
        assert_eq!(decoded(&s).entity, start, "the rotation wraps around");

        // A switched-to contact brings its own deals and company.
        let mut s = sim("");
        s.switch_client();
        let status = decoded(&s);
        let contact = status.entity.unwrap();
        let company = item(&mut s, EntityKind::Contact, contact.id)["companyId"]
            .as_u64()
            .unwrap();
        assert!(
            status
                .bindings
                .contains(&EntityRef::new(EntityKind::Company, company))
        );
        assert!(status.bindings.iter().any(|b| b.kind == EntityKind::Deal));
    }

    #[test]
    fn batch_with_references_answers_like_the_portal() {
        let mut s = sim("");
        let status = decoded(&s);
        let contact = status.entity.unwrap();
        let deal_ids: Vec<u64> = status
            .bindings
            .iter()
            .filter(|b| b.kind == EntityKind::Deal)
            .map(|b| b.id)
            .collect();
        let mut b = Batch::new();
        b.add(
            "client",
            "crm.item.get",
            json!({"entityTypeId": 3, "id": contact.id}),
        );
        b.add(
            "company",
            "crm.item.get",
            json!({"entityTypeId": 4, "id": Batch::reference("client", &["item", "companyId"])}),
        );
        b.add(
            "responsible",
            "user.get",
            json!({"ID": Batch::reference("client", &["item", "assignedById"])}),
        );
        b.add("deals", "crm.item.list", json!({"entityTypeId": 2, "select": ["id", "title", "stageId"], "filter": {"@id": deal_ids}}));
        b.add(
            "ghost",
            "crm.item.get",
            json!({"entityTypeId": 2, "id": 999_999}),
        );
        let params = b.to_params().remove(0);

        let before = s.request_count();
        let body = ok(&mut s, "batch", params);
        assert_eq!(s.request_count(), before + 1, "a batch is one request");
        assert_eq!(s.request_log(), ["batch"]);

        let answer = decode_answer(&body["result"]).expect("batch answer decodes");
        let client = &answer.get("client").unwrap().result["item"];
        assert_eq!(client["id"], json!(contact.id));
        let company = &answer.get("company").unwrap().result["item"];
        assert_eq!(company["id"], client["companyId"]);
        assert!(company["title"].as_str().is_some_and(|t| !t.is_empty()));
        let users = &answer.get("responsible").unwrap().result;
        assert_eq!(users.as_array().map(Vec::len), Some(1));
        assert_eq!(users[0]["ID"], json!(client["assignedById"].to_string()));

        let deals = answer.get("deals").unwrap();
        assert_eq!(deals.total, Some(2));
        assert_eq!(deals.next, None);
        let items = deals.result["items"].as_array().unwrap();
        let mut got: Vec<u64> = items.iter().filter_map(|i| i["id"].as_u64()).collect();
        got.sort();
        assert_eq!(got, deal_ids);
        for i in items {
            let mut keys: Vec<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(
                keys,
                ["id", "stageId", "title"],
                "select restricts the fields"
            );
        }
        assert_eq!(answer.get("ghost").unwrap_err().code(), Some("NOT_FOUND"));
        assert!(
            answer
                .get("deals")
                .unwrap()
                .time
                .as_ref()
                .is_some_and(|t| t["start"].is_f64() && t.get("operating").is_none())
        );

        // PHP's empty map is `[]`; a filled one is an object.
        let raw = &body["result"];
        assert_eq!(raw["result_next"], json!([]));
        assert_eq!(raw["result_error"]["ghost"]["error"], "NOT_FOUND");
        assert_eq!(raw["result_total"]["deals"], 2);
        assert!(raw["result_time"]["client"].is_object());
        assert!(raw["result_time"].get("ghost").is_none());
    }

    #[test]
    fn batch_edge_cases() {
        let mut s = sim("");
        let empty = ok(&mut s, "batch", json!({"halt": 0, "cmd": {}}));
        for key in [
            "result",
            "result_error",
            "result_total",
            "result_next",
            "result_time",
        ] {
            assert_eq!(empty["result"][key], json!([]), "{key}");
        }

        // halt=1 stops at the first error; halt=0 goes on.
        let cmd = json!({"a": "crm.item.get?entityTypeId=3&id=999999", "b": "user.current"});
        let halted = ok(&mut s, "batch", json!({"halt": 1, "cmd": cmd}));
        assert!(halted["result"]["result_error"].get("a").is_some());
        assert_eq!(halted["result"]["result"], json!([]));
        let went_on = ok(&mut s, "batch", json!({"halt": "0", "cmd": cmd}));
        assert_eq!(went_on["result"]["result"]["b"]["ID"], "1");

        // Nested batches and unknown methods fail per key.
        let nested = ok(
            &mut s,
            "batch",
            json!({"cmd": {"inner": "batch?cmd[x]=user.current", "x": "no.such.method"}}),
        );
        assert_eq!(
            nested["result"]["result_error"]["inner"]["error"],
            "ERROR_BATCH_METHOD_NOT_ALLOWED"
        );
        assert_eq!(
            nested["result"]["result_error"]["x"]["error"],
            "ERROR_METHOD_NOT_FOUND"
        );

        // A reference to a key that has not run yet (commands run in key order) or to a path
        // that does not exist becomes "": user.get with an empty ID finds nobody.
        let later = ok(
            &mut s,
            "batch",
            json!({"cmd": {"a": "user.get?ID=$result[z][item][assignedById]", "b": "user.get?ID=$result[z][nope][0]",
                "z": "crm.item.get?entityTypeId=3&id=12"}}),
        );
        assert_eq!(later["result"]["result"]["a"], json!([]));
        assert_eq!(later["result"]["result"]["b"], json!([]));
        assert_eq!(later["result"]["result"]["z"]["item"]["id"], 12);

        // Deep references into arrays work.
        let deep = ok(
            &mut s,
            "batch",
            json!({"cmd": {"a": "crm.item.list?entityTypeId=3&order[id]=desc", "b": "crm.item.get?entityTypeId=3&id=$result[a][items][0][id]"}}),
        );
        assert_eq!(
            deep["result"]["result"]["b"]["item"]["id"],
            json!(CONTACT_FIRST_ID + CONTACTS.len() as u64 - 1)
        );

        // A `cmd` list comes back as lists, as PHP encodes them.
        let listed = ok(
            &mut s,
            "batch",
            json!({"cmd": ["user.current", "app.info"]}),
        );
        assert_eq!(listed["result"]["result"][1]["CODE"], "local.callcard");
        let decoded_list = decode_answer(&listed["result"]).unwrap();
        assert_eq!(decoded_list.get("0").unwrap().result["ID"], "1");

        assert_eq!(s.request_count(), 7);
        assert!(
            s.request_log().iter().all(|m| m == "batch"),
            "nested commands are not requests"
        );
    }

    #[test]
    fn batch_of_more_than_fifty_commands() {
        let mut s = sim("");
        let cmd: Map<String, Value> = (0..60)
            .map(|i| {
                (
                    format!("k{i:02}"),
                    json!(format!("user.get?ID={}", i % 5 + 1)),
                )
            })
            .collect();
        let body = ok(&mut s, "batch", json!({"halt": 1, "cmd": cmd}));
        let answer = decode_answer(&body["result"]).unwrap();
        assert_eq!(answer.results.len(), 50);
        assert_eq!(answer.errors.len(), 10);
        // The commands past the limit must not run at all, not merely be reported as failed.
        assert_eq!(body["result"]["result"].as_object().map(Map::len), Some(50));
        assert_eq!(
            body["result"]["result_time"].as_object().map(Map::len),
            Some(50)
        );
        for i in 50..60 {
            assert_eq!(
                answer.get(&format!("k{i:02}")).unwrap_err().code(),
                Some("ERROR_BATCH_LENGTH_EXCEEDED")
            );
        }
        assert_eq!(s.request_count(), 1);
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

    #[test]
    fn item_errors() {
        let mut s = sim("");
        let err = |s: &mut Sim, method: &str, params: Value| s.rest(method, &params).unwrap_err();
        let (status, body) = err(&mut s, "crm.item.get", json!({"entityTypeId": 3}));
        assert_eq!(
            (status, body["error"].as_str(), body["argument"].as_str()),
            (400, Some("ERROR_ARGUMENT"), Some("id"))
        );
        let (status, body) = err(&mut s, "crm.item.get", json!({"id": 12}));
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("ERROR_ARGUMENT"))
        );
        let (status, body) = err(
            &mut s,
            "crm.item.get",
            json!({"entityTypeId": 3, "id": 999_999}),
        );
        assert_eq!((status, body["error"].as_str()), (400, Some("NOT_FOUND")));
        assert!(body["error_description"].is_string());
        let (status, body) = err(
            &mut s,
            "crm.item.get",
            json!({"entityTypeId": 128, "id": 1}),
        );
        assert_eq!((status, body["error"].as_str()), (400, Some("NOT_FOUND")));
        let (status, body) = err(
            &mut s,
            "crm.item.get",
            json!({"entityTypeId": 2, "id": CONTACT_FIRST_ID + 100}),
        );
        assert_eq!((status, body["error"].as_str()), (400, Some("NOT_FOUND")));
        let (status, body) = err(&mut s, "crm.no.such", json!({}));
        assert_eq!(status, 404);
        assert_eq!(
            body,
            json!({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})
        );
        assert_eq!(s.request_count(), 6, "failed requests count too");
        // String-typed parameters (as a batch sends them) work like real types.
        assert_eq!(
            ok(
                &mut s,
                "crm.item.get",
                json!({"entityTypeId": "3", "id": "12"})
            )["result"]["item"]["id"],
            12
        );
        // Quotes exist but the demo has none.
        assert_eq!(
            ok(&mut s, "crm.item.list", json!({"entityTypeId": 7}))["result"]["items"],
            json!([])
        );
    }

    #[test]
    fn item_list_filters_selects_and_orders() {
        let mut s = sim("");
        let list = |s: &mut Sim, params: Value| ok(s, "crm.item.list", params);
        let ids = |body: &Value| -> Vec<u64> {
            body["result"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|i| i["id"].as_u64())
                .collect()
        };

        for filter in [
            json!({"id": 13}),
            json!({"=id": "13"}),
            json!({"@id": [13]}),
            json!({"ID": 13}),
        ] {
            assert_eq!(
                ids(&list(
                    &mut s,
                    json!({"entityTypeId": 3, "filter": filter.clone()})
                )),
                [13],
                "{filter}"
            );
        }
        for filter in [
            json!({"id": 0}),
            json!({"id": ""}),
            json!({"@id": []}),
            json!({"@id": [""]}),
        ] {
            let body = list(&mut s, json!({"entityTypeId": 3, "filter": filter.clone()}));
            assert_eq!(ids(&body), Vec::<u64>::new(), "{filter}");
            assert_eq!(body["total"], 0);
        }
        let company_contacts = list(
            &mut s,
            json!({"entityTypeId": 3, "filter": {"companyId": COMPANY_FIRST_ID}}),
        );
        assert_eq!(ids(&company_contacts), [12, 13]);
        let open = list(
            &mut s,
            json!({"entityTypeId": 2, "filter": {"stageSemanticId": "P", ">opportunity": 0}}),
        );
        assert_eq!(
            open["total"],
            DEALS
                .iter()
                .filter(|d| !["WON", "LOSE"].contains(&d.stage))
                .count()
        );

        let desc = list(
            &mut s,
            json!({"entityTypeId": 3, "order": {"id": "DESC"}, "select": ["id"]}),
        );
        let got = ids(&desc);
        assert_eq!(got.first(), Some(&(CONTACT_FIRST_ID + 7)));
        assert!(got.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(
            desc["result"]["items"][0],
            json!({"id": CONTACT_FIRST_ID + 7})
        );

        let whole = list(&mut s, json!({"entityTypeId": 3, "select": ["*"]}));
        assert!(
            whole["result"]["items"][0]["fm"].is_array(),
            "`*` brings fm"
        );
        let picked = list(
            &mut s,
            json!({"entityTypeId": 3, "select": ["fm", "lastName"]}),
        );
        assert_eq!(
            picked["result"]["items"][0].as_object().unwrap().len(),
            2,
            "fm cannot be selected"
        );
    }

    #[test]
    fn list_paging() {
        // The rule itself, on a list longer than a page.
        assert_eq!(
            page(120, 0),
            Page {
                range: 0..50,
                total: Some(120),
                next: Some(50)
            }
        );
        assert_eq!(
            page(120, 50),
            Page {
                range: 50..100,
                total: Some(120),
                next: Some(100)
            }
        );
        assert_eq!(
            page(120, 100),
            Page {
                range: 100..120,
                total: Some(120),
                next: None
            }
        );
        assert_eq!(
            page(120, 500),
            Page {
                range: 120..120,
                total: Some(120),
                next: None
            }
        );
        assert_eq!(
            page(120, -1),
            Page {
                range: 0..50,
                total: None,
                next: None
            }
        );
        let mut start = 0;
        let mut seen = 0;
        loop {
            let p = page(120, start);
            seen += p.range.len();
            match p.next {
                Some(n) => start = n as i64,
                None => break,
            }
        }
        assert_eq!(seen, 120, "following next visits every row once");

        // On the demo's contacts through REST.
        let mut s = sim("");
        let n = CONTACTS.len() as u64;
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": 0}),
        );
        assert_eq!((body["total"].as_u64(), body.get("next")), (Some(n), None));
        assert_eq!(body["result"]["items"].as_array().unwrap().len() as u64, n);
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": "5"}),
        );
        assert_eq!(body["total"].as_u64(), Some(n));
        assert_eq!(
            body["result"]["items"].as_array().unwrap().len() as u64,
            n - 5
        );
        assert_eq!(
            body["result"]["items"][0]["id"],
            json!(CONTACT_FIRST_ID + 5)
        );
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": 50}),
        );
        assert_eq!(body["result"]["items"], json!([]));
        assert_eq!(body["total"].as_u64(), Some(n));
        let body = ok(
            &mut s,
            "crm.item.list",
            json!({"entityTypeId": 3, "start": -1}),
        );
        assert!(body.get("total").is_none() && body.get("next").is_none());
        assert_eq!(body["result"]["items"].as_array().unwrap().len() as u64, n);
    }

    #[test]
    fn status_directories() {
        let mut s = sim("lang=ru");
        let all = ok(&mut s, "crm.status.list", json!({}));
        let rows = all["result"].as_array().unwrap();
        assert_eq!(all["total"].as_u64(), Some(rows.len() as u64));
        let entity_ids: BTreeSet<&str> = rows
            .iter()
            .filter_map(|r| r["ENTITY_ID"].as_str())
            .collect();
        assert_eq!(
            entity_ids,
            BTreeSet::from([
                "CALL_LIST",
                "DEAL_STAGE",
                "DEAL_STAGE_1",
                "SOURCE",
                "STATUS"
            ])
        );
        let ids: BTreeSet<&str> = rows.iter().filter_map(|r| r["ID"].as_str()).collect();
        assert_eq!(ids.len(), rows.len(), "ids are unique strings");
        for r in rows {
            for key in [
                "ID",
                "ENTITY_ID",
                "STATUS_ID",
                "NAME",
                "NAME_INIT",
                "SORT",
                "SYSTEM",
            ] {
                assert!(r[key].is_string(), "{key} in {r}");
            }
            assert!(has_cyrillic(r["NAME"].as_str().unwrap()), "{r}");
        }

        let pipeline = ok(
            &mut s,
            "crm.status.list",
            json!({"filter": {"ENTITY_ID": "DEAL_STAGE_1"}, "order": {"SORT": "DESC"}}),
        );
        let stages = pipeline["result"].as_array().unwrap();
        assert!(stages.iter().all(
            |r| r["CATEGORY_ID"] == "1" && r["STATUS_ID"].as_str().unwrap().starts_with("C1:")
        ));
        let sorts: Vec<u64> = stages
            .iter()
            .filter_map(|r| r["SORT"].as_str()?.parse().ok())
            .collect();
        assert!(sorts.windows(2).all(|w| w[0] > w[1]), "{sorts:?}");
        let extra: BTreeSet<&str> = stages
            .iter()
            .filter_map(|r| r["EXTRA"]["SEMANTICS"].as_str())
            .collect();
        assert_eq!(extra, BTreeSet::from(["failure", "process", "success"]));

        let calls = ok(
            &mut s,
            "crm.status.list",
            json!({"filter": {"ENTITY_ID": "CALL_LIST"}}),
        )["result"]
            .clone();
        let codes: Vec<&str> = calls
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["STATUS_ID"].as_str())
            .collect();
        assert_eq!(
            codes,
            [
                "IN_WORK",
                "SUCCESS",
                "WRONG_NUMBER",
                "STOP_CALLING",
                "CALLBACK"
            ]
        );
        assert_eq!(calls[4]["SYSTEM"], "N", "the custom status");
        assert!(calls[0].get("EXTRA").is_none());
    }

    #[test]
    fn users_and_app() {
        let mut s = sim("");
        let users = |s: &mut Sim, params: Value| -> Vec<String> {
            let body = ok(s, "user.get", params);
            body["result"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["ID"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(users(&mut s, json!({"ID": 1})), ["1"]);
        assert_eq!(users(&mut s, json!({"id": "3"})), ["3"]);
        assert_eq!(
            users(&mut s, json!({"FILTER": {"ID": [2, "4"]}})),
            ["2", "4"]
        );
        assert!(users(&mut s, json!({"ID": ""})).is_empty());
        assert!(users(&mut s, json!({"ID": 999})).is_empty());
        assert_eq!(users(&mut s, json!({})).len(), USERS.len());
        let one = ok(&mut s, "user.get", json!({"ID": 2}));
        assert_eq!(one["total"], 1);
        let u = &one["result"][0];
        for key in [
            "NAME",
            "LAST_NAME",
            "SECOND_NAME",
            "WORK_POSITION",
            "PERSONAL_PHOTO",
            "EMAIL",
        ] {
            assert!(u[key].is_string(), "{key}");
        }
        assert_eq!(u["ACTIVE"], true);

        assert_eq!(ok(&mut s, "user.current", json!({}))["result"]["ID"], "1");
        let app = ok(&mut s, "app.info", json!(null))["result"].clone();
        assert_eq!(
            (
                app["CODE"].as_str(),
                app["STATUS"].as_str(),
                app["INSTALLED"].as_bool()
            ),
            (Some("local.callcard"), Some("L"), Some(true))
        );
    }

    #[test]
    fn placements_persist_within_the_portal() {
        let mut s = sim("");
        let get = |s: &mut Sim| ok(s, "placement.get", json!({}))["result"].clone();
        let bound = get(&mut s);
        assert_eq!(bound.as_array().unwrap().len(), 1);
        assert_eq!(bound[0]["placement"], "CALL_CARD");
        assert_eq!(bound[0]["options"], json!([]));

        let mut install = sim("placement=DEFAULT");
        assert_eq!(
            get(&mut install),
            json!([]),
            "the install page starts unbound"
        );

        let (status, body) = install
            .rest("placement.bind", &json!({"HANDLER": "https://x.example/"}))
            .unwrap_err();
        assert_eq!(
            (status, body["error"].as_str(), body["argument"].as_str()),
            (400, Some("ERROR_ARGUMENT"), Some("PLACEMENT"))
        );
        let (status, body) = install
            .rest("placement.bind", &json!({"PLACEMENT": "CALL_CARD"}))
            .unwrap_err();
        assert_eq!((status, body["argument"].as_str()), (400, Some("HANDLER")));
        let (status, body) = install
            .rest(
                "placement.bind",
                &json!({"PLACEMENT": "SPACESHIP", "HANDLER": "h"}),
            )
            .unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("ERROR_PLACEMENT_NOT_FOUND"))
        );

        let bind = json!({"PLACEMENT": "CALL_CARD", "HANDLER": "https://x.example/", "TITLE": "Card",
            "LANG_ALL": {"en": {"TITLE": "Card"}, "ru": {"TITLE": "Карточка"}}});
        assert_eq!(
            ok(&mut install, "placement.bind", bind.clone())["result"],
            true
        );
        assert_eq!(
            ok(
                &mut install,
                "placement.bind",
                json!({"PLACEMENT": "call_card", "HANDLER": "https://x.example/", "TITLE": "Card 2"})
            )["result"],
            true
        );
        let now = get(&mut install);
        assert_eq!(
            now.as_array().unwrap().len(),
            1,
            "rebinding the same handler is idempotent"
        );
        assert_eq!(now[0]["title"], "Card 2");
        assert_eq!(ok(&mut install, "placement.bind", bind)["result"], true);
        assert_eq!(get(&mut install)[0]["langAll"]["ru"]["TITLE"], "Карточка");
        ok(
            &mut install,
            "placement.bind",
            json!({"PLACEMENT": "LEFT_MENU", "HANDLER": "https://x.example/"}),
        );
        assert_eq!(get(&mut install).as_array().unwrap().len(), 2);

        let none = ok(
            &mut install,
            "placement.unbind",
            json!({"PLACEMENT": "CALL_CARD", "HANDLER": "https://other.example/"}),
        );
        assert_eq!(none["result"]["count"], 0);
        let one = ok(
            &mut install,
            "placement.unbind",
            json!({"PLACEMENT": "CALL_CARD"}),
        );
        assert_eq!(one["result"]["count"], 1);
        assert_eq!(get(&mut install)[0]["placement"], "LEFT_MENU");
        let (status, _) = install.rest("placement.unbind", &json!({})).unwrap_err();
        assert_eq!(status, 400);
    }

    #[test]
    fn every_answer_carries_a_time_object() {
        let mut s = sim("");
        let body = ok(&mut s, "user.current", json!({}));
        let t = &body["time"];
        for key in ["start", "finish", "duration", "processing", "operating"] {
            assert!(t[key].is_f64(), "{key}: {t}");
        }
        assert_eq!(t["date_start"], "2026-11-23T10:00:00+00:00");
        assert!(t["date_finish"].as_str().unwrap().ends_with("+00:00"));
        assert_eq!(t["operating_reset_at"], json!(1_795_428_000 + 600));
        let (start, finish, duration, processing) = (
            t["start"].as_f64().unwrap(),
            t["finish"].as_f64().unwrap(),
            t["duration"].as_f64().unwrap(),
            t["processing"].as_f64().unwrap(),
        );
        assert!((finish - start - duration).abs() < 1e-5 && duration > processing);

        // `operating` adds up per method.
        let second = ok(&mut s, "user.current", json!({}));
        assert!(second["time"]["operating"].as_f64().unwrap() > t["operating"].as_f64().unwrap());
        let other = ok(&mut s, "app.info", json!({}));
        assert!(
            other["time"]["operating"].as_f64().unwrap()
                < second["time"]["operating"].as_f64().unwrap()
        );

        s.set_now_ms(1_800_000_000_500.0);
        let later = ok(&mut s, "app.info", json!({}));
        assert_eq!(later["time"]["start"], 1_800_000_000.5);
        s.set_now_ms(f64::NAN);
        assert_eq!(
            ok(&mut s, "app.info", json!({}))["time"]["start"],
            1_800_000_000.5
        );
        s.answer();
        s.hangup();
        s.redial();
        assert!(
            decoded(&s).call_id.unwrap().ends_with(".1800000000"),
            "a new call is stamped with the clock"
        );
    }

    #[test]
    fn dates_format_as_iso() {
        assert_eq!(iso(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00+00:00");
        assert_eq!(iso(1_735_689_599), "2024-12-31T23:59:59+00:00");
        assert_eq!(iso(-1), "1969-12-31T23:59:59+00:00");
        assert_eq!(
            iso((DEFAULT_NOW_MS / 1000.0) as i64),
            "2026-11-23T10:00:00+00:00"
        );
    }

    #[test]
    fn garbage_params_never_panic() {
        let methods = [
            "batch",
            "crm.item.get",
            "crm.item.list",
            "crm.status.list",
            "user.get",
            "user.current",
            "app.info",
            "placement.get",
            "placement.bind",
            "placement.unbind",
            "no.such.method",
            "",
            " BATCH ",
        ];
        let garbage = [
            json!(null),
            json!(1),
            json!("x"),
            json!([]),
            json!([1, {"a": 2}]),
            json!({}),
            json!({"entityTypeId": [3], "id": {"x": 1}, "filter": "x", "select": 5, "order": [1], "start": "abc"}),
            json!({"entityTypeId": "3", "id": -1, "filter": {"@id": "x", ">id": [1], "%title": null, "!@": 1, "": 2},
                "order": {"title": 5, "nope": "desc"}, "start": "99999999999999999999999"}),
            json!({"entityTypeId": 1e300, "id": 1.5, "start": -99_999_999_999_i64, "select": [null, 1, "*"]}),
            json!({"ID": {"a": [null]}, "FILTER": [1], "filter": {"ENTITY_ID": ["x", null]}}),
            json!({"PLACEMENT": [], "HANDLER": {}, "LANG_ALL": "x", "TITLE": null}),
            json!({"PLACEMENT": "CALL_CARD", "HANDLER": 5, "LANG_ALL": {"en": 1, "ru": {"TITLE": [1]}}}),
            json!({"halt": "yes", "cmd": "x"}),
            json!({"cmd": {"a": 5, "b": "?", "c": "crm.item.list?filter[@id]=$result[a][x]&start=-9", "d": "$result[",
                "e": "crm.item.get?entityTypeId=3&id=$result[c][items][0][id]", "f": "user.get?ID=$result[e][item][][", "g": "%%%?%"}}),
            json!({"cmd": [null, [], {"x": 1}, "batch", "crm.item.get?entityTypeId=$result[9]"]}),
        ];
        let mut s = sim("");
        for method in methods {
            for params in &garbage {
                match s.rest(method, params) {
                    Ok(body) => assert!(
                        body.get("result").is_some() && body["time"].is_object(),
                        "{method} {params}: {body}"
                    ),
                    Err((status, body)) => {
                        assert!((400..500).contains(&status), "{method} {params}: {status}");
                        assert!(
                            body["error"].is_string() && body["error_description"].is_string(),
                            "{body}"
                        );
                    }
                }
            }
        }
        assert_eq!(s.request_count(), (methods.len() * garbage.len()) as u64);
    }

    // --- injected faults ------------------------------------------------------------------

    /// The outcome of `n` identical `user.current` requests, as letters: `A`nswer, `E`rror,
    /// `N`ever answers.
    fn outcomes(s: &mut Sim, method: &str, n: usize) -> String {
        (0..n)
            .map(|_| match s.rest_outcome(method, &json!({})) {
                Outcome::Answer(_) => 'A',
                Outcome::Error(..) => 'E',
                Outcome::NeverAnswers => 'N',
            })
            .collect()
    }

    #[test]
    fn no_faults_by_default() {
        let mut s = sim("");
        assert_eq!(outcomes(&mut s, "user.current", 200), "A".repeat(200));
        assert!(s.fault_log().is_empty());
    }

    #[test]
    fn faults_are_deterministic_per_seed() {
        let q = "fail=QUERY_LIMIT_EXCEEDED:0.3&fail=ACCESS_DENIED:0.2:user.current";
        let run = |seed: u64| outcomes(&mut sim(&format!("{q}&seed={seed}")), "user.current", 200);
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8), "another seed, other faults");
        let mut a = sim(&format!("{q}&seed=7"));
        let mut b = sim(&format!("{q}&seed=7"));
        outcomes(&mut a, "user.current", 50);
        outcomes(&mut b, "user.current", 50);
        assert_eq!(a.fault_log(), b.fault_log());
        assert!(!a.fault_log().is_empty());
        // Faults do not change the generated portal or its call ids.
        assert_eq!(sim(&format!("{q}&seed=7")).status(), sim("seed=7").status());
    }

    #[test]
    fn ratio_is_roughly_honoured() {
        for (ratio, lo, hi) in [
            (0.5, 400, 600),
            (0.1, 50, 150),
            (0.0, 0, 0),
            (1.0, 1000, 1000),
        ] {
            for seed in [1, 2, 3] {
                let mut s = sim(&format!("fail=QUERY_LIMIT_EXCEEDED:{ratio}&seed={seed}"));
                let errors = outcomes(&mut s, "user.current", 1000)
                    .chars()
                    .filter(|&c| c == 'E')
                    .count();
                assert!((lo..=hi).contains(&errors), "{ratio} seed {seed}: {errors}");
                assert_eq!(s.fault_log().len(), errors);
                assert_eq!(s.request_count(), 1000, "failed requests count too");
            }
        }
        let mut s = sim("fail=QUERY_LIMIT_EXCEEDED:1");
        assert_eq!(
            s.rest_outcome("user.current", &json!({})),
            Outcome::Error(
                503,
                json!({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"})
            )
        );
        assert_eq!(
            s.fault_log(),
            [(
                "user.current".to_string(),
                Injected::Error {
                    status: 503,
                    code: "QUERY_LIMIT_EXCEEDED".into()
                }
            )]
        );
    }

    #[test]
    fn per_method_rule_spares_other_methods() {
        let mut s =
            sim("fail=OPERATION_TIME_LIMIT:1:crm.status.list&fail=SOMETHING_ODD:1:app.info");
        let (status, body) = s.rest("crm.status.list", &json!({})).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (429, Some("OPERATION_TIME_LIMIT"))
        );
        let (status, body) = s.rest("APP.INFO", &json!({})).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("SOMETHING_ODD"))
        );
        assert!(body["error_description"].is_string());
        ok(&mut s, "user.current", json!({}));
        ok(&mut s, "placement.get", json!({}));
    }

    #[test]
    fn expired_token_until_refreshed() {
        let mut s = sim("expire=3");
        assert_eq!(outcomes(&mut s, "user.current", 5), "AAAEE");
        let (status, body) = s.rest("app.info", &json!({})).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("expired_token"))
        );
        assert_eq!(s.request_count(), 6);
        s.refresh_token();
        assert_eq!(
            outcomes(&mut s, "user.current", 4),
            "AAAE",
            "a new token lasts N again"
        );
        s.refresh_token();
        ok(&mut s, "app.info", json!({}));
        // Expiry comes before a stall or a failure, and fails a batch as a whole.
        let mut s = sim("expire=1&stall=*&fail=ACCESS_DENIED:1");
        assert_eq!(outcomes(&mut s, "user.current", 1), "N");
        let batch = json!({"cmd": {"a": "user.current"}});
        assert!(matches!(
            s.rest_outcome("batch", &batch),
            Outcome::Error(401, _)
        ));
        assert_eq!(
            s.fault_log().last().unwrap().1,
            Injected::Error {
                status: 401,
                code: "expired_token".into()
            }
        );
    }

    #[test]
    fn a_stalled_method_leaves_others_working() {
        let mut s = sim("stall=crm.item.get");
        let get = json!({"entityTypeId": 3, "id": CONTACT_FIRST_ID});
        assert_eq!(s.rest_outcome("crm.item.get", &get), Outcome::NeverAnswers);
        assert_eq!(s.rest("crm.item.get", &get).unwrap_err().0, 504);
        ok(&mut s, "user.current", json!({}));
        ok(&mut s, "crm.item.list", json!({"entityTypeId": 3}));
        // A batch cannot answer before its slowest command.
        let batch = json!({"cmd": {"me": "user.current", "c": format!("crm.item.get?entityTypeId=3&id={CONTACT_FIRST_ID}")}});
        assert_eq!(s.rest_outcome("batch", &batch), Outcome::NeverAnswers);
        let other = json!({"cmd": {"me": "user.current"}});
        assert!(matches!(
            s.rest_outcome("batch", &other),
            Outcome::Answer(_)
        ));
        assert_eq!(s.request_count(), 6, "a stalled request was still sent");
        assert_eq!(
            s.fault_log()
                .iter()
                .filter(|(_, f)| *f == Injected::NeverAnswers)
                .count(),
            3
        );
        let mut s = sim("stall=*");
        assert_eq!(outcomes(&mut s, "app.info", 3), "NNN");
    }

    #[test]
    fn a_business_error_fails_one_batch_command() {
        let mut s = sim("fail=ACCESS_DENIED:1:crm.item.get");
        let batch = json!({"cmd": {
            "me": "user.current",
            "c": format!("crm.item.get?entityTypeId=3&id={CONTACT_FIRST_ID}"),
            "l": "crm.item.list?entityTypeId=3",
        }});
        let body = ok(&mut s, "batch", batch.clone());
        let r = &body["result"];
        assert_eq!(r["result_error"]["c"]["error"], "ACCESS_DENIED");
        assert!(r["result"].get("c").is_none());
        assert_eq!(r["result"]["me"]["ID"], "1");
        assert!(r["result"]["l"]["items"].is_array());
        assert!(r["result_error"].get("me").is_none() && r["result_error"].get("l").is_none());
        assert_eq!(
            s.fault_log(),
            [(
                "crm.item.get".to_string(),
                Injected::InBatch {
                    key: "c".into(),
                    status: 403,
                    code: "ACCESS_DENIED".into()
                }
            )]
        );
        // The app's own decoder sees exactly that key fail.
        let answer = decode_answer(&body["result"]).expect("decodes");
        assert_eq!(answer.get("c").unwrap_err().code(), Some("ACCESS_DENIED"));
        assert!(answer.get("me").is_ok());
        // `halt` stops at it, as at any failing command.
        let mut halted = batch.clone();
        halted["halt"] = json!(1);
        let body = ok(&mut s, "batch", halted);
        assert!(body["result"]["result"].get("l").is_none());
        // Called on its own, the method fails as a whole.
        let (status, _) = s
            .rest(
                "crm.item.get",
                &json!({"entityTypeId": 3, "id": CONTACT_FIRST_ID}),
            )
            .unwrap_err();
        assert_eq!(status, 403);
        assert_eq!(s.request_count(), 3, "a batch is one request");
    }

    #[test]
    fn a_server_error_fails_a_batch_whole() {
        let batch = json!({"cmd": {
            "me": "user.current",
            "c": format!("crm.item.get?entityTypeId=3&id={CONTACT_FIRST_ID}"),
        }});
        // Aimed at a command inside the batch…
        let mut s = sim("fail=QUERY_LIMIT_EXCEEDED:1:crm.item.get");
        let (status, body) = s.rest("batch", &batch).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (503, Some("QUERY_LIMIT_EXCEEDED"))
        );
        assert_eq!(s.fault_log()[0].0, "batch");
        ok(&mut s, "batch", json!({"cmd": {"me": "user.current"}}));
        // …or at every request.
        let mut s = sim("fail=INTERNAL_SERVER_ERROR:1");
        assert!(matches!(
            s.rest_outcome("batch", &batch),
            Outcome::Error(500, _)
        ));
        let mut s = sim("fail=invalid_token:1:user.current");
        assert!(matches!(
            s.rest_outcome("batch", &batch),
            Outcome::Error(401, _)
        ));
        assert_eq!(s.request_count(), 1);
        assert_eq!(s.request_log(), ["batch"]);
    }
}
