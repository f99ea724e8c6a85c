//! The generated CRM's fixed tables: its users, companies, contacts, leads and deals in both
//! languages, and the `crm.status.list` directories (stages, sources, call statuses).

use crate::bilingual::Text;

pub(crate) struct UserTpl {
    pub(crate) name: Text,
    pub(crate) second_name: Text,
    pub(crate) last_name: Text,
    pub(crate) position: Text,
    pub(crate) female: bool,
    pub(crate) email: Text,
}

/// The portal's employees. User 1 is the operator on the call.
pub(crate) const USERS: [UserTpl; 5] = [
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

pub(crate) struct CompanyTpl {
    pub(crate) title: Text,
    pub(crate) company_type: &'static str,
    pub(crate) industry: &'static str,
    pub(crate) email: Text,
    /// English data only: a British company (+44 numbers) rather than an American one.
    pub(crate) uk: bool,
    /// English data only: the currency its deals are in (Russian data is all in roubles).
    pub(crate) currency: &'static str,
}

pub(crate) const COMPANIES: [CompanyTpl; 4] = [
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

pub(crate) struct ContactTpl {
    pub(crate) name: Text,
    pub(crate) second_name: Text,
    pub(crate) last_name: Text,
    pub(crate) female: bool,
    pub(crate) post: Text,
    /// Index into [`COMPANIES`].
    pub(crate) company: Option<usize>,
    /// The `valueType` of each phone, in the order the CRM lists them.
    pub(crate) phones: &'static [&'static str],
    pub(crate) email: Text,
    pub(crate) type_id: &'static str,
    pub(crate) source: &'static str,
}

/// The first contact is the showcase: a post, a company and two open deals.
pub(crate) const CONTACTS: [ContactTpl; 8] = [
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

pub(crate) struct LeadTpl {
    pub(crate) title: Text,
    pub(crate) name: Text,
    pub(crate) last_name: Text,
    pub(crate) company_title: Text,
    pub(crate) post: Text,
    pub(crate) stage: &'static str,
    pub(crate) source: &'static str,
    pub(crate) phones: &'static [&'static str],
    pub(crate) email: Text,
    pub(crate) uk: bool,
}

/// The third lead has no phone: switching to it is how the card reports `"unknown"`.
pub(crate) const LEADS: [LeadTpl; 4] = [
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

pub(crate) struct DealTpl {
    pub(crate) title: Text,
    pub(crate) category: u64,
    pub(crate) stage: &'static str,
    /// Indexes into [`CONTACTS`] and [`COMPANIES`].
    pub(crate) contact: Option<usize>,
    pub(crate) company: Option<usize>,
}

/// Two pipelines; the first two deals belong to the showcase contact.
pub(crate) const DEALS: [DealTpl; 8] = [
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
pub(crate) const COMPANY_FIRST_ID: u64 = 5;

pub(crate) const CONTACT_FIRST_ID: u64 = 12;

pub(crate) const LEAD_FIRST_ID: u64 = 31;

pub(crate) const DEAL_FIRST_ID: u64 = 41;

/// One entry of a `crm.status.list` directory.
pub(crate) struct StatusTpl {
    pub(crate) id: &'static str,
    pub(crate) name: Text,
    /// `Some("S")` success, `Some("F")` failure, `None` in progress.
    pub(crate) semantics: Option<&'static str>,
    pub(crate) color: Option<&'static str>,
    pub(crate) system: bool,
}

pub(crate) const fn st(
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
pub(crate) struct Directory {
    pub(crate) entity_id: &'static str,
    /// The deal category a `DEAL_STAGE_<n>` belongs to.
    pub(crate) category: Option<&'static str>,
    /// Stage directories carry `EXTRA` (semantics and colour); plain lists do not.
    pub(crate) stages: bool,
    pub(crate) statuses: &'static [StatusTpl],
}

// One status a row: the table is read across, so rustfmt's one-argument-a-line layout is kept off.
#[rustfmt::skip]
pub(crate) const DIRECTORIES: [Directory; 5] = [
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
pub(crate) fn stage_semantic(directory: &str, stage: &str) -> &'static str {
    DIRECTORIES
        .iter()
        .filter(|d| d.entity_id == directory)
        .flat_map(|d| d.statuses)
        .find(|s| s.id == stage)
        .and_then(|s| s.semantics)
        .unwrap_or("P")
}
