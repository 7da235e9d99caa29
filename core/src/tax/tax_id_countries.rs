//! The format and check-digit algorithm of each country's VAT number.
//!
//! Each check takes the number's body (after the country prefix, upper case,
//! separators removed) and returns the body in its normal form (a missing
//! leading zero put back, a Swiss `E` added) or the reason it fails. Sources
//! for every algorithm are listed in `docs/tax.md`: the European Commission's
//! "VIES VAT number construction rules" for the member states, and the
//! national sources for GB, CH and NO; each was cross-checked against
//! python-stdnum.

use chrono::NaiveDate;

use super::tax_id::TaxIdReason::{self, BadCheckDigit, BadFormat, BadLength};

/// What a country check returns: the normalized body, or why it is invalid.
pub(super) type Check = Result<String, TaxIdReason>;

/// A body made only of digits, with one of the allowed lengths.
fn numeric(body: &str, lengths: &[usize]) -> Result<Vec<u32>, TaxIdReason> {
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadFormat);
    }
    if !lengths.contains(&body.len()) {
        return Err(BadLength);
    }
    Ok(body.bytes().map(|b| u32::from(b - b'0')).collect())
}

fn verdict(ok: bool, body: &str) -> Check {
    if ok { Ok(body.to_string()) } else { Err(BadCheckDigit) }
}

fn weighted(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum()
}

/// The digits as a number (at most 19 digits are ever read this way).
fn value(digits: &[u32]) -> u64 {
    digits.iter().fold(0, |acc, d| acc * 10 + u64::from(*d))
}

/// Luhn (ISO/IEC 7812): from the right, every second digit doubled and its
/// digits summed; valid when the total is a multiple of 10.
fn luhn_valid(digits: &[u32]) -> bool {
    let sum: u32 =
        digits.iter().rev().enumerate().map(|(i, &d)| if i % 2 == 1 { (2 * d) / 10 + (2 * d) % 10 } else { d }).sum();
    sum.is_multiple_of(10)
}

/// The Luhn digit that makes `payload` followed by it valid.
fn luhn_check_digit(payload: &[u32]) -> u32 {
    let mut with_zero = payload.to_vec();
    with_zero.push(0);
    let sum: u32 = with_zero
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { (2 * d) / 10 + (2 * d) % 10 } else { d })
        .sum();
    (10 - sum % 10) % 10
}

