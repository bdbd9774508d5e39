//! NHS numbers: ten digits with a modulus-11 check digit, shown 3-3-4.

/// Strip spaces and hyphens and check the digits; returns the ten digits.
pub fn parse(raw: &str) -> Result<String, String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be 10 digits".into());
    }
    // 0000000000, 1111111111, … pass the check-digit test but are never issued: they are
    // what a form gets when someone types one key to get past it.
    if digits.bytes().all(|b| b == digits.as_bytes()[0]) {
        return Err("is not a valid NHS number (one digit repeated)".into());
    }
    let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = values
        .iter()
        .take(9)
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return Err("is not a valid NHS number (no such check digit)".into()),
        c => c,
    };
    if values.get(9) == Some(&check) {
        Ok(digits)
    } else {
        Err("is not a valid NHS number (check digit does not match)".into())
    }
}

/// `9434765919` → `943 476 5919`.
pub fn display(digits: &str) -> String {
    if digits.len() != 10 {
        return digits.to_string();
    }
    format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_from_domain_10_1() {
        for valid in ["943 476 5919", "4505577104", "401-023-2137", "485 777 3457"] {
            assert!(parse(valid).is_ok(), "{valid}");
        }
        for invalid in [
            "485 777 3456",
            "987 654 4321",
            "123",
            "abcdefghij",
            "94347659190",
        ] {
            assert!(parse(invalid).is_err(), "{invalid}");
        }
        assert_eq!(parse("943 476 5919").unwrap(), "9434765919");
        assert_eq!(display("9434765919"), "943 476 5919");
    }

    #[test]
    fn one_digit_repeated_is_refused_though_its_check_digit_fits() {
        for d in 0..=9 {
            let n = d.to_string().repeat(10);
            assert_eq!(
                parse(&n),
                Err("is not a valid NHS number (one digit repeated)".into()),
                "{n}"
            );
        }
        assert!(parse("111 111 1111").is_err());
    }

    #[test]
    fn a_check_of_ten_is_never_valid() {
        // 000000001x: sum 2, 11 - 2 = 9 → valid with 9; find one whose check would be 10.
        // 100000000x: sum 10, 11 - 10 = 1. 000000010x: sum 3 → 8. 0000000060: sum 12 → 12 % 11 = 1 → 10.
        assert!(parse("0000000060").is_err());
        assert!(parse("0000000061").is_err());
    }
}
