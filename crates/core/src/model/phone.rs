//! Phone numbers for people: `+79161234567` → `+7 916 123-45-67`.

/// Formats a normalised number for reading. Anything that is not a plain number (a SIP line
/// name such as `reg151083`) is returned unchanged.
pub fn format_phone(raw: &str) -> String {
    let trimmed = raw.trim();
    let plus = trimmed.starts_with('+');
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_number_chars = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if !only_number_chars || digits.len() < 5 {
        return trimmed.to_string();
    }
    let group = |s: &str, sizes: &[usize], sep: &[&str]| -> String {
        let mut out = String::new();
        let mut i = 0;
        for (n, size) in sizes.iter().enumerate() {
            if i >= s.len() {
                break;
            }
            let end = (i + size).min(s.len());
            if n > 0 {
                out.push_str(sep.get(n - 1).copied().unwrap_or(" "));
            }
            out.push_str(&s[i..end]);
            i = end;
        }
        if i < s.len() {
            out.push_str(&s[i..]);
        }
        out
    };
    // Russia/Kazakhstan: +7 916 123-45-67, and the domestic 8 916 123-45-67.
    if digits.len() == 11 && (digits.starts_with('7') && plus || digits.starts_with('8') && !plus) {
        let head = if plus { "+7" } else { "8" };
        return format!(
            "{head} {}",
            group(&digits[1..], &[3, 3, 2, 2], &[" ", "-", "-"])
        );
    }
    // North America: +1 999 999-9666.
    if plus && digits.len() == 11 && digits.starts_with('1') {
        return format!("+1 {}", group(&digits[1..], &[3, 3, 4], &[" ", "-"]));
    }
    // UK: mobiles +44 7700 900743, London-style +44 20 7123 4567.
    if plus && digits.starts_with("44") && digits.len() == 12 {
        let sizes: &[usize] = if digits[2..].starts_with('7') {
            &[4, 6]
        } else {
            &[2, 4, 4]
        };
        return format!("+44 {}", group(&digits[2..], sizes, &[" ", " "]));
    }
    if plus {
        // Elsewhere: a 1–3 digit country code is not knowable without a table; 2 is the most
        // common, and grouping by 3 keeps long numbers readable without claiming more.
        let cc = if digits.starts_with("49") || digits.starts_with("33") || digits.starts_with("39")
        {
            2
        } else if digits.starts_with("380") || digits.starts_with("375") {
            3
        } else {
            2
        };
        let rest = &digits[cc..];
        let mut parts = Vec::new();
        let mut i = 0;
        while i < rest.len() {
            let end = (i + 3).min(rest.len());
            // Never leave a lone trailing digit.
            let end = if rest.len() - end == 1 {
                rest.len()
            } else {
                end
            };
            parts.push(&rest[i..end]);
            i = end;
        }
        return format!("+{} {}", &digits[..cc], parts.join(" "));
    }
    trimmed.to_string()
}

/// The `tel:` form of a number (digits and a leading plus only).
pub fn tel_href(raw: &str) -> String {
    let t = raw.trim();
    let mut out: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    if t.starts_with('+') {
        out.insert(0, '+');
    }
    format!("tel:{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_common_numbers() {
        assert_eq!(format_phone("+79161234567"), "+7 916 123-45-67");
        assert_eq!(format_phone("89161234567"), "8 916 123-45-67");
        assert_eq!(format_phone("+19999999666"), "+1 999 999-9666");
        assert_eq!(format_phone("+442071234567"), "+44 20 7123 4567");
        assert_eq!(format_phone("+447700900743"), "+44 7700 900743");
        assert_eq!(format_phone("+4930123456"), "+49 301 234 56");
        assert_eq!(format_phone("+380441234567"), "+380 441 234 567");
    }

    #[test]
    fn leaves_non_numbers_alone() {
        assert_eq!(format_phone("reg151083"), "reg151083");
        assert_eq!(format_phone("Sales line"), "Sales line");
        assert_eq!(format_phone("123"), "123");
        assert_eq!(format_phone(""), "");
        assert_eq!(format_phone("+7 495 000-00-00"), "+7 495 000-00-00");
    }

    #[test]
    fn tel_links() {
        assert_eq!(tel_href("+7 916 123-45-67"), "tel:+79161234567");
    }
}
