//! `rate` and `eligibility` as documents.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiVersion, Operation};
use crate::eligibility::{self, ContractInvoiced, EntryAssessment, ExpenseAssessment, LedgerRecord, Period};
use crate::error::{Code, Error, Result};
use crate::model::{Contract, Customer, Expense, Project, RateCard, TimesheetEntry, Worker};
use crate::money::{FxPolicy, FxRate, FxTable};
use crate::rates::{self, Holidays, MasterData, RateOptions, RatedLine, Tables};
use crate::wire;

/// Master data, holidays and FX: what both operations read besides the records.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct RatingInputs {
    /// Workers (HRIS).
    #[serde(default)]
    pub workers: Vec<Worker>,
    /// Customers (CRM/ERP) (`eligibility` reads their status).
    #[serde(default)]
    pub customers: Vec<Customer>,
    /// Contracts (ERP).
    #[serde(default)]
    pub contracts: Vec<Contract>,
    /// Projects (PSA).
    #[serde(default)]
    pub projects: Vec<Project>,
    /// Rate cards.
    #[serde(default)]
    pub rate_cards: Vec<RateCard>,
    /// Holidays, for the holiday multiplier.
    #[serde(default, deserialize_with = "wire::dates")]
    pub holidays: Vec<NaiveDate>,
    /// FX table, for rate cards, cost rates and expenses in another currency than the contract.
    #[serde(default)]
    pub fx_rates: Vec<FxRate>,
    /// Inverse and pivot policy.
    #[serde(default)]
    pub fx_policy: FxPolicy,
    /// Convert at this date (invoice date, period end); absent: at each record's date.
    #[serde(default, deserialize_with = "wire::opt_date")]
    pub fx_date: Option<NaiveDate>,
}

impl RatingInputs {
    fn master(&self) -> Result<MasterData<'_>> {
        MasterData::new(Tables {
            workers: &self.workers,
            customers: &self.customers,
            contracts: &self.contracts,
            projects: &self.projects,
            rate_cards: &self.rate_cards,
        })
    }

    fn options(&self) -> Result<RateOptions> {
        Ok(RateOptions {
            holidays: Holidays::new(&self.holidays),
            fx: FxTable::new(&self.fx_rates).map_err(|e| e.under("fx_rates"))?,
            fx_policy: self.fx_policy,
            fx_date: self.fx_date,
            // No invoice in these operations; a contract choosing the invoice date converts at `fx_date`, else at
            // the record's date. `eligibility` sets the period end.
            invoice_date: None,
            period_end: None,
        })
    }
}

/// Rate timesheet entries against rate cards.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct RateRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// Master data, holidays and FX.
    #[serde(flatten, deserialize_with = "wire::flattened")]
    pub inputs: RatingInputs,
    /// The entries to rate.
    pub entries: Vec<TimesheetEntry>,
}

/// One entry's outcome: its rated line or its error.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RateResult<'a> {
    /// The entry.
    pub entry_id: String,
    /// Its version.
    pub version: u64,
    /// The rated line, when rating succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<RatedLine<'a>>,
    /// Why it could not be rated (path under `entries[i]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// One result per entry, in input order.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RateResponse<'a> {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// One per entry, in input order.
    pub results: Vec<RateResult<'a>>,
    /// Entries rated.
    pub rated: usize,
    /// Entries with an error.
    pub failed: usize,
}

/// The `rate` operation.
pub struct Rate;

impl Operation for Rate {
    const NAME: &'static str = "rate";
    type Request = RateRequest;
    type Response = RateResponse<'static>;

    fn run(r: RateRequest) -> Result<RateResponse<'static>> {
        rate_response(&r, RatedLine::into_owned)
    }

    /// Writes the lines while they borrow from the request: no copy of their ids.
    fn run_json(r: RateRequest) -> Result<String> {
        wire::to_json(&rate_response(&r, |l| l)?)
    }
}

