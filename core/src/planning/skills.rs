//! Skill gaps (SPEC §10): demand lines that no single qualified worker can
//! fill from their free capacity.
//!
//! A worker qualifies for a line when their role is the line's role and they
//! hold every skill the line names at its level or above. Their free hours
//! are, over the line's dates clipped to the planning period, the sum of
//! `capacity - allocated` per day where positive, counting committed and
//! tentative allocations except those on the line's own opportunity (so a
//! line already pencilled onto a worker does not count against them). The
//! line needs `hours_per_week × days / 7` hours (calendar pro rata, to 2
//! places half-even). It is filled when one qualified worker has that many
//! free hours; otherwise it is a gap: `partial` when some qualified workers
//! have free hours (listed, most free first), `unfilled` when none has.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use super::demand::{DemandState, StagePolicy};
use super::load::Spreader;
use super::{DateRange, Plan, hours_out};
use crate::error::Result;
use crate::model::{DemandLine, Opportunity, Skill, Worker};
use crate::money::{RoundingMode, checked, round_to_scale};

/// Whether a gap can be filled in part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapStatus {
    /// Qualified workers have some free hours, none enough alone.
    Partial,
    /// No qualified worker has a free hour (or none qualifies).
    Unfilled,
}

/// A qualified worker and the free hours they have in the line's window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Candidate {
    /// The worker.
    pub worker_id: String,
    /// Free hours in the window.
    pub free_hours: Decimal,
}

/// A demand line no single worker can fill.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SkillGap {
    /// The opportunity.
    pub opportunity_id: String,
    /// Index of the line in the opportunity's `demand`.
    pub line: usize,
    /// Demand state of the opportunity's stage.
    pub demand: DemandState,
    /// Role needed.
    pub role: String,
    /// Skills needed.
    pub skills: Vec<Skill>,
    /// The line's dates clipped to the planning period.
    pub window: DateRange,
    /// Hours per week asked.
    pub hours_per_week: Decimal,
    /// `hours_per_week × days in window / 7`.
    pub required_hours: Decimal,
    /// Partial or unfilled.
    pub status: GapStatus,
    /// Workers with the role and every skill at the level.
    pub qualified_workers: usize,
    /// `required_hours` less the most any one candidate has free.
    pub missing_hours: Decimal,
    /// The candidates' free hours together.
    pub combined_free_hours: Decimal,
    /// Qualified workers with free hours, most free first (then by id).
    pub candidates: Vec<Candidate>,
}

/// Skill gaps over the opportunities' demand lines.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SkillGaps {
    /// Lines looked at (of opportunities not released, overlapping the period).
    pub lines_checked: usize,
    /// Lines one qualified worker can fill.
    pub lines_filled: usize,
    /// Lines of released opportunities (stage policy `release`), not looked at.
    pub lines_released: usize,
    /// Lines entirely outside the planning period, not looked at.
    pub lines_outside_period: usize,
    /// The gaps, by opportunity then line.
    pub gaps: Vec<SkillGap>,
}

fn qualifies(worker: &Worker, line: &DemandLine) -> bool {
    worker.role == line.role
        && line.skills.iter().all(|need| worker.skills.iter().any(|s| s.name == need.name && s.level >= need.level))
}

impl Plan<'_, '_> {
    /// The skill gaps of `opportunities`' demand lines.
    ///
    /// Opportunities are checked as in [`Plan::forecast`].
    pub fn skill_gaps(&self, opportunities: &[Opportunity], policy: &StagePolicy) -> Result<SkillGaps> {
        super::check_opportunities(opportunities)?;
        let grid = self.grid;
        let mut out = SkillGaps {
            lines_checked: 0,
            lines_filled: 0,
            lines_released: 0,
            lines_outside_period: 0,
            gaps: Vec::new(),
        };
        let mut spreader = Spreader::default();
        for (o, opp) in opportunities.iter().enumerate() {
            let demand = policy.state(&opp.stage).map_err(|e| e.at(format!("opportunities[{o}].stage")))?;
            if demand == DemandState::Release {
                out.lines_released += opp.demand.len();
                continue;
            }
            for (l, line) in opp.demand.iter().enumerate() {
                let window = DateRange::new(line.start.max(grid.period.start), line.end.min(grid.period.end));
                if window.start > window.end {
                    out.lines_outside_period += 1;
                    continue;
                }
                out.lines_checked += 1;
                let days = Decimal::from(window.days() as u64);
                let week_share = checked::div(checked::mul(line.hours_per_week, days)?, Decimal::from(7))?;
                let required = round_to_scale(week_share, 2, RoundingMode::HalfEven)?;
                let (Some(a), Some(b)) = (grid.day(window.start), grid.day(window.end)) else { continue };
                let mut qualified = 0;
                let mut candidates = Vec::new();
                for (w, worker) in grid.workers.iter().enumerate() {
                    if !qualifies(worker, line) {
                        continue;
                    }
                    qualified += 1;
                    let mut own = vec![Decimal::ZERO; b + 1 - a];
                    for &i in &self.load.by_worker[w] {
                        let alloc = &self.allocations[i as usize];
                        if alloc.opportunity_id.as_deref() == Some(opp.id.as_str()) {
                            spreader.spread(grid, w, alloc, |d, h| {
                                if (a..=b).contains(&d) {
                                    own[d - a] += h;
                                }
                            })?;
                        }
                    }
                    let capacity = &grid.rows[w].capacity;
                    let free: Decimal = (a..=b)
                        .map(|d| {
                            let load = self.load.committed(w, d) + self.load.tentative(w, d) - own[d - a];
                            (capacity[d] - load).max(Decimal::ZERO)
                        })
                        .sum();
                    if free > Decimal::ZERO {
                        candidates.push(Candidate { worker_id: worker.id.clone(), free_hours: hours_out(free)? });
                    }
                }
                let best = candidates.iter().map(|c| c.free_hours).max().unwrap_or(Decimal::ZERO);
                if best >= required {
                    out.lines_filled += 1;
                    continue;
                }
                candidates.sort_by(|x, y| y.free_hours.cmp(&x.free_hours).then_with(|| x.worker_id.cmp(&y.worker_id)));
                let combined: Decimal = candidates.iter().map(|c| c.free_hours).sum();
                out.gaps.push(SkillGap {
                    opportunity_id: opp.id.clone(),
                    line: l,
                    demand,
                    role: line.role.clone(),
                    skills: line.skills.clone(),
                    window,
                    hours_per_week: line.hours_per_week,
                    required_hours: required,
                    status: if candidates.is_empty() { GapStatus::Unfilled } else { GapStatus::Partial },
                    qualified_workers: qualified,
                    missing_hours: hours_out(checked::sub(required, best)?)?,
                    combined_free_hours: hours_out(combined)?,
                    candidates,
                });
            }
        }
        Ok(out)
    }
}
