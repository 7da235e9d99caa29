//! `billable`: every operation of the library as a command. A JSON request
//! from a file or stdin, the JSON response on stdout, errors as a JSON
//! document on stderr with a non-zero exit.

mod demo;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use billable::api::{self, OPERATIONS};
use billable::{Code, Error};
use clap::Parser;

const AFTER_HELP: &str = "\
Commands:
  demo             the invoice run over the demo firm (examples/demo-firm), as a summary; --json for the response

Operations:
  round            round an amount to a currency, a scale or a cash increment
  allocate         split an amount by ratios (largest remainder)
  convert          convert money with an FX table and a policy
  validate         validate canonical records; every problem with its path
  rate             rate timesheet entries: rule matched, multipliers, rounding, explanation
  eligibility      eligibility of entries and expenses for a period, all reason codes
  tax              determine and compute taxes for lines, seller and customer
  validate_tax_id  format and check digits of a VAT/GST number
  invoice_run      the batch invoice run: invoices, exceptions, deferred, ledger, counters
  apply_events     apply CloudEvents to sync records: one outcome each, updated records and seen ledger
  verify_history   check records' audit chains; each verdict names the first bad entry
  verify_webhook   verify a Standard Webhooks signature against the caller's `now`
  plan             resource planning: capacity, utilization, skill gaps, forecast, reconciliation
  schema           the JSON Schema of any request or response
  operations       list the operations this build knows (no request needed)

The request is a JSON document read from FILE, or from stdin when FILE is `-`
or absent. `invoice-run` and `invoice_run` name the same operation.

Exit codes:
  0  success: the response document is on stdout
  1  the request was refused: an error document {\"api_version\", \"error\": {code, message, path}} is on stderr
  2  usage error (unknown flag, missing argument)
  3  the request could not be read (missing file, not UTF-8): an error document with code `input_unreadable` is on stderr
  4  the response could not be written (disk full, ...): an error document with code `output_unwritable` is on stderr

Example:
  echo '{\"amount\": \"10.005\", \"currency\": \"USD\", \"mode\": \"half_even\"}' | billable round";

/// billable: professional-services billing rules as JSON documents.
#[derive(Parser, Debug)]
#[command(name = "billable", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// The operation to run (see the list below).
    operation: String,
    /// The request document; `-` or absent reads stdin.
    file: Option<String>,
    /// Indent the response for reading.
    #[arg(long)]
    pretty: bool,
    /// `demo` only: print the full March response instead of the summary.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.operation == "demo" {
        return match demo::run() {
            Ok(d) if cli.json => emit(billable::wire::to_json(&d.march), cli.pretty),
            Ok(d) => write_out(&demo::summary(&d), ""),
            Err(e) => {
                eprintln!("{}", api::error_document(&e));
                ExitCode::from(1)
            }
        };
    }
    if cli.operation == "operations" {
        let doc = serde_json::json!({ "api_version": api::API_VERSION, "operations": OPERATIONS });
        return write_out(&doc.to_string(), "\n");
    }
    let request = match read_request(cli.file.as_deref()) {
        Ok(text) => text,
        Err(message) => {
            let doc = serde_json::json!({
                "api_version": api::API_VERSION,
                "error": { "code": "input_unreadable", "message": message, "path": "" }
            });
            eprintln!("{doc}");
            return ExitCode::from(3);
        }
    };
    let spinner = large_input_spinner(request.len());
    let result = api::call_json(&cli.operation, &request);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    emit(result, cli.pretty)
}

/// A spinner on stderr while a large request runs, only when stderr is a terminal.
fn large_input_spinner(bytes: usize) -> Option<indicatif::ProgressBar> {
    const LARGE: usize = 8 << 20;
    if bytes < LARGE || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("running on {} MiB of input", bytes >> 20));
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

fn emit(result: Result<String, Error>, pretty_print: bool) -> ExitCode {
    match result.and_then(|out| if pretty_print { pretty(&out) } else { Ok(out) }) {
        Ok(out) => write_out(&out, "\n"),
        Err(e) => {
            eprintln!("{}", api::error_document(&e));
            ExitCode::from(1)
        }
    }
}

/// `text` and `end` on stdout. A closed pipe (`| head`) is the reader's choice and ends quietly with success; any
/// other failure (a full disk) loses the response, so it is exit 4 with an error document on stderr.
fn write_out(text: &str, end: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(end.as_bytes()))
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let doc = serde_json::json!({
                "api_version": api::API_VERSION,
                "error": { "code": "output_unwritable", "message": format!("the response could not be written: {e}"), "path": "" }
            });
            eprintln!("{doc}");
            ExitCode::from(4)
        }
    }
}

fn read_request(file: Option<&str>) -> Result<String, String> {
    match file {
        None | Some("-") => {
            let mut stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("billable: reading the request from stdin (end with Ctrl-D)");
            }
            let mut text = String::new();
            stdin.read_to_string(&mut text).map_err(|e| format!("stdin: {e}"))?;
            Ok(text)
        }
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}")),
    }
}

fn pretty(out: &str) -> Result<String, Error> {
    let value: serde_json::Value =
        serde_json::from_str(out).map_err(|e| Error::new(Code::InvalidJson, format!("response: {e}")))?;
    serde_json::to_string_pretty(&value).map_err(|e| Error::new(Code::InvalidJson, format!("response: {e}")))
}
