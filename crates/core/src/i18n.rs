//! Russian and English texts, chosen from the portal's language code.

/// The language the card speaks. Russian and English are complete; the portal's other
/// languages fall back to the closer of the two (ua/kz/by → Russian, the rest → English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    Ru,
    #[default]
    En,
}

impl Lang {
    /// From a Bitrix24 language code (`BX24.getLang()`: `ru`, `en`, `ua`, `kz`, `la`, `br`, …).
    pub fn from_bitrix(code: &str) -> Lang {
        match code.trim().to_ascii_lowercase().as_str() {
            "ru" | "ua" | "uk" | "kz" | "kk" | "by" | "be" => Lang::Ru,
            _ => Lang::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

/// The BCP 47 locale for `Intl` formatting (numbers, money, dates) from a Bitrix24 code.
/// Bitrix uses its own codes: `ua` is Ukrainian (`uk`), `la` Latin-American Spanish, `br`
/// Brazilian Portuguese, `tc`/`sc` Chinese.
pub fn locale_for(code: &str) -> &'static str {
    match code.trim().to_ascii_lowercase().as_str() {
        "ru" => "ru-RU",
        "ua" | "uk" => "uk-UA",
        "kz" | "kk" => "kk-KZ",
        "by" | "be" => "be-BY",
        "de" => "de-DE",
        "la" => "es-419",
        "br" => "pt-BR",
        "fr" => "fr-FR",
        "it" => "it-IT",
        "pl" => "pl-PL",
        "tr" => "tr-TR",
        "sc" => "zh-CN",
        "tc" => "zh-TW",
        "ja" => "ja-JP",
        "vn" => "vi-VN",
        "id" => "id-ID",
        "ms" => "ms-MY",
        "th" => "th-TH",
        "ar" => "ar",
        _ => "en-US",
    }
}

/// Every text the card shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Incoming,
    Outgoing,
    Callback,
    Transferred,
    Ringing,
    Dialling,
    Connected,
    Ended,
    NoCall,
    CallFailed,
    HiddenNumber,
    UnknownNumber,
    Line,
    Contact,
    Company,
    Lead,
    Deal,
    Quote,
    Invoice,
    Item,
    NotInCrm,
    NotInCrmHint,
    Responsible,
    Phones,
    Bindings,
    NoBindings,
    NoAccess,
    Deleted,
    Loading,
    Updating,
    Retry,
    OpenInCrm,
    ErrUnavailable,
    ErrRateLimited,
    ErrAccess,
    ErrAuth,
    ErrArgument,
    ErrStatus,
    DemoBanner,
    DemoFallback,
    DemoAnswer,
    DemoHangup,
    DemoRedial,
    DemoSwitch,
    DemoRequests,
    DemoFaults,
    History,
    ShowMore,
    CampaignTitle,
    CallLists,
    CampaignNone,
    CampaignPick,
    ChooseList,
    ListName,
    Called,
    Left,
    ThisClient,
    Of,
    InThisList,
    AddToList,
    RemoveFromList,
    ShowLists,
    CreateList,
    Clients,
    ChangeList,
    NotInList,
    DemoNext,
    HistoryEmpty,
    HistoryUnavailable,
    StatsDenied,
    OutcomeAnswered,
    OutcomeMissed,
    OutcomeDeclined,
    OutcomeCancelled,
    OutcomeFailed,
    Recording,
    NotCompleted,
    KindMeeting,
    KindTask,
    KindEmail,
    KindActivity,
    BusyRetryIn,
    NoAnswerRetryIn,
    Seconds,
    DemoScenario,
    DemoLatency,
    InstallTitle,
    InstallIntro,
    InstallRegistered,
    InstallNotRegistered,
    InstallBind,
    InstallUnbind,
    InstallReload,
    InstallChecking,
    InstallNotAdmin,
    TabTitle,
    CallDuration,
    CampaignMode,
    StartFailed,
    StateUnknown,
    Order,
    BindingsUnreadable,
    DirectionUnknown,
    ListHiddenMembers,
    ListReadUncertain,
    ListReadIncomplete,
    ListAlreadyThat,
    ListChangedSinceShown,
    ListClientChanged,
    ListChangedByOthers,
    ListSizes,
    ReadingList,
    ReadingLists,
    ReadSoFar,
    WaitingForBitrix,
    StillWaitingForBitrix,
    PortalNotLoaded,
    PortalLoadError,
    PortalLibraryThrew,
    PortalInitThrew,
    CardStopped,
    Reload,
    KindTodo,
    ShowAll,
    LastContact,
    LastCallNone,
    NoOpenTasks,
    NextTask,
    CommentKind,
    NumberBelongsTo,
    MatchSearchFailed,
    MatchNone,
    Overdue,
    LastCallLabel,
    ShowFewer,
    WrapupTitle,
    WrapupOpen,
    KeepOpen,
    WrapupResult,
    WrapupNote,
    WrapupNoteHint,
    WrapupCallback,
    ResultReached,
    ResultNoAnswer,
    ResultCallBack,
    ResultNotInterested,
    ResultWrongNumber,
    CommentFrom,
    CommentTo,
    CommentFromHiddenNumber,
    CommentCallBack,
    TodoCallBack,
    CallbackNone,
    CallbackHour,
    CallbackTomorrow,
    CallbackThreeDays,
    CallbackCustom,
    WrapupSave,
    WrapupRetry,
    WrapupDiscard,
    WrapupClose,
    WrapupGoesTo,
    WrapupNoClient,
    WrapupNoTimeline,
    SaidSaving,
    SaidChecking,
    SaidSavedNote,
    SaidSavedTodo,
    SaidDraftKept,
    SaidFailed,
    SaidTextKept,
    SaidLost,
    SaidUnsure,
    SaidNoteOnly,
    SaidTodoOnly,
    SaidNothing,
    SaidBadDate,
    SaidPastDate,
    SaidDiscarded,
    SaidRestored,
    DemoAutoClose,
    DemoHeld,
    DemoFree,
    DemoCardClosed,
    InstallResults,
    InstallResultsSave,
    InstallResultsSaved,
    InstallResultsFailed,
    CardHeading,
    DemoPanel,
    ListErrEntityType,
    ListErrTypeMismatch,
    ListErrAccess,
    ListErrNotFound,
    ListErrNoEntities,
    ListErrEntityMissing,
    ListErrWebform,
    ListErrStatus,
    ListErrArgument,
    ListErrOther,
    FaultStorm,
    FaultExpired,
    FaultStall,
    FaultDenied,
    FaultOperating,
    FaultNone,
}

/// The text for `t` in `lang`.
pub fn tr(lang: Lang, t: Text) -> &'static str {
    let (en, ru) = match t {
        Text::Incoming => ("Incoming call", "Входящий звонок"),
        Text::Outgoing => ("Outgoing call", "Исходящий звонок"),
        Text::Callback => ("Callback", "Обратный звонок"),
        Text::Transferred => ("Transferred call", "Переведённый звонок"),
        Text::Ringing => ("Ringing", "Звонит"),
        Text::Dialling => ("Dialling", "Вызов"),
        Text::Connected => ("Connected", "Разговор"),
        Text::Ended => ("Call ended", "Звонок завершён"),
        Text::NoCall => ("No active call", "Нет активного звонка"),
        Text::CallFailed => ("Call failed", "Звонок не состоялся"),
        Text::HiddenNumber => ("Hidden number", "Скрытый номер"),
        Text::UnknownNumber => ("Unknown number", "Номер неизвестен"),
        Text::Line => ("Line", "Линия"),
        Text::Contact => ("Contact", "Контакт"),
        Text::Company => ("Company", "Компания"),
        Text::Lead => ("Lead", "Лид"),
        Text::Deal => ("Deal", "Сделка"),
        Text::Quote => ("Quote", "Предложение"),
        Text::Invoice => ("Invoice", "Счёт"),
        Text::Item => ("Item", "Элемент"),
        Text::NotInCrm => ("Not in CRM", "Нет в CRM"),
        Text::NotInCrmHint => (
            "This number is not linked to any contact, company or lead.",
            "Этот номер не привязан ни к контакту, ни к компании, ни к лиду.",
        ),
        Text::Responsible => ("Responsible", "Ответственный"),
        Text::Phones => ("Phones", "Телефоны"),
        Text::Bindings => ("Linked to this call", "Привязано к звонку"),
        Text::NoBindings => (
            "Nothing else is linked to this call.",
            "Звонок больше ни к чему не привязан.",
        ),
        Text::NoAccess => ("No access", "Нет доступа"),
        Text::Deleted => ("Deleted or not available", "Удалено или недоступно"),
        Text::Loading => ("Loading…", "Загрузка…"),
        Text::Updating => ("Updating…", "Обновление…"),
        Text::Retry => ("Retry", "Повторить"),
        Text::OpenInCrm => ("Open in CRM", "Открыть в CRM"),
        Text::ErrUnavailable => (
            "The portal is not answering. The data shown may be out of date.",
            "Портал не отвечает. Данные на экране могут быть устаревшими.",
        ),
        Text::ErrRateLimited => (
            "The portal is busy. Try again in a few seconds.",
            "Портал перегружен. Повторите через несколько секунд.",
        ),
        Text::ErrAccess => (
            "You do not have access to this data.",
            "Нет доступа к этим данным.",
        ),
        Text::ErrAuth => (
            "The session has expired. Reopen the call card.",
            "Сессия истекла. Откройте карточку звонка заново.",
        ),
        Text::ErrArgument => (
            "The portal rejected the request.",
            "Портал отклонил запрос.",
        ),
        Text::ErrStatus => (
            "The call card sent data the app could not read.",
            "Карточка звонка передала данные, которые приложение не смогло прочитать.",
        ),
        Text::DemoBanner => (
            "Demo portal: simulated call and CRM, not connected to Bitrix24",
            "Демо-портал: звонок и CRM смоделированы, Битрикс24 не подключён",
        ),
        Text::DemoFallback => (
            "Bitrix24 did not answer, so the demo portal is shown.",
            "Битрикс24 не ответил, поэтому показан демо-портал.",
        ),
        Text::DemoAnswer => ("Answer", "Ответить"),
        Text::DemoHangup => ("Hang up", "Завершить"),
        Text::DemoRedial => ("Call again", "Перезвонить"),
        Text::DemoSwitch => ("Next client", "Следующий клиент"),
        Text::DemoRequests => ("REST requests", "REST-запросов"),
        Text::DemoFaults => ("Portal faults", "Сбои портала"),
        Text::History => ("History", "История"),
        Text::CampaignTitle => ("Calling campaign", "Обзвон"),
        Text::CallLists => ("Call lists", "Списки обзвона"),
        Text::CampaignNone => (
            "None of your recent call lists holds this client. Pick the list you are working through:",
            "Клиента нет в ваших последних списках обзвона. Выберите список, по которому идёт обзвон:",
        ),
        Text::CampaignPick => (
            "This client is in several of your call lists. Which one are you working through?",
            "Клиент есть в нескольких ваших списках обзвона. По какому из них идёт обзвон?",
        ),
        Text::ChooseList => ("Choose a list…", "Выберите список…"),
        Text::ListName => ("Call list", "Список обзвона"),
        Text::Called => ("called", "обзвонено"),
        Text::Left => ("left", "осталось"),
        Text::ThisClient => ("This client", "Этот клиент"),
        Text::Of => ("of", "из"),
        Text::InThisList => ("holds this client", "клиент в списке"),
        Text::AddToList => ("Add", "Добавить"),
        Text::RemoveFromList => ("Remove", "Убрать"),
        Text::ShowLists => ("Show my call lists", "Показать мои списки обзвона"),
        Text::CreateList => (
            "New call list with this client",
            "Новый список обзвона с этим клиентом",
        ),
        Text::Clients => ("clients", "клиентов"),
        Text::ChangeList => ("Change list", "Сменить список"),
        Text::NotInList => ("not in this list", "нет в списке"),
        Text::DemoNext => ("Next", "Следующий"),
        Text::ShowMore => ("Show more", "Показать ещё"),
        Text::HistoryEmpty => (
            "No calls or activities with this client yet.",
            "С этим клиентом ещё не было звонков и дел.",
        ),
        Text::HistoryUnavailable => (
            "The history could not be loaded.",
            "Историю загрузить не удалось.",
        ),
        Text::StatsDenied => (
            "Call durations and results are hidden: no access to call statistics.",
            "Длительность и итог звонков скрыты: нет доступа к статистике звонков.",
        ),
        Text::OutcomeAnswered => ("answered", "состоялся"),
        Text::OutcomeMissed => ("missed", "пропущен"),
        Text::OutcomeDeclined => ("declined", "отклонён"),
        Text::OutcomeCancelled => ("cancelled", "отменён"),
        Text::OutcomeFailed => ("failed", "не состоялся"),
        Text::Recording => ("Recording", "Запись"),
        Text::NotCompleted => ("open", "не завершено"),
        Text::KindMeeting => ("Meeting", "Встреча"),
        Text::KindTask => ("Task", "Задача"),
        Text::KindEmail => ("E-mail", "Письмо"),
        Text::KindActivity => ("Activity", "Дело"),
        Text::BusyRetryIn => (
            "The portal is busy, retrying in",
            "Портал перегружен, повтор через",
        ),
        Text::NoAnswerRetryIn => (
            "The portal is not answering, retrying in",
            "Портал не отвечает, повтор через",
        ),
        Text::Seconds => ("s", "с"),
        Text::DemoScenario => ("Scenario", "Сценарий"),
        Text::DemoLatency => ("Latency", "Задержка"),
        Text::InstallTitle => ("Call card tab", "Вкладка карточки звонка"),
        Text::InstallIntro => (
            "The app shows the client, their deals and the call's progress as a tab of the telephony call card.",
            "Приложение показывает клиента, его сделки и ход звонка во вкладке карточки звонка телефонии.",
        ),
        Text::InstallRegistered => (
            "The tab is registered in the call card.",
            "Вкладка зарегистрирована в карточке звонка.",
        ),
        Text::InstallNotRegistered => (
            "The tab is not registered yet.",
            "Вкладка ещё не зарегистрирована.",
        ),
        Text::InstallBind => ("Register the tab", "Зарегистрировать вкладку"),
        Text::InstallUnbind => ("Remove the tab", "Удалить вкладку"),
        Text::InstallReload => (
            "Reload the Bitrix24 page to see the change in the call card.",
            "Перезагрузите страницу Битрикс24, чтобы увидеть изменения в карточке звонка.",
        ),
        Text::InstallChecking => ("Checking…", "Проверка…"),
        Text::InstallNotAdmin => (
            "Only a portal administrator can change this.",
            "Изменить это может только администратор портала.",
        ),
        Text::TabTitle => ("Client", "Клиент"),
        Text::CardHeading => ("Call card", "Карточка звонка"),
        Text::DemoPanel => ("Demo portal", "Демо-портал"),
        Text::ListErrEntityType => (
            "Call lists made through the app can hold only contacts or companies.",
            "Через приложение в обзвон можно добавлять только контакты или компании.",
        ),
        Text::ListErrTypeMismatch => (
            "This call list holds another type of client.",
            "В этом обзвоне клиенты другого типа.",
        ),
        Text::ListErrAccess => (
            "You do not have access to these clients or to this call list.",
            "Нет доступа к этим клиентам или к этому обзвону.",
        ),
        Text::ListErrNotFound => (
            "The call list was not found: it may have been deleted, or you have no access to it.",
            "Обзвон не найден: возможно, он удалён или к нему нет доступа.",
        ),
        Text::ListErrNoEntities => (
            "The call list needs at least one client.",
            "В обзвоне должен быть хотя бы один клиент.",
        ),
        Text::ListErrEntityMissing => (
            "Some of the clients no longer exist in the CRM.",
            "Некоторых клиентов больше нет в CRM.",
        ),
        Text::ListErrWebform => (
            "The CRM form attached to the call list no longer exists.",
            "CRM-форма, привязанная к обзвону, больше не существует.",
        ),
        Text::ListErrStatus => (
            "This call status does not exist.",
            "Такого статуса обзвона нет.",
        ),
        Text::ListErrArgument => (
            "The request to the call list was incomplete.",
            "Запрос к обзвону был неполным.",
        ),
        Text::ListErrOther => (
            "The portal could not change the call list.",
            "Портал не смог выполнить действие с обзвоном.",
        ),
        Text::FaultStorm => ("503 storm 50 %", "шторм 503, 50 %"),
        Text::FaultExpired => ("token expires", "токен истекает"),
        Text::FaultStall => ("no answer", "нет ответа"),
        Text::FaultDenied => ("no access", "нет доступа"),
        Text::FaultOperating => ("operation limit", "лимит времени"),
        Text::FaultNone => ("none", "нет"),
        Text::CallDuration => ("Call duration", "Длительность звонка"),
        Text::CampaignMode => ("Call campaign", "Обзвон"),
        Text::StartFailed => (
            "The call card could not start.",
            "Не удалось запустить карточку звонка.",
        ),
        Text::StateUnknown => ("Call state unknown", "Состояние звонка неизвестно"),
        Text::Order => ("Order", "Заказ"),
        Text::BindingsUnreadable => (
            "Some bindings could not be read",
            "Часть привязок не удалось прочитать",
        ),
        Text::DirectionUnknown => ("Call", "Звонок"),
        Text::ListHiddenMembers => (
            "Some members of this list are hidden from you; changing it here would delete them. Nothing was changed.",
            "Часть участников списка вам не видна; изменение здесь удалило бы их. Ничего не изменено.",
        ),
        Text::ListReadUncertain => (
            "Only an administrator is sure to see every member of a list; a change here could delete members hidden from you. Nothing was changed.",
            "Всех участников списка гарантированно видит только администратор; изменение здесь могло бы удалить скрытых от вас. Ничего не изменено.",
        ),
        Text::ListReadIncomplete => (
            "The list could not be read completely. Nothing was changed.",
            "Список не удалось прочитать полностью. Ничего не изменено.",
        ),
        Text::ListAlreadyThat => (
            "The list is already so. Nothing was changed.",
            "Список уже такой. Ничего не изменено.",
        ),
        Text::ListChangedSinceShown => (
            "Another change to this list happened since it was shown. Nothing was changed: look again and retry.",
            "Список изменили после показа. Ничего не изменено: проверьте и повторите.",
        ),
        Text::ListClientChanged => (
            "The client changed since the lists were shown. Nothing was changed.",
            "Клиент сменился после показа списков. Ничего не изменено.",
        ),
        Text::ListChangedByOthers => (
            "Done, but another change to this list happened meanwhile; nothing was restored.",
            "Готово, но список одновременно изменили; ничего не восстанавливалось.",
        ),
        Text::ListSizes => ("Call list sizes", "Размеры обзвонов"),
        Text::ReadingList => ("Reading the call list…", "Читаю список обзвона…"),
        Text::ReadingLists => ("Reading the call lists…", "Читаю списки обзвона…"),
        Text::ReadSoFar => ("read", "прочитано"),
        Text::WaitingForBitrix => ("Waiting for Bitrix24…", "Ожидание Bitrix24…"),
        Text::StillWaitingForBitrix => (
            "The portal has not answered yet; the card opens as soon as it does.",
            "Портал ещё не ответил; карточка откроется, как только он ответит.",
        ),
        Text::PortalNotLoaded => (
            "The Bitrix24 library has not loaded. Check the connection (api.bitrix24.com may be blocked); the card keeps waiting.",
            "Библиотека Битрикс24 не загрузилась. Проверьте соединение (api.bitrix24.com может быть заблокирован); карточка продолжает ждать.",
        ),
        Text::PortalLoadError => (
            "The Bitrix24 library could not be loaded from api.bitrix24.com (network or a blocker).",
            "Не удалось загрузить библиотеку Битрикс24 с api.bitrix24.com (сеть или блокировщик).",
        ),
        Text::PortalLibraryThrew => (
            "The Bitrix24 library could not start in this frame. Open the call card from Bitrix24 again.",
            "Библиотека Битрикс24 не смогла запуститься в этом окне. Откройте карточку звонка из Битрикс24 заново.",
        ),
        Text::PortalInitThrew => (
            "Bitrix24 could not start the app.",
            "Битрикс24 не смог запустить приложение.",
        ),
        Text::CardStopped => (
            "The call card stopped working.",
            "Карточка звонка перестала работать.",
        ),
        Text::Reload => ("Reload", "Перезагрузить"),
        Text::KindTodo => ("To-do", "Дело"),
        Text::ShowAll => ("Show all", "Показать все"),
        Text::LastContact => ("At a glance", "Коротко"),
        Text::LastCallNone => ("No calls yet", "Звонков ещё не было"),
        Text::NoOpenTasks => ("No open tasks", "Нет открытых дел"),
        Text::NextTask => ("next", "ближайшее"),
        Text::CommentKind => ("Comment", "Комментарий"),
        Text::NumberBelongsTo => (
            "The call is not linked, but this number belongs to",
            "Звонок не привязан, но этот номер есть в CRM",
        ),
        Text::MatchSearchFailed => (
            "Could not search the CRM for this number.",
            "Не удалось найти этот номер в CRM.",
        ),
        Text::MatchNone => (
            "No one in the CRM has this number.",
            "Этого номера нет в CRM.",
        ),
        Text::Overdue => ("overdue", "просрочено"),
        Text::LastCallLabel => ("Last call", "Последний звонок"),
        Text::ShowFewer => ("Show fewer", "Свернуть"),
        Text::WrapupTitle => ("After the call", "После звонка"),
        Text::WrapupOpen => ("Wrap-up", "Итоги звонка"),
        Text::KeepOpen => ("Keep the card open", "Не закрывать карточку"),
        Text::WrapupResult => ("Result", "Результат"),
        Text::WrapupNote => ("Note", "Заметка"),
        Text::WrapupNoteHint => (
            "What was said, what was agreed…",
            "О чём говорили, о чём договорились…",
        ),
        Text::WrapupCallback => ("Call back", "Перезвонить"),
        Text::ResultReached => ("Reached", "Дозвонились"),
        Text::ResultNoAnswer => ("No answer", "Не дозвонились"),
        Text::ResultCallBack => ("Call back", "Перезвонить"),
        Text::ResultNotInterested => ("Not interested", "Не интересно"),
        Text::ResultWrongNumber => ("Wrong number", "Ошибочный номер"),
        Text::CommentFrom => ("from", "с"),
        Text::CommentTo => ("to", "на"),
        Text::CommentFromHiddenNumber => ("from a hidden number", "со скрытого номера"),
        Text::CommentCallBack => ("Call back", "Перезвонить"),
        Text::TodoCallBack => ("Call back", "Перезвонить"),
        Text::CallbackNone => ("No", "Нет"),
        Text::CallbackHour => ("In 1 hour", "Через час"),
        Text::CallbackTomorrow => ("Tomorrow morning", "Завтра утром"),
        Text::CallbackThreeDays => ("In 3 days", "Через 3 дня"),
        Text::CallbackCustom => ("Date and time", "Дата и время"),
        Text::WrapupSave => ("Save", "Сохранить"),
        Text::WrapupRetry => ("Retry", "Повторить"),
        Text::WrapupDiscard => ("Discard", "Сбросить"),
        Text::WrapupClose => ("Close", "Закрыть"),
        Text::WrapupGoesTo => ("Saved to the timeline of", "Сохранится в ленту:"),
        Text::WrapupNoClient => (
            "This number is not bound to a CRM client. A note goes to the timeline of a contact, company, lead or deal, so there is nowhere to save it from here.",
            "Номер не привязан к клиенту в CRM. Заметка сохраняется в ленту контакта, компании, лида или сделки, поэтому отсюда её сохранить некуда.",
        ),
        Text::WrapupNoTimeline => (
            "This call is bound to an item whose timeline the card cannot write to (only contacts, companies, leads and deals).",
            "Звонок привязан к элементу, в ленту которого карточка писать не умеет (только контакты, компании, лиды и сделки).",
        ),
        Text::SaidSaving => ("Saving…", "Сохраняем…"),
        Text::SaidChecking => (
            "The portal did not answer. Checking whether it was saved…",
            "Портал не ответил. Проверяем, сохранилось ли…",
        ),
        Text::SaidSavedNote => (
            "Note saved to the client's timeline.",
            "Заметка сохранена в ленту клиента.",
        ),
        Text::SaidSavedTodo => ("Callback planned:", "Звонок запланирован:"),
        Text::SaidDraftKept => (
            "The card is closing: your draft is kept on this computer and in your portal settings, not yet in the CRM.",
            "Карточка закрывается: черновик сохранён, но в CRM ещё не записан.",
        ),
        Text::SaidFailed => ("Not saved:", "Не сохранено:"),
        Text::SaidTextKept => (
            "Your text is kept. Try again.",
            "Текст не потерян. Попробуйте ещё раз.",
        ),
        Text::SaidLost => (
            "Not saved: the portal did not receive it.",
            "Не сохранено: портал не получил запрос.",
        ),
        Text::SaidUnsure => (
            "Could not check whether it was saved. Retry checks first and sends only what is missing.",
            "Не удалось проверить, сохранилось ли. «Повторить» сначала проверит и отправит только недостающее.",
        ),
        Text::SaidNoteOnly => (
            "The note is saved; the callback is not.",
            "Заметка сохранена, а звонок не запланирован.",
        ),
        Text::SaidTodoOnly => (
            "The callback is planned; the note is not saved.",
            "Звонок запланирован, а заметка не сохранена.",
        ),
        Text::SaidNothing => (
            "Nothing to save yet: write a note, choose a result or a callback.",
            "Пока нечего сохранять: напишите заметку, выберите результат или звонок.",
        ),
        Text::SaidBadDate => (
            "Choose the date and time of the callback.",
            "Выберите дату и время звонка.",
        ),
        Text::SaidPastDate => (
            "That time has passed: choose a later one.",
            "Это время уже прошло: выберите позже.",
        ),
        Text::SaidDiscarded => ("Draft discarded.", "Черновик сброшен."),
        Text::SaidRestored => (
            "Your unsaved draft is back.",
            "Несохранённый черновик восстановлен.",
        ),
        Text::DemoAutoClose => ("Auto-close", "Автозакрытие"),
        Text::DemoHeld => ("held", "удерживается"),
        Text::DemoFree => ("free", "свободно"),
        Text::DemoCardClosed => (
            "Card closed by the portal (65 s after the call).",
            "Портал закрыл карточку (через 65 с после звонка).",
        ),
        Text::InstallResults => (
            "Call results in the wrap-up, one a line (empty: the defaults)",
            "Результаты звонка в итогах, по одному в строке (пусто — по умолчанию)",
        ),
        Text::InstallResultsSave => ("Save results", "Сохранить результаты"),
        Text::InstallResultsSaved => ("Results saved.", "Результаты сохранены."),
        Text::InstallResultsFailed => (
            "The portal did not save the results.",
            "Портал не сохранил результаты.",
        ),
    };
    match lang {
        Lang::En => en,
        Lang::Ru => ru,
    }
}

