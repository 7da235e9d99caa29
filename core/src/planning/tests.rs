//! Unit tests and properties across the planning reports.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use super::*;
use crate::model::{Opportunity, Worker};
use crate::money::{Currency, FxPolicy, FxTable};
use crate::rates::RateOptions;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn worker(id: &str, week: serde_json::Value) -> Worker {
    serde_json::from_value(json!({"id": id, "name": id, "role": "consultant",
        "employment": {"status": "active", "start": "2020-01-01"},
        "schedule": [{"effective_from": "2020-01-01", "hours": week}]}))
    .unwrap()
}

fn allocation(id: &str, start: &str, end: &str, hours: &str, status: &str) -> Allocation {
    serde_json::from_value(json!({"id": id, "worker_id": "w1", "project_id": "p1", "start": start, "end": end,
        "hours_per_week": hours, "status": status}))
    .unwrap()
}

#[test]
fn a_partial_week_gets_its_days_share_and_the_week_sums_exactly() {
    // 10 h over a 5 × 8 h week = 2 h/day; an allocation from Wednesday keeps Wed–Fri: 6 h.
    let workers = [worker("w1", json!({"mon": 8, "tue": 8, "wed": 8, "thu": 8, "fri": 8}))];
    let period = DateRange::new(d("2026-03-02"), d("2026-03-08"));
    let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] }).unwrap();
    let allocs = [allocation("a", "2026-03-04", "2026-03-31", "10", "committed")];
    let plan = Plan::new(&grid, &allocs).unwrap();
    let u = plan.utilization(&[], &[Granularity::Range]).unwrap();
    assert_eq!(u.workers[0].range.as_ref().unwrap().committed_hours, dec("6.00"));
    // 10 h over three days of 8 h (Mon–Wed) and nothing Thu–Sun: 3.34 + 3.33 + 3.33 = 10.00
    // (largest remainder in hundredths; the tie goes to the earlier day).
    let workers = [worker("w1", json!({"mon": 8, "tue": 8, "wed": 8}))];
    let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] }).unwrap();
    let allocs = [allocation("a", "2026-03-02", "2026-03-08", "10", "committed")];
    let plan = Plan::new(&grid, &allocs).unwrap();
    let first = plan.grid.day(d("2026-03-02")).unwrap();
    let days: Vec<Decimal> = (first..first + 3).map(|x| plan.load.committed(0, x)).collect();
    assert_eq!(days, [dec("3.34"), dec("3.33"), dec("3.33")]);
}

#[test]
fn a_week_without_scheduled_hours_is_spread_over_monday_to_friday() {
    // No schedule: 10 h / 5 weekdays = 2 h a day, all over capacity 0.
    let workers: Vec<Worker> = serde_json::from_value(json!([{"id": "w1", "name": "x", "role": "r",
        "employment": {"status": "active", "start": "2020-01-01"}}]))
    .unwrap();
    let period = DateRange::new(d("2026-03-02"), d("2026-03-08"));
    let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] }).unwrap();
    let allocs = [allocation("a", "2026-03-02", "2026-03-08", "10", "tentative")];
    let over = Plan::new(&grid, &allocs).unwrap().over_allocation(&OverAllocationPolicy::default()).unwrap();
    let r = &over.workers[0].ranges[0];
    assert_eq!(
        (r.start, r.end, r.worst_shortfall, r.total_shortfall),
        (d("2026-03-02"), d("2026-03-06"), dec("2.00"), dec("10.00"))
    );
}

#[test]
fn an_allocation_on_days_off_only_keeps_its_hours_whatever_the_period() {
    // Sat 03-07..Sun 03-08 at 16 h a week for a Monday-to-Friday worker: no day has a schedule share, so the
    // weekend carries the week's 16 h, 8 + 8 (it had 0 before).
    let workers = [worker("w1", json!({"mon": 8, "tue": 8, "wed": 8, "thu": 8, "fri": 8}))];
    let period = DateRange::new(d("2026-03-02"), d("2026-03-08"));
    let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] }).unwrap();
    let weekend = [allocation("a", "2026-03-07", "2026-03-08", "16", "committed")];
    let plan = Plan::new(&grid, &weekend).unwrap();
    let sat = grid.day(d("2026-03-07")).unwrap();
    assert_eq!((plan.load.committed(0, sat), plan.load.committed(0, sat + 1)), (dec("8.00"), dec("8.00")));
    // Sun 03-08..Fri 03-13 has scheduled days (Mon–Fri of W11), though the period ends on that Sunday:
    // the decision reads the allocation's own dates, so the Sunday keeps its pro-rata share, 0.
    let from_sunday = [allocation("a", "2026-03-08", "2026-03-13", "10", "committed")];
    let plan = Plan::new(&grid, &from_sunday).unwrap();
    assert_eq!(plan.load.committed(0, sat + 1), Decimal::ZERO);
}

