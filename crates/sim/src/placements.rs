//! The app's registrations on the demo portal: `placement.get`/`bind`/`unbind` and `app.info`.

use serde_json::{Map, Value, json};

use crate::answer::{Fault, Reply, arg, object, text_arg};
use crate::bilingual::Pick;
use callcard_core::i18n::Lang;

/// Where the demo says the app is hosted.
pub(crate) const DEMO_HANDLER: &str = "https://callcard.example.com/index.html";

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

/// A `placement.bind` registration.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    placement: String,
    handler: String,
    title: String,
    description: String,
    lang_all: Map<String, Value>,
}

impl Binding {
    /// The app's `CALL_CARD` tab, as the installed demo has it registered.
    pub(crate) fn call_card(lang: Lang) -> Binding {
        Binding {
            placement: "CALL_CARD".into(),
            handler: DEMO_HANDLER.into(),
            title: lang.pick(["Client card", "Карточка клиента"]).into(),
            description: String::new(),
            lang_all: object(json!({
                "en": {"TITLE": "Client card", "DESCRIPTION": "", "GROUP_NAME": ""},
                "ru": {"TITLE": "Карточка клиента", "DESCRIPTION": "", "GROUP_NAME": ""},
            })),
        }
    }

    pub(crate) fn to_json(&self) -> Value {
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

pub(crate) fn app_info(lang: Lang, lang_code: &str) -> Value {
    let license = if lang == Lang::Ru {
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
        "LANGUAGE_ID": lang_code,
        "LICENSE": license,
        "LICENSE_TYPE": "project",
        "LICENSE_FAMILY": "project",
    })
}

/// `placement.bind`: registering the same handler again updates it and answers `true`.
pub(crate) fn bind(bindings: &mut Vec<Binding>, params: &Value) -> Result<Reply, Fault> {
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
    match bindings
        .iter_mut()
        .find(|b| b.placement == binding.placement && b.handler == binding.handler)
    {
        Some(existing) => *existing = binding,
        None => bindings.push(binding),
    }
    Ok(Reply::plain(json!(true)))
}

/// `placement.unbind`: every handler of the placement, or just the one named.
pub(crate) fn unbind(bindings: &mut Vec<Binding>, params: &Value) -> Result<Reply, Fault> {
    let placement = text_arg(params, "PLACEMENT")
        .ok_or_else(|| Fault::missing("PLACEMENT"))?
        .to_ascii_uppercase();
    let handler = text_arg(params, "HANDLER");
    let before = bindings.len();
    bindings.retain(|b| {
        !(b.placement == placement && handler.as_ref().is_none_or(|h| *h == b.handler))
    });
    Ok(Reply::plain(json!({"count": before - bindings.len()})))
}

#[cfg(test)]
mod tests {
    use crate::Sim;
    use crate::testing::*;

    use serde_json::json;

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
}
