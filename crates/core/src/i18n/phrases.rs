//! Texts made of words and numbers: grouped digits, the reading line, plurals, phone kinds,
//! call-failure reasons.

use super::{Lang, Text, tr};

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