#[test]
fn leave_on_a_holiday_takes_nothing_more() {
    // Tue is a holiday (8 h lost); full-day leave Mon–Wed takes Mon 8 and Wed 8 only: capacity 40 − 8 − 16 = 16.
    let workers = [worker("w1", json!({"mon": 8, "tue": 8, "wed": 8, "thu": 8, "fri": 8}))];
    let holidays: Vec<Holiday> = serde_json::from_value(json!([{"date": "2026-03-03"}])).unwrap();
    let leave: Vec<Leave> =
        serde_json::from_value(json!([{"worker_id": "w1", "start": "2026-03-02", "end": "2026-03-04"}])).unwrap();
    let period = DateRange::new(d("2026-03-02"), d("2026-03-08"));
    let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &leave, holidays: &holidays }).unwrap();
    let total = grid.report(&[]).unwrap().workers[0].total.clone();
    assert_eq!((total.holiday, total.leave, total.capacity), (dec("8.00"), dec("16.00"), dec("16.00")));
}

#[test]
fn bad_schedule_hours_and_leave_are_errors_with_paths() {
    let workers = [worker("w1", json!({"mon": 25}))];
    let period = DateRange::new(d("2026-03-02"), d("2026-03-08"));
    let e = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] }).unwrap_err();
    assert_eq!((e.code.as_str(), e.path.as_str()), ("invalid_hours", "workers[0].schedule[0].hours.mon"));
    let workers = [worker("w1", json!({"mon": 8}))];
    let leave: Vec<Leave> =
        serde_json::from_value(json!([{"worker_id": "w1", "start": "2026-03-02", "end": "2026-03-02", "hours": 0}]))
            .unwrap();
    let e = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &leave, holidays: &[] }).unwrap_err();
    assert_eq!((e.code.as_str(), e.path.as_str()), ("invalid_hours", "leave[0].hours"));
}

#[test]
fn ratio_is_half_even_to_four_places_and_absent_without_capacity() {
    // 1/32 = 0.03125: the tie goes to the even 0.0312; 3/32 = 0.09375 → 0.0938.
    assert_eq!(ratio(dec("1"), dec("32")).unwrap(), Some(dec("0.0312")));
    assert_eq!(ratio(dec("3"), dec("32")).unwrap(), Some(dec("0.0938")));
    assert_eq!(ratio(dec("5"), Decimal::ZERO).unwrap(), None);
}

/// The error code of the `plan` request `request`, which must fail.
fn plan_error(request: serde_json::Value) -> String {
    crate::api::call_json("plan", &request.to_string()).unwrap_err().code.as_str().to_string()
}

fn plan_worker(id: &str) -> serde_json::Value {
    json!({"id": id, "name": id, "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"},
        "schedule": [{"effective_from": "2020-01-01", "hours": {"mon": 8, "tue": 8, "wed": 8, "thu": 8, "fri": 8}}]})
}

/// An opportunity whose one demand line asks for the largest decimal of hours a week over 2026-03-02..08.
fn huge_demand() -> serde_json::Value {
    json!({"id": "o1", "customer_id": "c1", "stage": "proposal", "probability": 50,
        "expected_start": "2026-03-02", "expected_end": "2026-03-08",
        "demand": [{"role": "consultant", "hours_per_week": "79228162514264337593543950335",
            "start": "2026-03-02", "end": "2026-03-08"}]})
}