/// The response, each line passed through `keep` (borrowed as rated, or copied out).
fn rate_response<'a, 'b>(
    r: &'a RateRequest,
    keep: impl Fn(RatedLine<'a>) -> RatedLine<'b>,
) -> Result<RateResponse<'b>> {
    let master = r.inputs.master()?;
    let options = r.inputs.options()?;
    let results: Vec<RateResult> = rates::rate(&master, &r.entries, &options)?
        .into_iter()
        .zip(&r.entries)
        .enumerate()
        .map(|(i, (outcome, e))| {
            let (line, error) = match outcome {
                Ok(l) => (Some(keep(l)), None),
                Err(err) => (None, Some(err.under(&format!("entries[{i}]")))),
            };
            RateResult { entry_id: e.id.clone(), version: e.version, line, error }
        })
        .collect();
    let failed = results.iter().filter(|x| x.error.is_some()).count();
    Ok(RateResponse { api_version: ApiVersion, rated: results.len() - failed, failed, results })
}

/// Decide the billing eligibility of entries and expenses for a period.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct EligibilityRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// Master data, holidays and FX.
    #[serde(flatten, deserialize_with = "wire::flattened")]
    pub inputs: RatingInputs,
    /// The run's period (inclusive).
    pub period: Period,
    /// Timesheet entries.
    #[serde(default)]
    pub entries: Vec<TimesheetEntry>,
    /// Expenses.
    #[serde(default)]
    pub expenses: Vec<Expense>,
    /// Records invoiced before (kind, id, version).
    #[serde(default)]
    pub ledger: Vec<LedgerRecord>,
    /// Amounts invoiced before per contract, for the not-to-exceed.
    #[serde(default)]
    pub invoiced: Vec<ContractInvoiced>,
}

/// One result per record, in input order, and the reconciliation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EligibilityResponse<'a> {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// One per entry.
    pub entries: Vec<EntryAssessment<'a>>,
    /// One per expense.
    pub expenses: Vec<ExpenseAssessment<'a>>,
    /// `entries + expenses = eligible + partially_eligible + exception + deferred`.
    pub counts: eligibility::Counts,
}

/// The `eligibility` operation.
pub struct Eligibility;

impl Operation for Eligibility {
    const NAME: &'static str = "eligibility";
    type Request = EligibilityRequest;
    type Response = EligibilityResponse<'static>;

    fn run(r: EligibilityRequest) -> Result<EligibilityResponse<'static>> {
        Ok(eligibility_response(assess(&r)?.into_owned()))
    }

    /// Writes the assessments while they borrow from the request: no copy of their ids.
    fn run_json(r: EligibilityRequest) -> Result<String> {
        wire::to_json(&eligibility_response(assess(&r)?))
    }
}

fn assess(r: &EligibilityRequest) -> Result<eligibility::Assessment<'_>> {
    let master = r.inputs.master()?;
    let options = RateOptions { period_end: Some(r.period.end), ..r.inputs.options()? };
    check_invoiced(&master, &r.invoiced)?;
    let run = eligibility::Run {
        period: r.period,
        ledger: &r.ledger,
        invoiced: &r.invoiced,
        released: &[],
        blocked: &[],
        cap_unknown: &[],
    };
    eligibility::assess(&master, &r.entries, &r.expenses, &run, &options)
}

/// The amounts invoiced before must name a contract of the request (a row for `K1` when the
/// contract is `k1` would otherwise leave the cap untouched, in silence) and be amounts its
/// currency can bill (a cap less `250.005` would bill a part of `749.995`).
fn check_invoiced(master: &MasterData<'_>, invoiced: &[ContractInvoiced]) -> Result<()> {
    for (i, row) in invoiced.iter().enumerate() {
        let Some(c) = master.contract_index(&row.contract_id) else {
            return Err(Error::new(
                Code::UnknownReference,
                format!("contract `{}` is not among the request's contracts", row.contract_id),
            )
            .at(format!("invoiced[{i}].contract_id")));
        };
        let currency = master.contracts[c as usize].contract.currency;
        if let Some(units) = currency.minor_units()
            && row.amount.normalize().scale() > units
        {
            return Err(Error::new(
                Code::InvalidValue,
                format!("{} is finer than {currency}'s {units} decimal places", row.amount),
            )
            .at(format!("invoiced[{i}].amount")));
        }
    }
    Ok(())
}

fn eligibility_response(out: eligibility::Assessment<'_>) -> EligibilityResponse<'_> {
    EligibilityResponse { api_version: ApiVersion, entries: out.entries, expenses: out.expenses, counts: out.counts }
}
