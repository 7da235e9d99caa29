//! Tax through the typed API: the rounding decisions of `docs/tax.md` pinned
//! with numbers, and the invariants of SPEC §7 as properties.

use billable::model::{Customer, TaxCategory, TaxRounding, TaxRule};
use billable::money::{Currency, RoundingMode};
use billable::tax::{
    Basis, NoteKey, Seller, TaxComputation, TaxPolicy, TaxTable, TaxableLine, compute, place_of_supply,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn rule(id: &str, rate: Decimal, compound: bool) -> TaxRule {
    TaxRule {
        id: id.into(),
        jurisdiction: "DE".into(),
        category: TaxCategory::Standard,
        rate,
        compound,
        name: None,
        effective_from: None,
        effective_to: None,
    }
}

fn customer(country: &str) -> Customer {
    serde_json::from_value(serde_json::json!({
        "id": "c1", "name": "Customer", "country": country, "billing_currency": "EUR", "status": "active"
    }))
    .unwrap()
}

/// Lines of a domestic DE supply taxed by `rules`.
fn lines(rules: &[TaxRule], amounts: &[Decimal]) -> Vec<TaxableLine> {
    let table = TaxTable::new(rules).unwrap();
    let seller = Seller { country: "DE".into(), subdivision: None, tax_ids: vec![] };
    let date = "2026-03-31".parse().unwrap();
    let place = place_of_supply(&seller, &customer("DE"), date).unwrap();
    let determination = place.determine(None, date, &table).unwrap();
    amounts
        .iter()
        .enumerate()
        .map(|(i, a)| TaxableLine { id: format!("l{i}"), amount: *a, determination: determination.clone() })
        .collect()
}

fn policy(include: bool, rounding: TaxRounding, mode: RoundingMode) -> TaxPolicy {
    TaxPolicy {
        currency: Currency::parse("EUR").unwrap(),
        prices_include_tax: include,
        tax_rounding: rounding,
        rounding_mode: mode,
    }
}

fn run(rules: &[TaxRule], amounts: &[Decimal], p: TaxPolicy) -> TaxComputation {
    compute(&lines(rules, amounts), &p).unwrap()
}

#[test]
fn note_keys_and_bases_have_stable_names() {
    for (key, text) in [
        (NoteKey::VatReverseChargeArt196, "vat_reverse_charge_art_196"),
        (NoteKey::ReverseChargeDomestic, "reverse_charge_domestic"),
        (NoteKey::TaxExemptCustomer, "tax_exempt_customer"),
        (NoteKey::TaxExemptSupply, "tax_exempt_supply"),
        (NoteKey::OutOfScope, "out_of_scope"),
    ] {
        assert_eq!(key.as_str(), text);
        assert_eq!(serde_json::to_value(key).unwrap(), text);
    }
    assert_eq!(serde_json::to_value(Basis::IntraEuB2b).unwrap(), "intra_eu_b2b");
}

#[test]
fn half_even_can_exceed_half_a_unit_per_line() {
    // docs/tax.md: 3 lines of 0.15 at 10 % = 0.015 each. half_even rounds each tie to
    // 0.02 (2 is even): per_line 0.06; per_document rounds 0.045 to 0.04 (4 is even).
    // The difference, 2 units, is more than 3 lines x half a unit.
    let rules = [rule("r", d("10"), false)];
    let amounts = [d("0.15"); 3];
    let per_line = run(&rules, &amounts, policy(false, TaxRounding::PerLine, RoundingMode::HalfEven));
    let per_doc = run(&rules, &amounts, policy(false, TaxRounding::PerDocument, RoundingMode::HalfEven));
    assert_eq!((per_line.tax.to_string(), per_doc.tax.to_string()), ("0.06".into(), "0.04".into()));
    // With half_away_from_zero the same lines give 0.06 and 0.05: one unit.
    let hafz = run(&rules, &amounts, policy(false, TaxRounding::PerDocument, RoundingMode::HalfAwayFromZero));
    assert_eq!(hafz.tax.to_string(), "0.05");
}

#[test]
fn inclusive_prices_ignore_per_document_with_a_reason() {
    // 3 x 7.00 at 21 %: each line nets 5.79 and carries 1.21, under either policy.
    let rules = [rule("r", d("21"), false)];
    let amounts = [d("7.00"); 3];
    for rounding in [TaxRounding::PerLine, TaxRounding::PerDocument] {
        let r = run(&rules, &amounts, policy(true, rounding, RoundingMode::HalfAwayFromZero));
        assert_eq!(
            (r.net.to_string(), r.tax.to_string(), r.gross.to_string()),
            ("17.37".into(), "3.63".into(), "21.00".into())
        );
    }
    let r = run(&rules, &amounts, policy(true, TaxRounding::PerDocument, RoundingMode::HalfAwayFromZero));
    assert!(r.explanation[0].contains("per_document rounding leaves nothing to round"), "{:?}", r.explanation);
}

#[test]
fn determination_is_reused_across_lines() {
    let seller = Seller { country: "DE".into(), subdivision: None, tax_ids: vec!["DE136695976".into()] };
    let mut fr = customer("FR");
    fr.tax_id = Some("FR40303265045".into());
    let date = "2026-03-31".parse().unwrap();
    let place = place_of_supply(&seller, &fr, date).unwrap();
    let table = TaxTable::new(&[rule("de", d("19"), false)]).unwrap();
    for category in [None, Some(TaxCategory::Reduced), Some(TaxCategory::Zero)] {
        let det = place.determine(category, date, &table).unwrap();
        assert_eq!((det.category, det.note), (TaxCategory::ReverseCharge, Some(NoteKey::VatReverseChargeArt196)));
    }
}

fn cents() -> impl Strategy<Value = Decimal> {
    (1i64..1_000_000_000).prop_map(|c| Decimal::new(c, 2))
}

/// A rate from 0 to 30 % with up to 3 places (9.975).
fn rate() -> impl Strategy<Value = Decimal> {
    (0i64..=30_000).prop_map(|r| Decimal::new(r, 3))
}

fn rules_strategy(compound: bool) -> impl Strategy<Value = Vec<TaxRule>> {
    proptest::collection::vec((rate(), any::<bool>()), 1..=2).prop_map(move |v| {
        v.into_iter().enumerate().map(|(i, (r, c))| rule(&format!("r{i}"), r, compound && c)).collect()
    })
}

fn any_mode() -> impl Strategy<Value = RoundingMode> {
    proptest::sample::select(RoundingMode::ALL.to_vec())
}

proptest! {
    /// Back the net out of a tax-inclusive price, tax that net as an exclusive
    /// price: the gross comes back within one minor unit.
    #[test]
    fn inclusive_exclusive_inclusive_round_trip(
        gross in cents(),
        rules in rules_strategy(true),
        mode in proptest::sample::select(vec![RoundingMode::HalfAwayFromZero, RoundingMode::HalfEven]),
    ) {
        let inclusive = run(&rules, &[gross], policy(true, TaxRounding::PerLine, mode));
        prop_assert_eq!(inclusive.net + inclusive.tax, gross);
        let exclusive = run(&rules, &[inclusive.net], policy(false, TaxRounding::PerLine, mode));
        prop_assert!((exclusive.gross - gross).abs() <= d("0.01"), "{} -> {} -> {}", gross, inclusive.net, exclusive.gross);
    }

    /// With half_away_from_zero (the default), each rule's per_document total
    /// differs from the sum of its per_line taxes by at most half a unit per line.
    #[test]
    fn per_line_and_per_document_differ_by_at_most_half_a_unit_per_line(
        amounts in proptest::collection::vec((cents(), any::<bool>()).prop_map(|(a, neg)| if neg { -a } else { a }), 1..20),
        rules in rules_strategy(false),
    ) {
        let mode = RoundingMode::HalfAwayFromZero;
        let per_line = run(&rules, &amounts, policy(false, TaxRounding::PerLine, mode));
        let per_doc = run(&rules, &amounts, policy(false, TaxRounding::PerDocument, mode));
        let bound = Decimal::new(amounts.len() as i64 * 5, 3); // n x 0.005
        for (a, b) in per_line.totals.iter().zip(&per_doc.totals) {
            prop_assert_eq!(&a.rule.id, &b.rule.id);
            prop_assert!((a.amount - b.amount).abs() <= bound, "{} vs {} over {} lines", a.amount, b.amount, amounts.len());
        }
    }

    /// A credit line's taxes are exactly the negative of the same debit's, under
    /// every mode, price basis and rounding policy.
    #[test]
    fn a_credit_is_the_exact_negative_of_its_debit(
        amount in cents(),
        rules in rules_strategy(true),
        mode in any_mode(),
        include in any::<bool>(),
        per_document in any::<bool>(),
    ) {
        let rounding = if per_document { TaxRounding::PerDocument } else { TaxRounding::PerLine };
        let p = policy(include, rounding, mode);
        let debit = run(&rules, &[amount], p);
        let credit = run(&rules, &[-amount], p);
        prop_assert_eq!(credit.net, -debit.net);
        prop_assert_eq!(credit.tax, -debit.tax);
        prop_assert_eq!(credit.gross, -debit.gross);
        for (c, t) in credit.lines[0].taxes.iter().zip(&debit.lines[0].taxes) {
            prop_assert_eq!((c.base, c.amount, c.unrounded), (-t.base, -t.amount, -t.unrounded));
        }
        for (c, t) in credit.totals.iter().zip(&debit.totals) {
            prop_assert_eq!(c.amount, -t.amount);
        }
    }
}