/// ISO 7064 MOD 11,10 (a hybrid system): the last digit checks the others.
fn mod_11_10_valid(digits: &[u32]) -> bool {
    let Some((last, payload)) = digits.split_last() else { return false };
    let mut product = 10;
    for d in payload {
        let mut sum = (d + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    (11 - product) % 10 == *last
}

fn is_date(year: i32, month: u32, day: u32) -> bool {
    NaiveDate::from_ymd_opt(year, month, day).is_some()
}

fn two(d: &[u32], at: usize) -> u32 {
    d[at] * 10 + d[at + 1]
}

/// AT: `U` + 8 digits. S = C1 + f(C2) + C3 + f(C4) + C5 + f(C6) + C7, with
/// f(x) the digit sum of 2x; check = (10 - (S + 4) mod 10) mod 10.
pub(super) fn at(body: &str) -> Check {
    let digits = body.strip_prefix('U').ok_or(BadFormat)?;
    let d = numeric(digits, &[8])?;
    let s: u32 =
        d[..7].iter().enumerate().map(|(i, &x)| if i % 2 == 1 { (2 * x) / 10 + (2 * x) % 10 } else { x }).sum();
    verdict((10 - (s + 4) % 10) % 10 == d[7], body)
}

/// BE: 10 digits starting 0 or 1 (an old 9-digit number gains a leading 0);
/// the last two are 97 - (first eight mod 97).
pub(super) fn be(body: &str) -> Check {
    let body = if body.len() == 9 { format!("0{body}") } else { body.to_string() };
    let d = numeric(&body, &[10])?;
    if d[0] > 1 {
        return Err(BadFormat);
    }
    verdict(97 - value(&d[..8]) % 97 == value(&d[8..]), &body)
}

/// BG: 9 digits (legal entities) or 10 (a person's EGN, a foreigner's PNF,
/// or another 10-digit number), each with its own check.
pub(super) fn bg(body: &str) -> Check {
    let d = numeric(body, &[9, 10])?;
    let ok = if d.len() == 9 {
        let mut c = (1..=8).zip(&d).map(|(w, x)| w * x).sum::<u32>() % 11;
        if c == 10 {
            c = (3..=10).zip(&d).map(|(w, x)| w * x).sum::<u32>() % 11;
        }
        c % 10 == d[8]
    } else {
        let egn = {
            let (mut year, mut month) = (1900 + two(&d, 0) as i32, two(&d, 2));
            if month > 40 {
                (year, month) = (year + 100, month - 40);
            } else if month > 20 {
                (year, month) = (year - 100, month - 20);
            }
            is_date(year, month, two(&d, 4)) && weighted(&d, &[2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11 % 10 == d[9]
        };
        let pnf = weighted(&d, &[21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10 == d[9];
        let other = (11 - weighted(&d, &[4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11) % 11 == d[9];
        egn || pnf || other
    };
    verdict(ok, body)
}

/// CY: 8 digits (not starting `12`) and a check letter: digits at odd
/// positions are mapped 0..9 -> 1,0,5,7,9,13,15,17,19,21, the others kept;
/// the letter is A + (sum mod 26).
pub(super) fn cy(body: &str) -> Check {
    if body.len() != 9 {
        return Err(BadLength);
    }
    let (digits, letter) = body.split_at(8);
    let d = numeric(digits, &[8])?;
    let letter = letter.as_bytes()[0];
    if !letter.is_ascii_uppercase() || digits.starts_with("12") {
        return Err(BadFormat);
    }
    const ODD: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
    let sum: u32 = d.iter().enumerate().map(|(i, &x)| if i % 2 == 0 { ODD[x as usize] } else { x }).sum();
    verdict(b'A' + (sum % 26) as u8 == letter, body)
}

/// CZ: 8 digits for legal entities, 9 digits starting 6 for some individuals,
/// otherwise a birth number (RČ) of 9 (born before 1954) or 10 digits.
pub(super) fn cz(body: &str) -> Check {
    let d = numeric(body, &[8, 9, 10])?;
    match d.len() {
        8 => {
            if d[0] == 9 {
                return Err(BadFormat);
            }
            let c = match (11 - weighted(&d, &[8, 7, 6, 5, 4, 3, 2]) % 11) % 11 {
                0 => 1,
                10 => 0,
                c => c,
            };
            verdict(c == d[7], body)
        }
        9 if d[0] == 6 => {
            let s = weighted(&d[1..8], &[8, 7, 6, 5, 4, 3, 2]) as i32;
            let c = (8 - (10 - s % 11) % 11).rem_euclid(10) as u32;
            verdict(c == d[8], body)
        }
        len => {
            let mut year = 1900 + two(&d, 0) as i32;
            if len == 9 {
                if year >= 1980 {
                    year -= 100;
                }
                if year > 1953 {
                    return Err(BadLength); // 9-digit birth numbers were issued until 1953
                }
            } else if year < 1954 {
                year += 100;
            }
            // Women have 50 added to the month; 20 is added when a day's serials run out.
            if !is_date(year, two(&d, 2) % 50 % 20, two(&d, 4)) {
                return Err(BadFormat);
            }
            verdict(len == 9 || (value(&d[..9]) % 11 % 10) as u32 == d[9], body)
        }
    }
}

/// DE: 9 digits, not starting 0; ISO 7064 MOD 11,10.
pub(super) fn de(body: &str) -> Check {
    let d = numeric(body, &[9])?;
    if d[0] == 0 {
        return Err(BadFormat);
    }
    verdict(mod_11_10_valid(&d), body)
}

/// DK: 8 digits, not starting 0; weights 2,7,6,5,4,3,2,1, sum divisible by 11.
pub(super) fn dk(body: &str) -> Check {
    let d = numeric(body, &[8])?;
    if d[0] == 0 {
        return Err(BadFormat);
    }
    verdict(weighted(&d, &[2, 7, 6, 5, 4, 3, 2, 1]).is_multiple_of(11), body)
}

/// EE: 9 digits starting `10`; weights 3,7,1,3,7,1,3,7,1, sum divisible by 10.
pub(super) fn ee(body: &str) -> Check {
    let d = numeric(body, &[9])?;
    if d[..2] != [1, 0] {
        return Err(BadFormat);
    }
    verdict(weighted(&d, &[3, 7, 1, 3, 7, 1, 3, 7, 1]).is_multiple_of(10), body)
}

/// EL (Greece): 9 digits (an old 8-digit number gains a leading 0); check =
/// (256·C1 + 128·C2 + … + 2·C8) mod 11 mod 10.
pub(super) fn el(body: &str) -> Check {
    let body = if body.len() == 8 { format!("0{body}") } else { body.to_string() };
    let d = numeric(&body, &[9])?;
    let sum: u32 = d[..8].iter().enumerate().map(|(i, &x)| x << (8 - i)).sum();
    verdict(sum % 11 % 10 == d[8], &body)
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// ES: 9 characters. A Spanish person's DNI (8 digits + letter of n mod 23),
/// a K/L/M or X/Y/Z (NIE, X=0 Y=1 Z=2) number checked the same way, or a
/// company's CIF (letter + 7 digits + Luhn check digit, or the letter
/// `JABCDEFGHI` indexed by the digit).
pub(super) fn es(body: &str) -> Check {
    let b = body.as_bytes();
    if b.len() != 9 {
        return Err(BadLength);
    }
    let middle = numeric(&body[1..8], &[7])?;
    let n7 = value(&middle);
    let ok = match b[0] {
        b'0'..=b'9' => DNI_LETTERS[(u64::from(b[0] - b'0') * 10_000_000 + n7) as usize % 23] == b[8],
        b'K' | b'L' | b'M' => DNI_LETTERS[n7 as usize % 23] == b[8],
        b'X' | b'Y' | b'Z' => DNI_LETTERS[(u64::from(b[0] - b'X') * 10_000_000 + n7) as usize % 23] == b[8],
        c if b"ABCDEFGHJNPQRSUVW".contains(&c) => {
            let k = luhn_check_digit(&middle);
            b[8] == b'0' + k as u8 || b[8] == b"JABCDEFGHI"[k as usize]
        }
        _ => return Err(BadFormat),
    };
    verdict(ok, body)
}

/// FI: 8 digits; weights 7,9,10,5,8,4,2,1, sum divisible by 11.
pub(super) fn fi(body: &str) -> Check {
    let d = numeric(body, &[8])?;
    verdict(weighted(&d, &[7, 9, 10, 5, 8, 4, 2, 1]).is_multiple_of(11), body)
}

/// The characters a French key may use (no I, no O).
const FR_KEY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// FR: a 2-character key + the 9-digit SIREN (Luhn, except Monaco's `000…`).
/// A numeric key is (12 + 3·(SIREN mod 97)) mod 97; an alphanumeric key is
/// checked with the VIES rule for new-style keys.
pub(super) fn fr(body: &str) -> Check {
    let b = body.as_bytes();
    if b.len() != 11 {
        return Err(BadLength);
    }
    let siren = numeric(&body[2..], &[9])?;
    let (Some(k0), Some(k1)) = (FR_KEY.iter().position(|&c| c == b[0]), FR_KEY.iter().position(|&c| c == b[1])) else {
        return Err(BadFormat);
    };
    if !body[2..].starts_with("000") && !luhn_valid(&siren) {
        return Err(BadCheckDigit);
    }
    let n = value(&siren);
    let ok = if k0 < 10 && k1 < 10 {
        (n * 100 + 12) % 97 == (k0 * 10 + k1) as u64
    } else {
        let check = if k0 < 10 { k0 * 24 + k1 - 10 } else { k0 * 34 + k1 - 100 } as u64;
        (n + 1 + check / 11) % 11 == check % 11
    };
    verdict(ok, body)
}

/// HR: 11 digits (OIB); ISO 7064 MOD 11,10.
pub(super) fn hr(body: &str) -> Check {
    let d = numeric(body, &[11])?;
    verdict(mod_11_10_valid(&d), body)
}

/// HU: 8 digits; weights 9,7,3,1,9,7,3,1, sum divisible by 10.
pub(super) fn hu(body: &str) -> Check {
    let d = numeric(body, &[8])?;
    verdict(weighted(&d, &[9, 7, 3, 1, 9, 7, 3, 1]).is_multiple_of(10), body)
}

/// IE: 7 digits + check letter (+ an optional second letter A–I or W since
/// 2013), or the old form digit, letter/`+`/`*`, 5 digits, check letter. The
/// check letter is `WABCDEFGHIJKLMNOPQRSTUV`[(Σ weights 8..2 · digits +
/// 9 · second letter) mod 23] with A=1 … I=9, W=0; the old form is first
/// rewritten as `0` + its 5 digits + its first digit.
pub(super) fn ie(body: &str) -> Check {
    const LETTERS: &[u8; 23] = b"WABCDEFGHIJKLMNOPQRSTUV";
    let b = body.as_bytes();
    if b.len() != 8 && b.len() != 9 {
        return Err(BadLength);
    }
    let (digits, extra) = if body[..7].bytes().all(|c| c.is_ascii_digit()) {
        let extra = match b.get(8) {
            None | Some(b'W') => 0,
            Some(c @ b'A'..=b'I') => u32::from(c - b'A' + 1),
            Some(_) => return Err(BadFormat),
        };
        (numeric(&body[..7], &[7])?, extra)
    } else if b.len() == 8 && b[0].is_ascii_digit() && (b[1].is_ascii_uppercase() || b"+*".contains(&b[1])) {
        let rewritten = format!("0{}{}", &body[2..7], &body[..1]);
        (numeric(&rewritten, &[7])?, 0)
    } else {
        return Err(BadFormat);
    };
    if !b[7].is_ascii_uppercase() {
        return Err(BadFormat);
    }
    let sum = weighted(&digits, &[8, 7, 6, 5, 4, 3, 2]) + 9 * extra;
    verdict(LETTERS[(sum % 23) as usize] == b[7], body)
}

/// IT: 11 digits: 7-digit company number (not all zeros), 3-digit office
/// code (001–100, 120, 121, 888, 999), Luhn check digit.
pub(super) fn it(body: &str) -> Check {
    let d = numeric(body, &[11])?;
    let office = value(&d[7..10]);
    if value(&d[..7]) == 0 || !((1..=100).contains(&office) || [120, 121, 888, 999].contains(&office)) {
        return Err(BadFormat);
    }
    verdict(luhn_valid(&d), body)
}

/// LT: 9 digits (legal entities, 8th digit 1) or 12 (temporary registrations,
/// 11th digit 1). Check = Σ (1 + i mod 9)·Ci mod 11; when that is 10, again
/// with weights (1 + (i + 2) mod 9); a final 10 becomes 0.
pub(super) fn lt(body: &str) -> Check {
    let d = numeric(body, &[9, 12])?;
    if d[d.len() - 2] != 1 {
        return Err(BadFormat);
    }
    let payload = &d[..d.len() - 1];
    let sum_with =
        |shift: usize| payload.iter().enumerate().map(|(i, x)| (1 + (i + shift) % 9) as u32 * x).sum::<u32>();
    let mut c = sum_with(0) % 11;
    if c == 10 {
        c = sum_with(2) % 11;
    }
    verdict(c % 10 == d[d.len() - 1], body)
}

/// LU: 8 digits; the last two are the first six mod 89.
pub(super) fn lu(body: &str) -> Check {
    let d = numeric(body, &[8])?;
    verdict(value(&d[..6]) % 89 == value(&d[6..]), body)
}

/// LV: 11 digits. Legal entities (first digit above 3): weights
/// 9,1,4,8,3,10,2,5,7,6,1, sum mod 11 = 3. Persons: the old personal code
/// DDMMYY + century digit + serial + check (1101 - Σ 1,6,3,7,9,10,5,8,4,2)
/// mod 11; the post-2017 personal code (`32…`) carries no date and is checked
/// for its format only.
pub(super) fn lv(body: &str) -> Check {
    let d = numeric(body, &[11])?;
    if d[0] > 3 {
        return verdict(weighted(&d, &[9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1]) % 11 == 3, body);
    }
    if d[..2] == [3, 2] {
        return Ok(body.to_string());
    }
    let century = match d[6] {
        0 => 1800,
        1 => 1900,
        2 => 2000,
        _ => return Err(BadFormat),
    };
    if !is_date(century + two(&d, 4) as i32, two(&d, 2), two(&d, 0)) {
        return Err(BadFormat);
    }
    let c = (1101 - weighted(&d, &[1, 6, 3, 7, 9, 10, 5, 8, 4, 2]) as i64).rem_euclid(11);
    verdict(c == i64::from(d[10]), body)
}

/// MT: 8 digits, not starting 0; weights 3,4,6,7,8,9,10,1, sum divisible by 37.
pub(super) fn mt(body: &str) -> Check {
    let d = numeric(body, &[8])?;
    if d[0] == 0 {
        return Err(BadFormat);
    }
    verdict(weighted(&d, &[3, 4, 6, 7, 8, 9, 10, 1]).is_multiple_of(37), body)
}

/// NL: 9 digits + `B` + 2 digits (not `00`); missing leading zeros are put
/// back. Valid when the 9 digits pass the 11-test (weights 9..2 and -1), or,
/// for the sole-trader numbers issued since 2020, when `NL` + the number
/// passes ISO 7064 MOD 97-10 (letters A=10 … Z=35).
pub(super) fn nl(body: &str) -> Check {
    let Some(b_at) = body.find('B') else { return Err(BadFormat) };
    let (number, suffix) = (&body[..b_at], &body[b_at + 1..]);
    let suffix_digits = numeric(suffix, &[2]).map_err(|_| BadFormat)?;
    if number.len() > 9 {
        return Err(BadLength);
    }
    let number = format!("{number:0>9}");
    let d = numeric(&number, &[9])?;
    if suffix_digits == [0, 0] {
        return Err(BadFormat);
    }
    let body = format!("{number}B{suffix}");
    let eleven = (weighted(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2]) as i64 - i64::from(d[8])) % 11 == 0;
    let mod97 = format!("NL{body}")
        .bytes()
        .map(|c| if c.is_ascii_digit() { u64::from(c - b'0') } else { u64::from(c - b'A') + 10 })
        .fold(0u64, |acc, v| if v >= 10 { (acc * 100 + v) % 97 } else { (acc * 10 + v) % 97 })
        == 1;
    verdict(eleven || mod97, &body)
}

/// PL: 10 digits; weights 6,5,7,2,3,4,5,6,7 on the first nine, sum mod 11 is
/// the last digit (a remainder of 10 is never issued).
pub(super) fn pl(body: &str) -> Check {
    let d = numeric(body, &[10])?;
    verdict(weighted(&d, &[6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11 == d[9], body)
}

/// PT: 9 digits, not starting 0; check = 11 - (Σ weights 9..2) mod 11, 10 and 11 becoming 0.
pub(super) fn pt(body: &str) -> Check {
    let d = numeric(body, &[9])?;
    if d[0] == 0 {
        return Err(BadFormat);
    }
    verdict((11 - weighted(&d, &[9, 8, 7, 6, 5, 4, 3, 2]) % 11) % 11 % 10 == d[8], body)
}

/// RO: 2 to 10 digits, not starting 0; padded on the left to 10, check =
/// (10 · Σ weights 7,5,3,2,1,7,5,3,2) mod 11 mod 10.
pub(super) fn ro(body: &str) -> Check {
    let d = numeric(body, &[2, 3, 4, 5, 6, 7, 8, 9, 10])?;
    if d[0] == 0 {
        return Err(BadFormat);
    }
    let mut padded = vec![0; 10 - d.len()];
    padded.extend(&d);
    verdict(10 * weighted(&padded, &[7, 5, 3, 2, 1, 7, 5, 3, 2]) % 11 % 10 == padded[9], body)
}

/// SE: 12 digits: the 10-digit organisation number (Luhn) + `01`.
pub(super) fn se(body: &str) -> Check {
    let d = numeric(body, &[12])?;
    if d[10..] != [0, 1] {
        return Err(BadFormat);
    }
    verdict(luhn_valid(&d[..10]), body)
}

/// SI: 8 digits, not starting 0; check = 11 - (Σ weights 8..2) mod 11, 10
/// becoming 0 and 11 never issued.
pub(super) fn si(body: &str) -> Check {
    let d = numeric(body, &[8])?;
    if d[0] == 0 {
        return Err(BadFormat);
    }
    let c = 11 - weighted(&d, &[8, 7, 6, 5, 4, 3, 2]) % 11;
    verdict(c != 11 && c % 10 == d[7], body)
}

/// SK: 10 digits, not starting 0, third digit one of 2,3,4,7,8,9; the number is divisible by 11.
pub(super) fn sk(body: &str) -> Check {
    let d = numeric(body, &[10])?;
    if d[0] == 0 || ![2, 3, 4, 7, 8, 9].contains(&d[2]) {
        return Err(BadFormat);
    }
    verdict(value(&d).is_multiple_of(11), body)
}

/// GB and XI (Northern Ireland): 9 digits (+ a 3-digit branch), or `GD` +
/// 000–499 (government departments), or `HA` + 500–999 (health
/// authorities). For 9 digits, T = Σ weights 8..2 · C1..C7 + the last two
/// digits as a number; valid when T mod 97 = 0 (modulus 97) or, for numbers
/// from 100 0000 00 on, when (T + 55) mod 97 = 0 (modulus 9755, since 2010).
pub(super) fn gb(body: &str) -> Check {
    if body.len() == 5 && (body.starts_with("GD") || body.starts_with("HA")) {
        let n = value(&numeric(&body[2..], &[3])?);
        return if (body.starts_with("GD") && n < 500) || (body.starts_with("HA") && n >= 500) {
            Ok(body.to_string())
        } else {
            Err(BadFormat)
        };
    }
    let d = numeric(body, &[9, 12])?;
    let total = weighted(&d[..7], &[8, 7, 6, 5, 4, 3, 2]) + two(&d, 7);
    let ok = total.is_multiple_of(97) || (value(&d[..3]) >= 100 && (total + 55).is_multiple_of(97));
    verdict(ok, body)
}

/// The suffixes a Swiss VAT number may carry (German, French, Italian, Romansh).
const CH_SUFFIXES: [&str; 4] = ["MWST", "TVA", "IVA", "TPV"];

/// CH: the UID `E` + 9 digits (written CHE-123.456.789), optionally followed
/// by MWST, TVA, IVA or TPV. Check = 11 - (Σ weights 5,4,3,2,7,6,5,4) mod 11,
/// 11 becoming 0 and 10 never issued.
pub(super) fn ch(body: &str) -> Check {
    let rest = body.strip_prefix('E').unwrap_or(body);
    let split = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (digits, suffix) = rest.split_at(split);
    if !suffix.is_empty() && !CH_SUFFIXES.contains(&suffix) {
        return Err(BadFormat);
    }
    let d = numeric(digits, &[9])?;
    let c = (11 - weighted(&d, &[5, 4, 3, 2, 7, 6, 5, 4]) % 11) % 11;
    verdict(c == d[8], &format!("E{digits}{suffix}"))
}

/// NO: the 9-digit organisation number, optionally followed by `MVA`. Check
/// = 11 - (Σ weights 3,2,7,6,5,4,3,2) mod 11, 11 becoming 0 and 10 never issued.
pub(super) fn no(body: &str) -> Check {
    let digits = body.strip_suffix("MVA").unwrap_or(body);
    let d = numeric(digits, &[9])?;
    let c = (11 - weighted(&d, &[3, 2, 7, 6, 5, 4, 3, 2]) % 11) % 11;
    verdict(c == d[8], body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Vec<u32> {
        s.bytes().map(|b| u32::from(b - b'0')).collect()
    }

    #[test]
    fn shared_algorithms() {
        // 7992739871 + 3 is the textbook Luhn example.
        assert_eq!(luhn_check_digit(&d("7992739871")), 3);
        assert!(luhn_valid(&d("79927398713")) && !luhn_valid(&d("79927398710")));
        // ISO 7064 MOD 11,10 on DE136695976: the products run 2,10,1,3,4,7,1,5; (11 - 5) mod 10 = 6.
        assert!(mod_11_10_valid(&d("136695976")) && !mod_11_10_valid(&d("136695978")));
    }

    #[test]
    fn failures_are_told_apart() {
        assert_eq!(de("13669597"), Err(BadLength));
        assert_eq!(de("13669597X"), Err(BadFormat));
        assert_eq!(de("036695976"), Err(BadFormat));
        assert_eq!(de("136695978"), Err(BadCheckDigit));
        assert_eq!(at("13585627"), Err(BadFormat));
        assert_eq!(ch("E107787577XYZ"), Err(BadFormat));
    }

    #[test]
    fn normal_forms() {
        assert_eq!(be("428759497").as_deref(), Ok("0428759497"));
        assert_eq!(el("94051189").as_deref(), Ok("094051189"));
        assert_eq!(nl("4495445B01").as_deref(), Ok("004495445B01"));
        assert_eq!(ch("107787577IVA").as_deref(), Ok("E107787577IVA"));
        assert_eq!(no("995525828MVA").as_deref(), Ok("995525828MVA"));
    }
}