#[test]
fn demand_hours_past_a_week_are_refused_at_the_field_before_any_sum() {
    // hours_per_week × 7 days would leave the decimal range (once arithmetic_overflow with an empty path); a week
    // holds at most 168 hours, as `validate` checks it, so skill gaps and the reconciliation name the field.
    let period = json!({"start": "2026-03-02", "end": "2026-03-08"});
    let at = |request: serde_json::Value| {
        let e = crate::api::call_json("plan", &request.to_string()).unwrap_err();
        (e.code.as_str().to_string(), e.path)
    };
    let expected = ("invalid_value".to_string(), "opportunities[0].demand[0].hours_per_week".to_string());
    let skills = json!({"period": period, "workers": [plan_worker("w1")], "opportunities": [huge_demand()],
        "skill_gaps": {}});
    assert_eq!(at(skills), expected);
    let reconcile = json!({"period": period, "workers": [plan_worker("w1")], "opportunities": [huge_demand()],
        "forecast": {"reporting_currency": "USD"}, "reconciliation": {}});
    assert_eq!(at(reconcile), expected);
}

#[test]
fn a_reconciliation_percent_past_the_decimal_range_is_an_overflow_error() {
    // CRM −792281625142643375935439503.35 USD (the most a cent amount holds, negated) against an ERP 150.00:
    // the difference × 100 passes the decimal maximum.
    let request = json!({"period": {"start": "2026-03-02", "end": "2026-03-08"}, "workers": [plan_worker("w1")],
        "rate_cards": [{"id": "rc", "currency": "USD", "rules": [{"id": "std", "rate": "150.00"}]}],
        "opportunities": [{"id": "o1", "customer_id": "c1", "stage": "proposal", "probability": 50, "rate_card_id": "rc",
            "amount": {"amount": "-792281625142643375935439503.35", "currency": "USD"},
            "expected_start": "2026-03-02", "expected_end": "2026-03-08"}],
        "allocations": [{"id": "a1", "worker_id": "w1", "opportunity_id": "o1", "start": "2026-03-02",
            "end": "2026-03-08", "hours_per_week": 1, "status": "tentative"}],
        "forecast": {"reporting_currency": "USD"}, "reconciliation": {}});
    assert_eq!(plan_error(request), "arithmetic_overflow");
}

