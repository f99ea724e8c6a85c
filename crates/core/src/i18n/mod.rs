//! Russian and English texts, chosen from the portal's language code: the one source of every
//! text the card shows (the domain returns [`Text`] keys). `texts.rs` holds the keys and both
//! languages' strings, `phrases.rs` the texts made of words and numbers (counts, plurals).

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

mod phrases;
mod texts;

pub use phrases::*;
pub use texts::{Text, tr};

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