/// `n` with thousands grouped: `10,000` in English, `10 000` (no-break space) in Russian.
pub fn group_digits(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::En => ',',
        Lang::Ru => '\u{a0}',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The reading line: "Reading the call list… 4,000 of ~10,000" (`expected`: the size the list
/// had when last read, `None` when unknown: "… 4,000 read"); `lists` > 1 says "lists".
pub fn reading_text(lang: Lang, read: u64, expected: Option<u64>, lists: usize) -> String {
    let mut out = String::from(tr(
        lang,
        if lists > 1 {
            Text::ReadingLists
        } else {
            Text::ReadingList
        },
    ));
    out.push(' ');
    let n = group_digits(read, lang);
    let so_far = tr(lang, Text::ReadSoFar);
    match (expected, lang) {
        (Some(t), _) => {
            out.push_str(&n);
            out.push(' ');
            out.push_str(tr(lang, Text::Of));
            out.push_str(" ~");
            out.push_str(&group_digits(t.max(read), lang));
        }
        (None, Lang::En) => {
            out.push_str(&n);
            out.push(' ');
            out.push_str(so_far);
        }
        (None, Lang::Ru) => {
            out.push_str(so_far);
            out.push(' ');
            out.push_str(&n);
        }
    }
    out
}

/// "2 open tasks" / "2 открытых дела": the count with its plural form.
pub fn open_tasks(lang: Lang, n: usize) -> String {
    let word = match lang {
        Lang::En if n == 1 => "open task",
        Lang::En => "open tasks",
        Lang::Ru => match (n % 10, n % 100) {
            (1, m) if m != 11 => "открытое дело",
            (2..=4, m) if !(12..=14).contains(&m) => "открытых дела",
            _ => "открытых дел",
        },
    };
    format!("{n} {word}")
}

/// A phone's kind (`MOBILE`, `WORK`, …) in a few letters; unknown kinds are shown as sent.
pub fn phone_kind(lang: Lang, kind: &str) -> String {
    let (en, ru) = match kind.trim().to_ascii_uppercase().as_str() {
        "MOBILE" => ("mobile", "моб."),
        "WORK" => ("work", "раб."),
        "HOME" => ("home", "дом."),
        "FAX" => ("fax", "факс"),
        "PAGER" => ("pager", "пейджер"),
        "MAILING" => ("mailing", "рассылка"),
        "OTHER" => ("other", "другой"),
        _ => return kind.trim().to_ascii_lowercase(),
    };
    match lang {
        Lang::En => en.into(),
        Lang::Ru => ru.into(),
    }
}

/// The reason for a failed call's SIP code, when it is a common one.
pub fn sip_reason(lang: Lang, code: &str) -> Option<&'static str> {
    let (en, ru) = match code.trim() {
        "486" | "600" => ("busy", "занято"),
        "480" => ("unavailable", "абонент недоступен"),
        "603" | "603-S" => ("declined", "вызов отклонён"),
        "404" | "484" => ("wrong number", "неверный номер"),
        "408" => ("no answer", "нет ответа"),
        "487" => ("cancelled", "вызов отменён"),
        "402" => ("not enough funds", "недостаточно средств"),
        "403" => ("forbidden", "запрещено"),
        "503" | "500" | "502" => ("line unavailable", "линия недоступна"),
        "304" => ("missed", "пропущен"),
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::Ru => ru,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitrix_codes_map_to_languages() {
        for (code, lang) in [
            ("ru", Lang::Ru),
            ("ua", Lang::Ru),
            ("kz", Lang::Ru),
            ("by", Lang::Ru),
            ("RU", Lang::Ru),
            ("en", Lang::En),
            ("de", Lang::En),
            ("la", Lang::En),
            ("br", Lang::En),
            ("", Lang::En),
            ("xx", Lang::En),
        ] {
            assert_eq!(Lang::from_bitrix(code), lang, "{code}");
        }
        assert_eq!(locale_for("ua"), "uk-UA");
        assert_eq!(locale_for("br"), "pt-BR");
        assert_eq!(locale_for("la"), "es-419");
        assert_eq!(locale_for("??"), "en-US");
    }

    #[test]
    fn russian_texts_are_russian() {
        assert_eq!(tr(Lang::Ru, Text::Incoming), "Входящий звонок");
        assert_eq!(tr(Lang::En, Text::Incoming), "Incoming call");
        assert_eq!(sip_reason(Lang::Ru, "486"), Some("занято"));
        assert_eq!(sip_reason(Lang::En, "999"), None);
        assert_eq!(phone_kind(Lang::Ru, "MOBILE"), "моб.");
        assert_eq!(phone_kind(Lang::En, "WORK"), "work");
        assert_eq!(phone_kind(Lang::Ru, "SKYPE"), "skype");
    }

    #[test]
    fn open_task_counts_take_their_plural() {
        assert_eq!(open_tasks(Lang::En, 1), "1 open task");
        assert_eq!(open_tasks(Lang::En, 2), "2 open tasks");
        assert_eq!(open_tasks(Lang::Ru, 1), "1 открытое дело");
        assert_eq!(open_tasks(Lang::Ru, 2), "2 открытых дела");
        assert_eq!(open_tasks(Lang::Ru, 5), "5 открытых дел");
        assert_eq!(open_tasks(Lang::Ru, 11), "11 открытых дел");
        assert_eq!(open_tasks(Lang::Ru, 12), "12 открытых дел");
        assert_eq!(open_tasks(Lang::Ru, 21), "21 открытое дело");
        assert_eq!(open_tasks(Lang::Ru, 24), "24 открытых дела");
    }

    #[test]
    fn the_reading_line_in_both_languages() {
        assert_eq!(group_digits(0, Lang::En), "0");
        assert_eq!(group_digits(999, Lang::En), "999");
        assert_eq!(group_digits(10_000, Lang::En), "10,000");
        assert_eq!(group_digits(1_234_567, Lang::Ru), "1\u{a0}234\u{a0}567");
        assert_eq!(
            reading_text(Lang::En, 4_000, Some(10_000), 1),
            "Reading the call list… 4,000 of ~10,000"
        );
        assert_eq!(
            reading_text(Lang::Ru, 4_000, Some(10_000), 1),
            "Читаю список обзвона… 4\u{a0}000 из ~10\u{a0}000"
        );
        assert_eq!(
            reading_text(Lang::En, 2_500, None, 5),
            "Reading the call lists… 2,500 read"
        );
        assert_eq!(
            reading_text(Lang::Ru, 2_500, None, 5),
            "Читаю списки обзвона… прочитано 2\u{a0}500"
        );
        // More read than expected (the list grew): never "12,000 of ~10,000".
        assert_eq!(
            reading_text(Lang::En, 12_000, Some(10_000), 1),
            "Reading the call list… 12,000 of ~12,000"
        );
    }
}
