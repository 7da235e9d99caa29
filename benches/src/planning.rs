//! A deterministic firm for the planning benchmark: 2,000 workers over the
//! 52 ISO weeks from Monday 2025-12-29 to Sunday 2026-12-27, 5,000
//! allocations, holidays in two countries and leave.
//!
//! The mix: 80 % of workers on 8 h Monday to Friday, 15 % on a 4 × 8 h week
//! and 5 % part-time 5 × 5 h; one worker in ten changes schedule on 1 July;
//! 2 % join during the year. Ten holidays for DE and ten for US workers. Each
//! worker takes two weeks of leave and one partial day. Allocations are 2 to
//! 26 weeks long at 8 to 40 h a week, 70 % committed, 25 % tentative, 5 %
//! released.

use billable::model::{
    Allocation, AllocationStatus, Employment, EmploymentStatus, ScheduleVersion, Skill, WeekHours, Worker,
};
use billable::planning::{DateRange, Holiday, Leave};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::Lcg;

/// Everything the planning reports read.
#[derive(Debug, Clone)]
pub struct Firm {
    /// The 52 weeks.
    pub period: DateRange,
    /// Workers with schedules, employment and country.
    pub workers: Vec<Worker>,
    /// Leave.
    pub leave: Vec<Leave>,
    /// Holidays.
    pub holidays: Vec<Holiday>,
    /// Allocations.
    pub allocations: Vec<Allocation>,
}

fn week(hours: [i64; 5]) -> WeekHours {
    let h = |x: i64| Decimal::from(x);
    WeekHours {
        mon: h(hours[0]),
        tue: h(hours[1]),
        wed: h(hours[2]),
        thu: h(hours[3]),
        fri: h(hours[4]),
        ..WeekHours::default()
    }
}

/// The firm for `seed`: `workers` workers and `allocations` allocations.
pub fn firm(seed: u64, workers: usize, allocations: usize) -> Firm {
    let mut rng = Lcg::new(seed);
    let start = NaiveDate::from_ymd_opt(2025, 12, 29).unwrap();
    let end = start + Days::new(52 * 7 - 1);
    let day = |n: u64| start + Days::new(n);
    let mut out_workers = Vec::with_capacity(workers);
    let mut leave = Vec::new();
    for i in 0..workers {
        let kind = rng.below(100);
        let base = if kind < 80 {
            week([8, 8, 8, 8, 8])
        } else if kind < 95 {
            week([8, 8, 8, 8, 0])
        } else {
            week([5, 5, 5, 5, 5])
        };
        let mut schedule =
            vec![ScheduleVersion { effective_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(), hours: base }];
        if rng.below(10) == 0 {
            schedule.push(ScheduleVersion {
                effective_from: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
                hours: week([6, 6, 6, 6, 6]),
            });
        }
        let hired = if rng.below(50) == 0 { day(rng.below(300)) } else { NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() };
        let id = format!("w{i}");
        let away = rng.below(340);
        leave.push(Leave { worker_id: id.clone(), start: day(away), end: day(away + 13), hours: None, kind: None });
        leave.push(Leave {
            worker_id: id.clone(),
            start: day(rng.below(364)),
            end: day(0).max(day(rng.below(364))),
            hours: Some(Decimal::from(4)),
            kind: None,
        });
        out_workers.push(Worker {
            id,
            name: format!("Worker {i}"),
            role: format!("role{}", i % 10),
            grade: None,
            cost_rate: None,
            employment: Employment { status: EmploymentStatus::Active, start: hired, end: None },
            skills: vec![Skill { name: format!("skill{}", rng.below(20)), level: 1 + rng.below(5) as u8 }],
            schedule,
            country: Some(if i % 2 == 0 { "DE" } else { "US" }.to_string()),
            time_zone: None,
            approver_for: Vec::new(),
        });
    }
    // Leave whose end came out before its start is a one-day partial leave on its start.
    for l in &mut leave {
        if l.end < l.start {
            l.end = l.start;
        }
    }
    let holidays = (0..20)
        .map(|k| Holiday {
            date: day(3 + k * 18),
            country: Some(if k % 2 == 0 { "DE" } else { "US" }.to_string()),
            name: Some(format!("Holiday {k}")),
        })
        .collect();
    let allocations = (0..allocations)
        .map(|i| {
            let from = rng.below(340);
            let weeks = 2 + rng.below(25);
            let status = match rng.below(100) {
                0..70 => AllocationStatus::Committed,
                70..95 => AllocationStatus::Tentative,
                _ => AllocationStatus::Released,
            };
            Allocation {
                id: format!("a{i}"),
                worker_id: format!("w{}", rng.below(workers as u64)),
                project_id: Some(format!("p{}", rng.below(2_000))),
                opportunity_id: None,
                start: day(from),
                end: day(from + weeks * 7 - 1).min(end),
                hours_per_week: Decimal::from(8 + rng.below(33)),
                status,
            }
        })
        .collect();
    Firm { period: DateRange::new(start, end), workers: out_workers, leave, holidays, allocations }
}