#[test]
fn hours_no_day_holds_are_invalid_hours_before_any_sum() {
    // Utilization counts hours already checked as rate application checks them (0 < hours <= 24 per entry
    // and per worker-day), so its sums stay far inside the decimal range: 24 h × 366 days × any workforce.
    let entry = |id: &str, worker: &str, date: &str, hours: &str| {
        json!({"id": id, "worker_id": worker, "project_id": "p1", "date": date, "hours": hours,
            "status": "approved", "approved_by": "boss"})
    };
    let period = json!({"start": "2026-03-02", "end": "2026-03-08"});
    let plan_error_at = |entries: serde_json::Value| {
        let request = json!({"period": period, "workers": [plan_worker("w1"), plan_worker("w2")],
            "utilization": {"granularity": ["week"]}, "entries": entries});
        let e = crate::api::call_json("plan", &request.to_string()).unwrap_err();
        (e.code.as_str().to_string(), e.path)
    };
    let invalid = |path: &str| ("invalid_hours".to_string(), path.to_string());
    // 5 × 10^28 h (once an overflow of the week's sum) is not a day's hours.
    let huge = json!([entry("e1", "w1", "2026-03-02", "8"), entry("e2", "w1", "2026-03-03", "5E28")]);
    assert_eq!(plan_error_at(huge), invalid("entries[1].hours"));
    // 24 h is a day; 24.01 is not.
    let day = json!([entry("e1", "w1", "2026-03-02", "24"), entry("e2", "w1", "2026-03-03", "24.01")]);
    assert_eq!(plan_error_at(day), invalid("entries[1].hours"));
    // w1's 2026-03-02: 12 + 12 = 24 is allowed; w2's 12 + 12.5 = 24.5 is not, on the entry that crosses 24.
    let days = json!([
        entry("e1", "w1", "2026-03-02", "12"),
        entry("e2", "w2", "2026-03-02", "12"),
        entry("e3", "w1", "2026-03-02", "12"),
        entry("e4", "w2", "2026-03-02", "12.5")
    ]);
    assert_eq!(plan_error_at(days), invalid("entries[3].hours"));
    // 0 hours are refused too.
    assert_eq!(plan_error_at(json!([entry("e1", "w1", "2026-03-02", "0")])), invalid("entries[0].hours"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn hours() -> impl Strategy<Value = Decimal> {
        (0i64..=96).prop_map(|q| Decimal::new(q * 25, 2))
    }

    proptest! {
        /// Whatever the schedule, holidays and leave (full or partial, overlapping), capacity is never
        /// negative and never above the scheduled hours.
        #[test]
        fn capacity_is_never_negative(
            week in proptest::collection::vec(hours(), 7),
            holidays in proptest::collection::vec(0u64..21, 0..4),
            leave in proptest::collection::vec((0u64..21, 0u64..5, proptest::option::of(1i64..=96)), 0..5),
        ) {
            let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let week: serde_json::Map<String, serde_json::Value> =
                days.iter().zip(&week).map(|(k, v)| (k.to_string(), json!(v.to_string()))).collect();
            let workers = [worker("w1", serde_json::Value::Object(week))];
            let start = d("2026-03-02");
            let holidays: Vec<Holiday> = holidays.iter().map(|o| Holiday { date: start + chrono::Days::new(*o), country: None, name: None }).collect();
            let leave: Vec<Leave> = leave.iter().map(|(o, len, h)| Leave {
                worker_id: "w1".into(), start: start + chrono::Days::new(*o), end: start + chrono::Days::new(o + len),
                hours: h.map(|q| Decimal::new(q * 25, 2)), kind: None,
            }).collect();
            let period = DateRange::new(start, d("2026-03-22"));
            let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &leave, holidays: &holidays }).unwrap();
            let row = &grid.rows[0];
            for x in 0..grid.days {
                prop_assert!(row.capacity[x] >= Decimal::ZERO);
                prop_assert!(row.capacity[x] <= row.scheduled[x]);
                prop_assert_eq!(row.capacity[x], row.scheduled[x] - row.holiday[x] - row.leave[x]);
            }
        }

        /// The weighted forecast is linear in the probability: f(p + q) = f(p) + f(q) − f(0), unrounded.
        #[test]
        fn forecast_is_linear_in_probability(p in 0i64..=50, q in 0i64..=50, committed in 0i64..40, tentative in 1i64..40) {
            let at = |prob: i64| -> Decimal {
                let workers = [worker("w1", json!({"mon": 8, "tue": 8, "wed": 8, "thu": 8, "fri": 8}))];
                let opps: Vec<Opportunity> = serde_json::from_value(json!([{"id": "o1", "customer_id": "c1",
                    "stage": "proposal", "probability": prob, "rate_card_id": "rc",
                    "expected_start": "2026-03-02", "expected_end": "2026-03-08"}])).unwrap();
                let cards: Vec<crate::model::RateCard> = serde_json::from_value(json!([{"id": "rc", "currency": "EUR",
                    "rules": [{"id": "r", "rate": "123.45"}]}])).unwrap();
                let allocs: Vec<Allocation> = serde_json::from_value(json!([
                    {"id": "c", "worker_id": "w1", "opportunity_id": "o1", "start": "2026-03-02", "end": "2026-03-08",
                     "hours_per_week": committed, "status": "committed"},
                    {"id": "t", "worker_id": "w1", "opportunity_id": "o1", "start": "2026-03-02", "end": "2026-03-08",
                     "hours_per_week": tentative, "status": "tentative"}])).unwrap();
                let period = DateRange::new(d("2026-03-02"), d("2026-03-08"));
                let grid = CapacityGrid::new(&Calendar { period, workers: &workers, leave: &[], holidays: &[] }).unwrap();
                let plan = Plan::new(&grid, &allocs).unwrap();
                let options = RateOptions { fx: FxTable::new(&[]).unwrap(), fx_policy: FxPolicy::default(), ..RateOptions::default() };
                let f = plan.forecast(&ForecastInputs { contracts: &[], projects: &[], rate_cards: &cards, customers: &[],
                    opportunities: &opps, options: &options, reporting_currency: Currency::parse("EUR").unwrap(), fx_date: None }).unwrap();
                f.rows.iter().map(|r| r.weighted_unrounded).sum()
            };
            prop_assert_eq!(at(p + q), at(p) + at(q) - at(0));
            // And at 100 % the weighted forecast is the whole amount: (c + t) h × 123.45.
            prop_assert_eq!(at(100), Decimal::from(committed + tentative) * dec("123.45"));
        }
    }
}
